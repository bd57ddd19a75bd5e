//! Where each platform's installers put the engines' own tools, searched after the configured
//! folder and PATH: a desktop user who installed PostgreSQL with its Windows installer, or
//! Postgres.app, or Homebrew's keg-only `libpq`, has `pg_dump` on no PATH the app can see.
//! Pure path logic over what a folder lists, so every platform's rules are tested on any.

use std::path::{Path, PathBuf};

use stratum_db::Engine;

/// The operating systems whose installers differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    pub fn current() -> Os {
        match std::env::consts::OS {
            "macos" => Os::MacOs,
            "windows" => Os::Windows,
            _ => Os::Linux,
        }
    }

    /// The file name of a tool: `pg_dump.exe` on Windows.
    pub fn executable(self, name: &str) -> String {
        match self {
            Os::Windows => format!("{name}.exe"),
            _ => name.to_string(),
        }
    }
}

/// What the search needs to know of the machine: an environment variable, and the entries of
/// a folder (empty when it does not exist).
pub trait Machine {
    fn var(&self, name: &str) -> Option<String>;
    fn list(&self, dir: &Path) -> Vec<String>;
}

/// The running machine.
pub struct ThisMachine;

impl Machine for ThisMachine {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn list(&self, dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Version-named folders (`16`, `MariaDB 11.4`, `MySQL Server 8.0`), newest first: the
/// newest client reads the oldest server's dumps, not the other way round.
fn newest_first(mut names: Vec<String>, prefix: &str) -> Vec<String> {
    names.retain(|n| {
        n.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    });
    let key = |n: &str| -> Vec<u64> {
        n[prefix.len()..]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
            .collect()
    };
    names.sort_by_key(|n| std::cmp::Reverse(key(n)));
    names
}

/// The folders where `os`'s installers put `engine`'s client tools, in the order to search.
pub fn install_dirs(engine: Engine, os: Os, machine: &dyn Machine) -> Vec<PathBuf> {
    let mut out = Vec::new();
    match (os, engine) {
        (Os::Linux, Engine::Postgres) => {
            // Debian's versioned clients; /usr/bin/pg_dump is a wrapper that may be missing.
            let base = Path::new("/usr/lib/postgresql");
            for v in newest_first(machine.list(base), "") {
                out.push(base.join(v).join("bin"));
            }
            out.push(PathBuf::from("/usr/pgsql/bin"));
        }
        (Os::MacOs, Engine::Postgres) => {
            out.push(PathBuf::from(
                "/Applications/Postgres.app/Contents/Versions/latest/bin",
            ));
            out.push(PathBuf::from("/opt/homebrew/opt/libpq/bin"));
            out.push(PathBuf::from("/usr/local/opt/libpq/bin"));
            for prefix in ["/opt/homebrew/opt", "/usr/local/opt"] {
                for v in newest_first(machine.list(Path::new(prefix)), "postgresql@") {
                    out.push(Path::new(prefix).join(v).join("bin"));
                }
            }
        }
        (Os::MacOs, Engine::MySql) => {
            for prefix in ["/opt/homebrew/opt", "/usr/local/opt"] {
                for formula in ["mysql-client", "mariadb", "mysql"] {
                    out.push(Path::new(prefix).join(formula).join("bin"));
                }
            }
            out.push(PathBuf::from("/usr/local/mysql/bin"));
        }
        (Os::Windows, Engine::Postgres) => {
            for root in program_files(machine) {
                let base = root.join("PostgreSQL");
                for v in newest_first(machine.list(&base), "") {
                    out.push(base.join(v).join("bin"));
                }
            }
        }
        (Os::Windows, Engine::MySql) => {
            for root in program_files(machine) {
                for v in newest_first(machine.list(&root), "MariaDB ") {
                    out.push(root.join(v).join("bin"));
                }
                let mysql = root.join("MySQL");
                for v in newest_first(machine.list(&mysql), "MySQL Server ") {
                    out.push(mysql.join(v).join("bin"));
                }
            }
        }
        (_, Engine::Sqlite) | (Os::Linux, Engine::MySql) => {}
    }
    out
}

/// `C:\Program Files` and `C:\Program Files (x86)`, as the machine names them.
fn program_files(machine: &dyn Machine) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"]
        .iter()
        .filter_map(|v| machine.var(v))
        .map(PathBuf::from)
        .collect();
    out.dedup();
    if out.is_empty() {
        out.push(PathBuf::from(r"C:\Program Files"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A machine made of a few folders and variables.
    struct Fake {
        vars: HashMap<&'static str, &'static str>,
        dirs: HashMap<PathBuf, Vec<&'static str>>,
    }

    impl Machine for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).map(|s| s.to_string())
        }
        fn list(&self, dir: &Path) -> Vec<String> {
            self.dirs
                .get(dir)
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        }
    }

    fn fake(vars: &[(&'static str, &'static str)], dirs: &[(&str, &[&'static str])]) -> Fake {
        Fake {
            vars: vars.iter().cloned().collect(),
            dirs: dirs
                .iter()
                .map(|(d, l)| (PathBuf::from(d), l.to_vec()))
                .collect(),
        }
    }

    fn shown(dirs: Vec<PathBuf>) -> Vec<String> {
        dirs.iter().map(|d| d.display().to_string()).collect()
    }

    #[test]
    fn windows_finds_the_postgresql_installers_newest_version_first() {
        let m = fake(
            &[("ProgramFiles", r"C:\Program Files")],
            &[(
                r"C:\Program Files/PostgreSQL",
                &["9.6", "16", "12", "pgAdmin 4"],
            )],
        );
        let dirs = shown(install_dirs(Engine::Postgres, Os::Windows, &m));
        assert_eq!(dirs.len(), 3, "pgAdmin is no server version: {dirs:?}");
        assert!(
            dirs[0].ends_with("16/bin") || dirs[0].ends_with(r"16\bin"),
            "{dirs:?}"
        );
        assert!(dirs[1].contains("12"), "{dirs:?}");
        assert!(dirs[2].contains("9.6"), "{dirs:?}");
        assert_eq!(Os::Windows.executable("pg_dump"), "pg_dump.exe");
        assert_eq!(Os::Linux.executable("pg_dump"), "pg_dump");
    }

    #[test]
    fn windows_finds_mariadb_and_mysql_server_folders() {
        let m = fake(
            &[("ProgramFiles", r"C:\Program Files")],
            &[
                (
                    r"C:\Program Files",
                    &["MariaDB 10.11", "MariaDB 11.4", "Git"],
                ),
                (
                    r"C:\Program Files/MySQL",
                    &["MySQL Server 8.0", "MySQL Workbench 8.0"],
                ),
            ],
        );
        let dirs = shown(install_dirs(Engine::MySql, Os::Windows, &m));
        assert_eq!(dirs.len(), 3, "{dirs:?}");
        assert!(dirs[0].contains("MariaDB 11.4"), "{dirs:?}");
        assert!(dirs[1].contains("MariaDB 10.11"), "{dirs:?}");
        assert!(dirs[2].contains("MySQL Server 8.0"), "{dirs:?}");
    }

    #[test]
    fn macos_looks_in_postgres_app_and_homebrews_keg_only_libpq() {
        let m = fake(
            &[],
            &[(
                "/opt/homebrew/opt",
                &["postgresql@14", "postgresql@17", "libpq"],
            )],
        );
        let dirs = shown(install_dirs(Engine::Postgres, Os::MacOs, &m));
        assert_eq!(
            dirs[0],
            "/Applications/Postgres.app/Contents/Versions/latest/bin"
        );
        assert_eq!(dirs[1], "/opt/homebrew/opt/libpq/bin");
        assert!(dirs.contains(&"/opt/homebrew/opt/postgresql@17/bin".to_string()));
        let at = |d: &str| dirs.iter().position(|x| x == d);
        assert!(
            at("/opt/homebrew/opt/postgresql@17/bin") < at("/opt/homebrew/opt/postgresql@14/bin")
        );
        let mysql = shown(install_dirs(Engine::MySql, Os::MacOs, &m));
        assert_eq!(mysql[0], "/opt/homebrew/opt/mysql-client/bin");
    }

    #[test]
    fn debian_s_versioned_postgresql_clients_come_newest_first() {
        let m = fake(&[], &[("/usr/lib/postgresql", &["13", "15"])]);
        let dirs = shown(install_dirs(Engine::Postgres, Os::Linux, &m));
        assert_eq!(dirs[0], "/usr/lib/postgresql/15/bin");
        assert_eq!(dirs[1], "/usr/lib/postgresql/13/bin");
        assert!(install_dirs(Engine::Sqlite, Os::Windows, &m).is_empty());
    }
}
