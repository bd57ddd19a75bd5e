//! Who is at the keyboard, for the audit log and the batch report.

/// The login name: from the environment when it says (a shared service account can name the
/// person), else the operating system's account of this process, which a desktop launched by a
/// file manager or a test driver may start without USER set.
pub fn whoami() -> String {
    name_from(|k| std::env::var(k).ok())
}

fn name_from(env: impl Fn(&str) -> Option<String>) -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| env(k).filter(|v| !v.trim().is_empty()))
        .or_else(|| ::whoami::username().ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_names_who_is_at_the_keyboard() {
        let env = |k: &str| (k == "LOGNAME").then(|| "kari".to_string());
        assert_eq!(name_from(env), "kari");
    }

    #[test]
    fn without_user_logname_or_username_the_os_account_is_named() {
        let name = name_from(|_| None);
        assert!(!name.is_empty() && name != "unknown", "{name}");
        assert_eq!(name, ::whoami::username().unwrap_or_default());
    }
}
