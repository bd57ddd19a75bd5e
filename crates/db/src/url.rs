//! Database URLs as people have them: SQLAlchemy's (`postgresql+psycopg2://u@h/db`,
//! `mysql+pymysql://...`, `sqlite:///relative.db`, `sqlite:////absolute.db`) and plain ones
//! (`postgres://`, `mysql://`).

use std::fmt;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use serde::Serialize;
use stratum_project::Dialect;

use crate::client_files::Service;
use crate::DbError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Postgres,
    MySql,
    Sqlite,
}

impl Engine {
    pub fn dialect(self) -> Dialect {
        match self {
            Engine::Postgres => Dialect::Postgres,
            Engine::MySql => Dialect::MySql,
            Engine::Sqlite => Dialect::Sqlite,
        }
    }
}

/// TLS for server engines (`sslmode` / `ssl_mode` in the URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    fn parse(v: &str) -> Result<TlsMode, DbError> {
        Ok(match v.to_ascii_lowercase().replace('_', "-").as_str() {
            "disable" | "disabled" | "false" => TlsMode::Disable,
            "allow" | "prefer" | "preferred" => TlsMode::Prefer,
            "require" | "required" | "true" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" | "verify-identity" => TlsMode::VerifyFull,
            other => {
                return Err(DbError::Url(format!(
                    "unknown TLS mode '{other}' (disable, prefer, require, verify-ca, verify-full)"
                )))
            }
        })
    }
}

/// A parsed URL. `Display` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub engine: Engine,
    pub host: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub database: String,
    /// SQLite: the file, or `None` for an in-memory database.
    pub path: Option<PathBuf>,
    pub tls: TlsMode,
    /// PostgreSQL: a Unix socket directory (`?host=/var/run/postgresql`).
    pub socket: Option<String>,
    /// SQLAlchemy's driver, as written after `+` (`postgresql+psycopg2://`): an Alembic
    /// project's own Python connects with it.
    pub driver: Option<String>,
    /// PostgreSQL: a service of `pg_service.conf` (`?service=erp_prod`) whose settings fill what
    /// the URL leaves out.
    pub service: Option<crate::client_files::Service>,
    /// An SSH bastion the database is reached through (`?ssh=user@host:22&ssh_key=PATH`).
    pub ssh: Option<crate::ssh::SshSettings>,
    /// PostgreSQL: one tenant's schema (`?schema=tenant_a`). Its version table lives there and
    /// revisions run with it first on the `search_path`, so unqualified names land in it.
    pub schema: Option<String>,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.engine {
            Engine::Sqlite => match &self.path {
                Some(p) => write!(f, "sqlite file {}", p.display()),
                None => write!(f, "in-memory sqlite"),
            },
            e => {
                let scheme = if e == Engine::Postgres {
                    "postgresql"
                } else {
                    "mysql"
                };
                write!(f, "{scheme}://")?;
                if let Some(u) = &self.user {
                    write!(f, "{u}@")?;
                }
                write!(f, "{}", self.url_host())?;
                if let Some(p) = self.port {
                    write!(f, ":{p}")?;
                }
                write!(f, "/{}", self.database)?;
                if let Some(ssh) = &self.ssh {
                    write!(f, " via {ssh}")?;
                }
                if let Some(s) = &self.schema {
                    write!(f, " (schema {s})")?;
                }
                Ok(())
            }
        }
    }
}

impl DatabaseUrl {
    /// Whether connecting can use a password: a SQLite file has none, so its profile never
    /// asks the keychain (a locked keychain would prompt for nothing).
    pub fn takes_password(&self) -> bool {
        self.engine != Engine::Sqlite
    }

