//! A profile checked before it is saved, the same from the window's form and from
//! `stratum profile add`: it has a name and a known environment, its URL parses (its password
//! taken out, for the keychain), and its project folder opens with its Alembic settings.

use std::path::Path;

use stratum_db::DatabaseUrl;
use stratum_project::Project;
use stratum_store::NewProfile;

use crate::{settings, OperationError};

/// The environments a profile can be in; production asks for more before a change.
pub const ENVIRONMENTS: [&str; 3] = ["development", "staging", "production"];

/// The profile as the store keeps it, and the password to keep apart: `given_password` (the
/// form's field) when there is one, else the one written in the URL.
pub fn checked_profile(
    p: NewProfile,
    given_password: Option<String>,
) -> Result<(NewProfile, Option<String>), OperationError> {
    let checked = checked_fields(p, given_password)?;
    Project::open_with(
        Path::new(&checked.0.project_dir),
        &settings(
            &checked.0.alembic_values,
            &checked.0.version_table,
            &checked.0.version_table_schema,
        )?,
    )?;
    Ok(checked)
}

/// [`checked_profile`] without opening the project: for many profiles of one project, opened
/// once by the caller.
pub(crate) fn checked_fields(
    mut p: NewProfile,
    given_password: Option<String>,
) -> Result<(NewProfile, Option<String>), OperationError> {
    p.name = p.name.trim().into();
    p.client = p.client.trim().into();
    p.project_dir = p.project_dir.trim().into();
    if p.name.is_empty() {
        return Err(OperationError::Input("give the profile a name".into()));
    }
    if !ENVIRONMENTS.contains(&p.environment.as_str()) {
        return Err(OperationError::Input(
            "the environment is development, staging or production".into(),
        ));
    }
    p.maintenance_window = p.maintenance_window.trim().into();
    if !p.maintenance_window.is_empty() {
        crate::MaintenanceWindow::parse(&p.maintenance_window).map_err(OperationError::Input)?;
    }
    let url = DatabaseUrl::parse(&p.url)?;
    let password = given_password
        .filter(|given| !given.is_empty())
        .or(url.password.clone());
    p.url = url.without_password();
    Ok((p, password))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewProfile {
        NewProfile {
            name: " Acme prod ".into(),
            environment: "production".into(),
            url: "postgresql://erp:secret@db.example/erp".into(),
            project_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/kontali-erp").into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_password_in_the_url_is_taken_out_for_the_keychain() {
        let (p, password) = checked_profile(sample(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(password.as_deref(), Some("secret"));
        assert!(!p.url.contains("secret"), "{}", p.url);
        assert_eq!(p.name, "Acme prod");
    }

    #[test]
    fn a_password_typed_in_the_form_wins_over_the_urls() {
        let (_, password) =
            checked_profile(sample(), Some("typed".into())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(password.as_deref(), Some("typed"));
    }

    #[test]
    fn an_unknown_environment_a_missing_name_and_a_missing_project_are_refused() {
        let said = |p: NewProfile| {
            checked_profile(p, None)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let prod = NewProfile {
            environment: "prod".into(),
            ..sample()
        };
        assert_eq!(
            said(prod),
            Err("the environment is development, staging or production".into())
        );
        let nameless = NewProfile {
            name: "  ".into(),
            ..sample()
        };
        assert_eq!(said(nameless), Err("give the profile a name".into()));
        let nowhere = NewProfile {
            project_dir: "/nonexistent/project".into(),
            ..sample()
        };
        assert!(said(nowhere).is_err_and(|e| e.contains("/nonexistent/project")));
    }
}
