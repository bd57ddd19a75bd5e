use std::time::Duration;

use stratum_graph::GraphError;
use stratum_project::ProjectError;
use thiserror::Error;

/// The part of a connection's settings a failed connection points at, so a form can say which
/// field to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConnectField {
    Host,
    Port,
    Database,
    User,
    Password,
    Tls,
    Schema,
    /// SQLite's database file.
    File,
    /// The SSH bastion the database is reached through.
    Ssh,
}

/// Where a run stopped and what state it left behind.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunFailure {
    /// The revision whose step failed.
    pub revision: String,
    pub file: Option<String>,
    /// 1-based file line of the failing statement, when it was a statement.
    pub line: Option<usize>,
    pub statement: Option<String>,
    /// How many statements of that revision had completed before the failure.
    pub statements_done: usize,
    pub message: String,
    /// True when everything this run did was rolled back: the database is as it was.
    pub rolled_back: bool,
    /// Revisions whose changes stay committed.
    pub committed: Vec<String>,
    /// The version rows as the database has them now.
    pub rows_now: Vec<String>,
    /// Stratum's journal on the database keeps which statements ran, so the revision can be
    /// resumed once the cause is fixed.
    pub resumable: bool,
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "revision {} failed", self.revision)?;
        if let (Some(file), Some(line)) = (&self.file, self.line) {
            write!(f, " at {file}:{line}")?;
        }
        write!(f, ": {}", self.message)?;
        if self.rolled_back {
            write!(f, "; the run was rolled back and the database is unchanged")?;
        } else {
            if !self.committed.is_empty() {
                write!(
                    f,
                    "; these revisions stay applied: {}",
                    self.committed.join(", ")
                )?;
            }
            if self.statements_done > 0 {
                write!(
                    f,
                    "; {} statement(s) of {} had already run and could not be rolled back (they commit as they run)",
                    self.statements_done, self.revision
                )?;
            }
            write!(f, "; version rows now: [{}]", self.rows_now.join(", "))?;
            if self.resumable {
                write!(
                    f,
                    "; Stratum's journal on the database records which statements ran: once the cause is fixed, resume finishes {}",
                    self.revision
                )?;
            }
        }
        Ok(())
    }
}

/// Errors of the database layer, each with what the user can do about it.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("invalid database URL: {0}")]
    Url(String),
    #[error("cannot connect to {target}: {reason}")]
    Connect {
        target: String,
        reason: String,
        field: Option<ConnectField>,
    },
    #[error("cannot reach the database through the SSH bastion {bastion}: {reason}")]
    Ssh { bastion: String, reason: String },
    #[error("the SSH bastion {bastion} is not known yet: its host key's fingerprint is {fingerprint}. Compare it with the one the bastion's administrator gives you; if they are the same, trust it (the profile form's \"Trust this key\", or `stratum ssh-trust URL {fingerprint}`)")]
    SshUnknownHost {
        bastion: String,
        fingerprint: String,
    },
    #[error("the host key of the SSH bastion {bastion} has CHANGED since it was trusted ({file}, line {line}; it now offers {fingerprint}): someone may be in between, so nothing was sent. If the bastion was reinstalled, its administrator can confirm the new key; then remove that line and trust it again")]
    SshHostKeyChanged {
        bastion: String,
        fingerprint: String,
        file: String,
        line: usize,
    },
    #[error("could not reach {target} within {} seconds; check the host, the port and any firewall", .after.as_secs())]
    ConnectTimeout { target: String, after: Duration },
    #[error("another run holds the migration lock on {target} ({holder}); waited {} seconds", .after.as_secs())]
    LockTimeout {
        target: String,
        after: Duration,
        holder: String,
    },
    /// A revision an earlier run left half-done: nothing runs until it is finished.
    #[error("{0}")]
    Interrupted(Box<crate::Interruption>),
    #[error("{0}")]
    ResumeMismatch(String),
    #[error("{context}: {message}")]
    Query { context: String, message: String },
    #[error(transparent)]
    Plan(#[from] GraphError),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error("{0}")]
    Failed(Box<RunFailure>),
    #[error("the project has no file for revision '{0}'")]
    MissingFile(String),
    #[error("a dry run inside a transaction is not possible here: {0}; rehearse on a scratch copy instead")]
    DryRunImpossible(String),
    #[error("{0} is an Alembic project: its Python revisions run through its own Alembic, not through Stratum's SQL runner")]
    RunsThroughAlembic(String),
    /// A tool that runs a project's revisions (its own Alembic) could not do it.
    #[error("{0}")]
    Tool(String),
}

impl DbError {
    /// The connection setting a failure to connect points at.
    pub fn connect_field(&self) -> Option<ConnectField> {
        match self {
            DbError::Connect { field, .. } => *field,
            DbError::ConnectTimeout { .. } => Some(ConnectField::Host),
            DbError::Ssh { .. }
            | DbError::SshUnknownHost { .. }
            | DbError::SshHostKeyChanged { .. } => Some(ConnectField::Ssh),
            _ => None,
        }
    }

    pub fn query(context: impl Into<String>, e: sqlx::Error) -> DbError {
        DbError::Query {
            context: context.into(),
            message: db_message(&e),
        }
    }
}

/// The database's own message, without sqlx's wrapping.
pub fn db_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => match d.code() {
            Some(code) => format!("{} ({})", d.message(), code),
            None => d.message().to_string(),
        },
        // The connection dropped under the statement: say so before the driver's words.
        sqlx::Error::Io(_) => format!("the connection to the server was lost ({e})"),
        sqlx::Error::Protocol(p) if p.contains("expected to read") || p.contains("EOF") => {
            format!("the connection to the server was lost: the server closed it ({p})")
        }
        other => other.to_string(),
    }
}
