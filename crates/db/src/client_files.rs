//! The files the engines' own clients read, honoured where a URL leaves a value out: libpq's
//! password file (`~/.pgpass`, `PGPASSFILE`) and service file (`pg_service.conf`), and MySQL's
//! option file (`~/.my.cnf`). A team that keeps its passwords there keeps them out of
//! Stratum's profiles as well.

use std::path::{Path, PathBuf};

use crate::{DatabaseUrl, Engine};

/// One `[name]` section of a `pg_service.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// Where it was read, for messages.
    pub file: PathBuf,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub sslmode: Option<String>,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
}

/// The service files libpq searches, in its order: `PGSERVICEFILE` (else `~/.pg_service.conf`),
/// then `pg_service.conf` in `PGSYSCONFDIR` (else the system's folder).
fn service_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    match std::env::var_os("PGSERVICEFILE") {
        Some(f) => files.push(PathBuf::from(f)),
        None => files.extend(home().map(|h| h.join(".pg_service.conf"))),
    }
    let sysconf = std::env::var_os("PGSYSCONFDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/postgresql-common"));
    files.push(sysconf.join("pg_service.conf"));
    files
}

/// The named service, from the first file that has it.
pub fn service(name: &str) -> Result<Service, String> {
    let files = service_files();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if let Some(s) = parse_service(&text, name, file) {
            return Ok(s);
        }
    }
    Err(format!(
        "the PostgreSQL service '{name}' is in none of {}",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn parse_service(text: &str, name: &str, file: &Path) -> Option<Service> {
    let mut found: Option<Service> = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if found.is_some() {
                break;
            }
            if section.trim() == name {
                found = Some(Service {
                    name: name.to_string(),
                    file: file.to_path_buf(),
                    ..Service::default()
                });
            }
            continue;
        }
        let (Some(s), Some((k, v))) = (found.as_mut(), line.split_once('=')) else {
            continue;
        };
        let v = Some(v.trim().to_string()).filter(|v| !v.is_empty());
        match k.trim() {
            "host" | "hostaddr" => s.host = v,
            "port" => s.port = v.and_then(|p| p.parse().ok()),
            "dbname" => s.database = v,
            "user" => s.user = v,
            "password" => s.password = v,
            "sslmode" => s.sslmode = v,
            _ => {}
        }
    }
    found
}

/// The password a client of the engine would find for `url` in its own files, when the URL
/// has none.
pub fn password_for(url: &DatabaseUrl) -> Option<String> {
    match url.engine {
        Engine::Postgres => pgpass_file().and_then(|f| pgpass_lookup(&f, url)),
        Engine::MySql => home().and_then(|h| my_cnf_password(&h.join(".my.cnf"), url)),
        Engine::Sqlite => None,
    }
}

fn pgpass_file() -> Option<PathBuf> {
    match std::env::var_os("PGPASSFILE") {
        Some(f) => Some(PathBuf::from(f)),
        None => home().map(|h| h.join(".pgpass")),
    }
}

/// libpq's rule: a password file others may read is ignored (with a warning), not trusted.
fn private(file: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(file) {
            if m.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    file = %file.display(),
                    "the password file can be read by others; it is ignored (chmod 0600 it)"
                );
                return false;
            }
        }
    }
    let _ = file;
    true
}

fn pgpass_lookup(file: &Path, url: &DatabaseUrl) -> Option<String> {
    if !private(file) {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    // libpq matches a Unix socket connection as "localhost".
    let host = if url.socket.is_some() {
        "localhost".to_string()
    } else {
        url.host.clone()
    };
    let port = url.port.unwrap_or(5432).to_string();
    let user = url.user.clone().unwrap_or_else(default_user);
    let wanted = [host.as_str(), &port, &url.database, &user];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = split_pgpass(line);
            if fields.len() < 5 {
                return None;
            }
            let matches = fields.iter().zip(wanted).all(|(f, w)| f == "*" || f == w);
            matches.then(|| fields[4].clone())
        })
}

/// The user libpq connects as when none is given: the operating system's.
fn default_user() -> String {
    std::env::var("PGUSER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_default()
}

/// A `.pgpass` line's fields: `:` separates, `\` escapes the next character.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

/// The password of the `[client]` (or `[mysql]`) group of a MySQL option file, where its user
/// and host, when it names them, are the URL's.
fn my_cnf_password(file: &Path, url: &DatabaseUrl) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let (mut in_group, mut password, mut user, mut host) = (false, None, None, None);
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(group) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_group = matches!(group.trim(), "client" | "mysql");
            continue;
        }
        if !in_group {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches(['"', '\'']).to_string();
        match k.trim() {
            "password" => password = Some(v),
            "user" => user = Some(v),
            "host" => host = Some(v),
            _ => {}
        }
    }
    let same_user = user.is_none() || user == url.user;
    let same_host = host.is_none() || host.as_deref() == Some(url.host.as_str());
    password.filter(|_| same_user && same_host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pgpass_line_matches_with_wildcards_and_escapes() {
        assert_eq!(
            split_pgpass(r"db\:1:5432:*:erp:p\:w\\d"),
            ["db:1", "5432", "*", "erp", r"p:w\d"]
        );
    }

    #[test]
    fn a_service_section_is_read_up_to_the_next() {
        let text = "# team services\n[erp_prod]\nhost=db.example\nport=6543\ndbname=erp\nuser=ops\nsslmode=require\n\n[other]\nhost=elsewhere\n";
        let s = parse_service(text, "erp_prod", Path::new("/x")).unwrap_or_default();
        assert_eq!(s.host.as_deref(), Some("db.example"));
        assert_eq!(s.port, Some(6543));
        assert_eq!(
            (s.database.as_deref(), s.user.as_deref()),
            (Some("erp"), Some("ops"))
        );
        assert_eq!(s.sslmode.as_deref(), Some("require"));
        assert!(parse_service(text, "missing", Path::new("/x")).is_none());
    }
}
