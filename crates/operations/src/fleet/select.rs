//! Which profiles a fleet command is about: all, or those of some clients, environments or
//! tags, or named ones.

use stratum_store::Profile;

use crate::OperationError;

#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Names or ids, each of which must name a profile.
    pub names: Vec<String>,
    /// Any of these clients (a profile's group).
    pub clients: Vec<String>,
    pub environments: Vec<String>,
    /// Any of these tags.
    pub tags: Vec<String>,
}

impl Selection {
    /// The chosen profiles, in the store's order (client, then name). Named profiles that do not
    /// exist are an error, and so is a selection that matches nothing.
    pub fn choose(&self, profiles: Vec<Profile>) -> Result<Vec<Profile>, OperationError> {
        let unknown: Vec<&String> = self
            .names
            .iter()
            .filter(|n| !profiles.iter().any(|p| named(p, n)))
            .collect();
        if !unknown.is_empty() {
            return Err(OperationError::Input(format!(
                "no profile is named {}",
                unknown
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let any = |wanted: &[String], have: &str| {
            wanted.is_empty() || wanted.iter().any(|w| w.eq_ignore_ascii_case(have))
        };
        let chosen: Vec<Profile> = profiles
            .into_iter()
            .filter(|p| self.names.is_empty() || self.names.iter().any(|n| named(p, n)))
            .filter(|p| any(&self.clients, &p.client))
            .filter(|p| any(&self.environments, &p.environment))
            .filter(|p| {
                self.tags.is_empty()
                    || p.tag_list()
                        .iter()
                        .any(|t| self.tags.iter().any(|w| w.eq_ignore_ascii_case(t)))
            })
            .collect();
        if chosen.is_empty() {
            return Err(OperationError::Input(
                "no profile matches the selection".into(),
            ));
        }
        Ok(chosen)
    }
}

fn named(p: &Profile, n: &str) -> bool {
    p.name == n || p.id.to_string() == n
}