    pub fn parse(raw: &str) -> Result<DatabaseUrl, DbError> {
        let raw = raw.trim();
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| DbError::Url("expected a URL like postgresql://user@host/db, mysql://user@host/db or sqlite:///file.db".into()))?;
        let (base, driver) = match scheme.split_once('+') {
            Some((b, d)) => (
                b.to_ascii_lowercase(),
                Some(d.to_string()).filter(|d| !d.is_empty()),
            ),
            None => (scheme.to_ascii_lowercase(), None),
        };
        let engine = match base.as_str() {
            "postgresql" | "postgres" | "pgsql" => Engine::Postgres,
            "mysql" | "mariadb" => Engine::MySql,
            "sqlite" => Engine::Sqlite,
            other => return Err(DbError::Url(format!("unsupported database '{other}' (PostgreSQL, MySQL/MariaDB and SQLite are supported)"))),
        };
        if engine == Engine::Sqlite {
            return Ok(DatabaseUrl {
                driver,
                ..Self::sqlite(rest)
            });
        }
        let parsed = ::url::Url::parse(&format!("stratum://{rest}"))
            .map_err(|e| DbError::Url(format!("{e} in the host or port part")))?;
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let user = Some(decode(parsed.username())).filter(|u| !u.is_empty());
        let password = parsed.password().map(decode);
        let database = decode(parsed.path().trim_start_matches('/'));
        let mut tls = TlsMode::Prefer;
        let mut tls_given = false;
        let mut socket = None;
        let mut schema = None;
        let mut service = None;
        let (mut ssh, mut ssh_key) = (None, None);
        let mut host = parsed
            .host_str()
            .unwrap_or("")
            .trim_matches(['[', ']'])
            .to_string();
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "sslmode" | "ssl_mode" | "ssl-mode" | "ssl" => {
                    tls = TlsMode::parse(&v)?;
                    tls_given = true;
                }
                "host" if v.starts_with('/') => socket = Some(v.into_owned()),
                "host" => host = query_host(&v)?,
                "schema" if engine != Engine::Postgres => {
                    return Err(DbError::Url(
                        "?schema= names a PostgreSQL schema; on MySQL each database is a schema of its own, so name it as the database".into(),
                    ))
                }
                "schema" => schema = Some(v.trim().to_string()).filter(|s| !s.is_empty()),
                "ssh" => ssh = Some(v.into_owned()),
                "ssh_key" => ssh_key = Some(v.into_owned()),
                "service" if engine == Engine::Postgres => {
                    service = Some(crate::client_files::service(v.trim()).map_err(DbError::Url)?)
                }
                _ => {}
            }
        }
        let (mut port, mut database, mut user, mut password) =
            (parsed.port(), database, user, password);
        if let Some(s) = &service {
            // What the URL writes wins; the service fills the rest, as libpq does.
            if host.is_empty() && socket.is_none() {
                match s.host.clone() {
                    Some(h) if h.starts_with('/') => socket = Some(h),
                    Some(h) => host = h,
                    None => {}
                }
            }
            port = port.or(s.port);
            if database.is_empty() {
                database = s.database.clone().unwrap_or_default();
            }
            user = user.or_else(|| s.user.clone());
            password = password.or_else(|| s.password.clone());
            if let (false, Some(mode)) = (tls_given, &s.sslmode) {
                tls = TlsMode::parse(mode)?;
                tls_given = true;
            }
        }
        if host.is_empty() {
            host = "localhost".into();
        }
        // On this machine's own loopback TLS protects nothing, and with sqlx 0.9.0 (which does
        // not set TCP_NODELAY) its handshake stalls ~80 ms on delayed ACKs; a TLS mode written in
        // the URL is always honoured.
        if !tls_given && (socket.is_some() || is_loopback(&host)) {
            tls = TlsMode::Disable;
        }
        Ok(DatabaseUrl {
            engine,
            host,
            port,
            user,
            password,
            database,
            path: None,
            tls,
            socket,
            driver,
            service,
            ssh: ssh
                .map(|s| crate::ssh::SshSettings::parse(&s, ssh_key.as_deref()))
                .transpose()
                .map_err(DbError::Url)?,
            schema,
        })
    }

    fn sqlite(rest: &str) -> DatabaseUrl {
        // SQLAlchemy: sqlite:///relative.db, sqlite:////absolute.db, sqlite:// = in memory.
        // Whitespace at the end is dropped as `parse` drops it where there is no query.
        let no_query = rest.split('?').next().unwrap_or("").trim_end();
        let file = no_query.strip_prefix('/').unwrap_or(no_query);
        let path = match file {
            "" | ":memory:" => None,
            f => Some(PathBuf::from(f)),
        };
        DatabaseUrl {
            engine: Engine::Sqlite,
            host: String::new(),
            port: None,
            user: None,
            password: None,
            database: path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| ":memory:".into()),
            path,
            tls: TlsMode::Disable,
            socket: None,
            driver: None,
            service: None,
            ssh: None,
            schema: None,
        }
    }

    /// The URL to keep on disk: everything but the password (which belongs in the keychain).
    pub fn without_password(&self) -> String {
        self.render(None, true)
    }

    /// The URL in SQLAlchemy's form, for an Alembic project's own Python: the driver written
    /// in the profile, else `fallback_driver` (the one in the project's alembic.ini), else
    /// SQLAlchemy's default. With the password: it is handed over in an environment variable
    /// only, never written anywhere.
    pub fn sqlalchemy(&self, fallback_driver: Option<&str>) -> String {
        let driver = self.driver.as_deref().or(fallback_driver);
        let with = DatabaseUrl {
            driver: driver.map(str::to_string),
            ..self.clone()
        };
        with.render(self.password.as_deref(), false)
    }

    fn render(&self, password: Option<&str>, stratum_options: bool) -> String {
        let driver = self
            .driver
            .as_deref()
            .map(|d| format!("+{d}"))
            .unwrap_or_default();
        match self.engine {
            Engine::Sqlite => match &self.path {
                // An absolute path starts with '/', which makes SQLAlchemy's four slashes.
                Some(p) => format!("sqlite{driver}:///{}", p.display()),
                None => format!("sqlite{driver}://"),
            },
            e => {
                let scheme = if e == Engine::Postgres {
                    format!("postgresql{driver}")
                } else {
                    format!("mysql{driver}")
                };
                let enc = |s: &str| percent_encoding::utf8_percent_encode(s, COMPONENT).to_string();
                // The stored form of a service's URL keeps what the URL itself said: the rest
                // is read from the service file again at each use.
                let svc = self.service.as_ref().filter(|_| stratum_options);
                let from_svc = |mine: Option<&str>, pick: fn(&Service) -> Option<&str>| {
                    svc.is_some_and(|s| pick(s).is_some() && pick(s) == mine)
                };
                let own_user = !from_svc(self.user.as_deref(), |s| s.user.as_deref());
                let user = match (self.user.as_deref().filter(|_| own_user), password) {
                    (Some(u), Some(p)) => format!("{}:{}@", enc(u), enc(p)),
                    (Some(u), None) => format!("{}@", enc(u)),
                    (None, _) => String::new(),
                };
                let own_port = !svc.is_some_and(|s| s.port.is_some() && s.port == self.port);
                let port = self
                    .port
                    .filter(|_| own_port)
                    .map(|p| format!(":{p}"))
                    .unwrap_or_default();
                let socket_or_host = self.socket.as_deref().unwrap_or(&self.host);
                // A URL cannot give a port without a host.
                let host_from_svc =
                    port.is_empty() && from_svc(Some(socket_or_host), |s| s.host.as_deref());
                let host = if host_from_svc {
                    String::new()
                } else {
                    self.url_host()
                };
                let mut query = Vec::new();
                if let Some(svc) = svc {
                    query.push(format!("service={}", enc(&svc.name)));
                }
                if let (Some(sock), false) = (&self.socket, host_from_svc) {
                    query.push(format!("host={}", enc(sock)));
                }
                let tls = match self.tls {
                    TlsMode::Disable => "disable",
                    TlsMode::Prefer => "prefer",
                    TlsMode::Require => "require",
                    TlsMode::VerifyCa => "verify-ca",
                    TlsMode::VerifyFull => "verify-full",
                };
                let own_tls = !svc.is_some_and(|s| {
                    s.sslmode.as_deref().and_then(|m| TlsMode::parse(m).ok()) == Some(self.tls)
                });
                // libpq (psycopg) reads sslmode; MySQL's Python drivers take no such option.
                if own_tls && (stratum_options || e == Engine::Postgres) {
                    query.push(format!("sslmode={tls}"));
                }
                if let (Some(ssh), true) = (&self.ssh, stratum_options) {
                    query.push(format!("ssh={}", enc(&ssh.spec())));
                    if let Some(key) = &ssh.key {
                        query.push(format!("ssh_key={}", enc(&key.display().to_string())));
                    }
                }
                if let Some(schema) = &self.schema {
                    if stratum_options {
                        query.push(format!("schema={}", enc(schema)));
                    } else {
                        // libpq's startup options, which psycopg passes through.
                        query.push(format!("options={}", enc(&self.search_path_option())));
                    }
                }
                let query = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{}", query.join("&"))
                };
                let database = if from_svc(Some(&self.database), |s| s.database.as_deref()) {
                    String::new()
                } else {
                    enc(&self.database)
                };
                format!("{scheme}://{user}{host}{port}/{database}{query}")
            }
        }
    }

    /// `search_path` with the tenant's schema first, as a libpq `options` value (`-c ...`):
    /// spaces and backslashes escaped as libpq reads them.
    pub fn search_path_option(&self) -> String {
        let path = self.search_path().unwrap_or_default();
        format!(
            "-csearch_path={}",
            path.replace('\\', "\\\\").replace(' ', "\\ ")
        )
    }

    /// The `search_path` a tenant's schema sets: the schema, then `public` for what the
    /// database shares (extensions, functions).
    pub fn search_path(&self) -> Option<String> {
        self.schema.as_ref().map(|s| {
            format!(
                "{}, public",
                crate::ident::quote(stratum_project::Dialect::Postgres, s)
            )
        })
    }

    /// The host as a URL writes it: an IPv6 address in brackets, which `host` has not.
    fn url_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.engine.dialect()
    }

    pub fn default_port(&self) -> u16 {
        match self.engine {
            Engine::Postgres => 5432,
            Engine::MySql => 3306,
            Engine::Sqlite => 0,
        }
    }
}

