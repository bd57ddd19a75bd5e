//! How a URL names an SSH bastion (`?ssh=user@host:port&ssh_key=PATH`): the settings alone,
//! read and written back, apart from the tunnel that uses them (`tunnel.rs`), so that the URL
//! parser needs no SSH library.

use std::fmt;
use std::path::PathBuf;

/// How to reach the bastion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SshSettings {
    pub user: String,
    pub host: String,
    pub port: u16,
    /// A private key file; `None`: the keys of the SSH agent (`SSH_AUTH_SOCK`).
    pub key: Option<PathBuf>,
}

impl fmt::Display for SshSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}:{}", self.user, self.host, self.port)
    }
}

impl SshSettings {
    /// `user@host[:port]` as a URL's `ssh=` writes it.
    pub fn parse(spec: &str, key: Option<&str>) -> Result<SshSettings, String> {
        let (user, rest) = spec
            .split_once('@')
            .ok_or_else(|| format!("ssh={spec}: write it as user@host or user@host:port"))?;
        // An IPv6 address is in brackets, its port after them.
        let (host, port) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => match rest.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            },
        };
        let port = match port {
            Some(p) => p
                .parse()
                .map_err(|_| format!("ssh={spec}: the port '{p}' is not a number"))?,
            None => 22,
        };
        // What no user or host name holds would only make a spec that reads back as another.
        let odd = |s: &str, also: &str| {
            s.is_empty()
                || s.chars()
                    .any(|c| c.is_whitespace() || c.is_control() || also.contains(c))
        };
        if odd(user, "") || odd(host, "@/[]?#") {
            return Err(format!(
                "ssh={spec}: write it as user@host or user@host:port"
            ));
        }
        Ok(SshSettings {
            user: user.into(),
            host: host.into(),
            port,
            key: key.filter(|k| !k.is_empty()).map(expand_home),
        })
    }

    /// As a URL writes it back: `ssh=user@host:port`.
    pub fn spec(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{}@{host}:{}", self.user, self.port)
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), home()) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(path),
    }
}

pub(crate) fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bastion_is_written_user_at_host_with_an_optional_port() {
        let s = |spec: &str| SshSettings::parse(spec, None).map(|s| (s.user, s.host, s.port));
        assert_eq!(
            s("deploy@bastion.example"),
            Ok(("deploy".into(), "bastion.example".into(), 22))
        );
        assert_eq!(
            s("deploy@bastion.example:2222"),
            Ok(("deploy".into(), "bastion.example".into(), 2222))
        );
        assert_eq!(s("ops@[::1]"), Ok(("ops".into(), "::1".into(), 22)));
        assert_eq!(s("ops@[::1]:2200"), Ok(("ops".into(), "::1".into(), 2200)));
        assert!(s("bastion.example").is_err());
        assert!(s("@bastion").is_err());
        assert!(s("ops@bastion:ssh").is_err_and(|e| e.contains("not a number")));
        let written =
            SshSettings::parse("ops@[::1]:2200", Some("/k")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(written.spec(), "ops@[::1]:2200");
        assert_eq!(written.key, Some(PathBuf::from("/k")));
    }

    #[test]
    fn a_host_that_could_not_be_written_back_is_refused() {
        // Found by fuzzing: a host holding '@', '/' or '[' was taken, and written back as a
        // spec that read as another bastion.
        for spec in [
            "u@h/d://u@[::1]:54",
            "u@a@b",
            "u@[::1",
            "u@h st",
            "u\0@h",
            "u@h#x",
        ] {
            assert!(SshSettings::parse(spec, None).is_err(), "{spec} was taken");
        }
    }
}
