//! Alembic projects run through their own Alembic. Stratum reads and plans Alembic projects
//! itself (`stratum-project`, `stratum-graph`); what needs the revisions' Python goes through
//! the project's Alembic, driven by a small script (`driver.py`) in the project's own Python:
//! runs (with progress per revision, cancel, and failures in Stratum's terms), the revisions'
//! SQL in Alembic's offline mode (for previews, safety checks and conversion), and new
//! revisions and merges written from the project's own template.
//!
//! The profile's URL is handed over in the environment and replaces the ini's
//! `sqlalchemy.url` in memory only: the team's files are never edited.

mod convert;
mod error;
mod journal;
mod process;
mod python;
mod render;
mod runner;
mod write;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use stratum_db::{CancelToken, DatabaseUrl};
use stratum_project::{Dialect, Project};

pub use convert::{convert, Converted};
pub use error::{AlembicError, Location, RenderFailure};
pub use python::{find_python, Python};
pub use render::{RenderCache, Rendered, RENDERED};
pub use runner::AlembicRunner;
pub use write::{NewAlembicRevision, Written};

use process::{Driver, Line};

/// A project's own Alembic: its ini and the Python that runs it.
#[derive(Debug, Clone)]
pub struct Alembic {
    pub python: PathBuf,
    /// The SQLAlchemy drivers that Python can import.
    pub drivers: Vec<String>,
    pub ini: PathBuf,
    /// Where its Python imports from (see [`Python::import_path`]).
    import_path: Vec<PathBuf>,
    /// The SQLAlchemy driver the ini's own URL names (`psycopg2` in `postgresql+psycopg2://`),
    /// used when the profile's URL names none.
    ini_driver: Option<(stratum_db::Engine, String)>,
}

impl Alembic {
    /// The Alembic of an Alembic project; `python` is the profile's choice, if any.
    pub fn for_project(project: &Project, python: Option<&Path>) -> Result<Alembic, AlembicError> {
        let ini = project
            .alembic()
            .ok_or_else(|| AlembicError::NotAlembic(project.dir.clone()))?;
        let found = find_python(&project.dir, python)?;
        let ini_driver = ini
            .url
            .as_deref()
            .and_then(|u| DatabaseUrl::parse(u).ok())
            .and_then(|u| Some((u.engine, u.driver?)));
        Ok(Alembic {
            python: found.path,
            drivers: found.drivers,
            import_path: found.import_path,
            // The driver runs in the ini's folder, as Alembic is run there.
            ini: std::path::absolute(&ini.path).unwrap_or_else(|_| ini.path.clone()),
            ini_driver,
        })
    }

    /// `url` as the project's Python connects to it (with the password): with the driver the
    /// profile names, else the one the ini names, else the first its Python has.
    pub fn sqlalchemy_url(&self, url: &DatabaseUrl) -> String {
        let fallback = self
            .ini_driver
            .as_ref()
            .filter(|(engine, _)| *engine == url.engine)
            .map(|(_, d)| d.as_str())
            .or_else(|| self.installed_driver(url.engine));
        // MySQL's Python drivers read no option file: the password found there is handed over.
        let mut url = url.clone();
        if url.password.is_none() {
            url.password = stratum_db::client_files::password_for(&url);
        }
        url.sqlalchemy(fallback)
    }

    /// SQLAlchemy's name of the first driver for `engine` that the project's Python has.
    fn installed_driver(&self, engine: stratum_db::Engine) -> Option<&'static str> {
        let known: &[(&str, &'static str)] = match engine {
            stratum_db::Engine::Postgres => &[
                ("psycopg", "psycopg"),
                ("psycopg2", "psycopg2"),
                ("pg8000", "pg8000"),
            ],
            stratum_db::Engine::MySql => &[
                ("MySQLdb", "mysqldb"),
                ("pymysql", "pymysql"),
                ("mysql.connector", "mysqlconnector"),
            ],
            stratum_db::Engine::Sqlite => &[],
        };
        known
            .iter()
            .find(|(module, _)| self.drivers.iter().any(|d| d == module))
            .map(|(_, name)| *name)
    }

    /// A URL for offline mode, which only needs the dialect: the profile's without its
    /// password, or a bare one for the dialect.
    pub fn offline_url(&self, url: Option<&DatabaseUrl>, dialect: Dialect) -> String {
        match url {
            Some(u) => self.sqlalchemy_url(&DatabaseUrl {
                password: None,
                ..u.clone()
            }),
            None => {
                let scheme = match dialect {
                    Dialect::Postgres => "postgresql",
                    Dialect::MySql => "mysql",
                    Dialect::Sqlite => "sqlite",
                };
                let driver = self
                    .ini_driver
                    .as_ref()
                    .filter(|(e, _)| e.dialect() == dialect)
                    .map(|(_, d)| format!("+{d}"))
                    .unwrap_or_default();
                format!("{scheme}{driver}://")
            }
        }
    }

    fn driver<'a>(&'a self, url: Option<&'a str>, cancel: Option<&'a CancelToken>) -> Driver<'a> {
        Driver {
            python: &self.python,
            ini: &self.ini,
            url,
            cancel,
        }
    }

    /// Any `alembic.command` function (`upgrade`, `downgrade`, `stamp`, `current`, `history`,
    /// ...) with `args`, and `--sql` when `sql`; each line of Alembic's output goes to `line`
    /// (`true` for stdout). Returns stdout: with `--sql`, the SQL itself.
    pub async fn command(
        &self,
        name: &str,
        args: &[Value],
        sql: bool,
        url: Option<&str>,
        mut line: impl FnMut(&str, bool),
    ) -> Result<String, AlembicError> {
        let kwargs = if sql {
            json!({ "sql": true })
        } else {
            json!({})
        };
        let request = json!({
            "op": "command", "ini": self.ini, "name": name, "args": args, "kwargs": kwargs,
        });
        let done = self
            .driver(url, None)
            .run(name, &request, |l| {
                if let Line::Output { text, stdout } = l {
                    line(text, stdout)
                }
            })
            .await?;
        Ok(done.stdout)
    }
}