/// What a URL part escapes: everything but letters, digits and RFC 3986's unreserved marks, so
/// `erp_acme` reads as written.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A host given as `?host=` (libpq's parameter; an IPv6 address has no brackets there), as the
/// URL's own host part would hold it, so that the stored form, which writes it there, reads back.
fn query_host(v: &str) -> Result<String, DbError> {
    if v.is_empty() {
        return Ok(String::new());
    }
    let written = if v.contains(':') {
        format!("[{v}]")
    } else {
        v.to_string()
    };
    ::url::Host::parse_opaque(&written)
        .map(|h| h.to_string().trim_matches(['[', ']']).to_string())
        .map_err(|e| DbError::Url(format!("{e} in ?host={v}")))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_server_takes_a_password_so_only_its_profile_asks_the_keychain() {
        let takes = |url: &str| DatabaseUrl::parse(url).map(|u| u.takes_password());
        assert_eq!(takes("sqlite:///srv/app/demo.db").ok(), Some(false));
        assert_eq!(takes("postgresql://erp@db.example/erp").ok(), Some(true));
        assert_eq!(takes("mysql://root@127.0.0.1:3306/erp").ok(), Some(true));
    }

    #[test]
    fn sqlalchemy_urls_are_understood() {
        let u = DatabaseUrl::parse(
            "postgresql+psycopg2://scott:t%40ger@db.example:6543/erp?sslmode=require",
        )
        .expect("valid");
        assert_eq!(u.engine, Engine::Postgres);
        assert_eq!(
            (u.host.as_str(), u.port, u.database.as_str()),
            ("db.example", Some(6543), "erp")
        );
        assert_eq!(u.password.as_deref(), Some("t@ger"));
        assert_eq!(u.tls, TlsMode::Require);
        let u = DatabaseUrl::parse("mysql+pymysql://root@127.0.0.1/shop").expect("valid");
        assert_eq!((u.engine, u.user.as_deref()), (Engine::MySql, Some("root")));
        let u = DatabaseUrl::parse("sqlite:///relative.db").expect("valid");
        assert_eq!(u.path, Some(PathBuf::from("relative.db")));
        let u = DatabaseUrl::parse("sqlite:////var/data/app.db").expect("valid");
        assert_eq!(u.path, Some(PathBuf::from("/var/data/app.db")));
        assert_eq!(DatabaseUrl::parse("sqlite://").expect("valid").path, None);
    }

    #[test]
    fn tls_is_preferred_except_on_loopback_unless_the_url_says_so() {
        let tls = |u: &str| DatabaseUrl::parse(u).map(|u| u.tls).ok();
        assert_eq!(tls("postgresql://u@db.example/x"), Some(TlsMode::Prefer));
        assert_eq!(tls("postgresql://u@127.0.0.1/x"), Some(TlsMode::Disable));
        assert_eq!(
            tls("postgresql://u@localhost/x?sslmode=require"),
            Some(TlsMode::Require)
        );
    }

    #[test]
    fn the_stored_form_keeps_everything_but_the_password() {
        let u = DatabaseUrl::parse("postgresql+psycopg2://me:p%40ss@db.example:6543/erp")
            .expect("valid");
        let kept = u.without_password();
        assert!(!kept.contains("p%40ss") && !kept.contains("p@ss"), "{kept}");
        let back = DatabaseUrl::parse(&kept).expect("valid");
        assert_eq!(
            (back.host, back.port, back.database, back.user, back.tls),
            (u.host, u.port, u.database, u.user, u.tls)
        );
        let lite = DatabaseUrl::parse("sqlite:////var/app.db").expect("valid");
        assert_eq!(
            DatabaseUrl::parse(&lite.without_password())
                .expect("valid")
                .path,
            lite.path
        );
    }

    #[test]
    fn an_alembic_project_gets_its_sqlalchemy_url_with_the_driver_and_password() {
        let mut u = DatabaseUrl::parse("postgresql://me@db.example/erp").expect("valid");
        u.password = Some("p@ss".into());
        assert_eq!(
            u.sqlalchemy(Some("psycopg2")),
            "postgresql+psycopg2://me:p%40ss@db.example/erp?sslmode=prefer"
        );
        let u = DatabaseUrl::parse("mysql+pymysql://root@127.0.0.1:3306/shop").expect("valid");
        assert_eq!(
            u.sqlalchemy(Some("mysqldb")),
            "mysql+pymysql://root@127.0.0.1:3306/shop"
        );
        assert!(
            u.without_password().starts_with("mysql+pymysql://"),
            "the driver is kept"
        );
        let lite = DatabaseUrl::parse("sqlite:////var/app.db").expect("valid");
        assert_eq!(lite.sqlalchemy(None), "sqlite:////var/app.db");
    }

    #[test]
    fn a_tenants_schema_is_kept_and_given_to_alembic_as_its_search_path() {
        let u =
            DatabaseUrl::parse("postgresql://me@db.example/erp?schema=Tenant%20A").expect("valid");
        assert_eq!(u.schema.as_deref(), Some("Tenant A"));
        assert_eq!(
            u.to_string(),
            "postgresql://me@db.example/erp (schema Tenant A)"
        );
        let kept = u.without_password();
        assert_eq!(
            DatabaseUrl::parse(&kept)
                .expect("reads back")
                .schema
                .as_deref(),
            Some("Tenant A")
        );
        assert_eq!(u.search_path().as_deref(), Some("\"Tenant A\", public"));
        assert!(
            u.sqlalchemy(Some("psycopg2"))
                .ends_with("&options=-csearch_path%3D%22Tenant%5C%20A%22%2C%5C%20public"),
            "{}",
            u.sqlalchemy(Some("psycopg2"))
        );
        let said = DatabaseUrl::parse("mysql://root@h/shop?schema=x")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(said.contains("PostgreSQL schema"), "{said}");
    }

    #[test]
    fn an_ipv6_host_is_stored_in_brackets_and_reads_back() {
        let u = DatabaseUrl::parse("postgresql://u@[::1]:5432/x").expect("valid");
        assert_eq!(u.host, "::1");
        let kept = u.without_password();
        assert_eq!(kept, "postgresql://u@[::1]:5432/x?sslmode=disable");
        let back = DatabaseUrl::parse(&kept).expect("the stored form reads back");
        assert_eq!((back.host.as_str(), back.port), ("::1", Some(5432)));
        assert_eq!(u.to_string(), "postgresql://u@[::1]:5432/x");
    }

    #[test]
    fn a_host_given_as_a_parameter_must_be_a_host_and_reads_back() {
        let u = DatabaseUrl::parse("postgresql://u@h/db?host=::1").expect("valid");
        assert_eq!(u.host, "::1");
        let back = DatabaseUrl::parse(&u.without_password()).expect("the stored form reads back");
        assert_eq!(back.host, "::1");
        let e = DatabaseUrl::parse("postgresql:///%2e?host=resql:///%2e?host=/va")
            .expect_err("not a host");
        assert!(e.to_string().contains("?host=resql:///"), "{e}");
        let e = DatabaseUrl::parse("postgresql://h/db?host=a%20b").expect_err("not a host");
        assert!(e.to_string().contains("?host=a b"), "{e}");
    }

    #[test]
    fn a_sqlite_file_name_ends_before_whitespace_with_a_query_or_without() {
        for raw in ["sqlite:///app.db\u{c} ", "sqlite:///app.db\u{c} ?mode=ro"] {
            let u = DatabaseUrl::parse(raw).expect("valid");
            assert_eq!(u.path, Some(PathBuf::from("app.db")), "{raw:?}");
            let back = DatabaseUrl::parse(&u.without_password()).expect("valid");
            assert_eq!(back.path, u.path, "{raw:?}");
        }
    }

    #[test]
    fn the_password_never_shows() {
        let u = DatabaseUrl::parse("postgres://me:secret@h/db").expect("valid");
        assert!(!format!("{u} {u:?}").contains("secret"));
    }

    #[test]
    fn unknown_engines_are_refused_by_name() {
        let e = DatabaseUrl::parse("oracle://x/y").expect_err("unsupported");
        assert!(e.to_string().contains("oracle"));
    }
}
