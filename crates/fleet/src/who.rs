//! Who is at the keyboard, for the audit log and the batch report.

/// The login name: from the environment when it says (a shared service account can name the
/// person), else the operating system's account of this process, which a desktop launched by a
/// file manager or a test driver may start without USER set.
pub fn whoami() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .or_else(|| ::whoami::username().ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::whoami;

    #[test]
    fn a_process_always_has_a_name_for_the_audit_log() {
        assert_ne!(whoami(), "unknown");
        assert!(!whoami().is_empty());
    }
}
