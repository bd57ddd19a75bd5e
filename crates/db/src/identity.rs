//! How Stratum names itself to a server, so that whoever looks (a DBA, a second Stratum
//! waiting on the migration lock) sees which program, version, person and machine it is.

/// `stratum 0.2.0 ana@desk`: at most 63 characters, PostgreSQL's limit for
/// `application_name`.
pub fn identity() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .or_else(|| whoami::username().ok())
        .unwrap_or_else(|| "unknown".into());
    let host = whoami::hostname().unwrap_or_else(|_| "unknown".into());
    let text: String = format!("stratum {} {user}@{host}", env!("CARGO_PKG_VERSION"))
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(63)
        .collect();
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_identity_names_program_version_person_and_machine() {
        let id = super::identity();
        assert!(
            id.starts_with(concat!("stratum ", env!("CARGO_PKG_VERSION"), " ")),
            "{id}"
        );
        assert!(id.contains('@') && id.len() <= 63, "{id}");
    }
}
