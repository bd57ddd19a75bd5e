//! Databases: connecting from a URL, the `alembic_version` table, the runner lock, offline SQL
//! in Alembic's `--sql` shape, and the runner that executes a plan.

pub mod client_files;
mod driver;
mod error;
mod ident;
mod identity;
mod interrupted;
mod journal;
mod offline;
mod runner;
mod scratch;
mod settle;
mod ssh;
pub mod tunnel;
mod url;
mod version_table;

pub use driver::{Connection, ServerInfo};
pub use error::{ConnectField, DbError, RunFailure};
pub use ident::{literal, quote};
pub use identity::identity;
pub use interrupted::{Interruption, JournaledStatement, StatementState};
pub use journal::{digest as journal_digest, Journal, JournalRow, JOURNAL_TABLE};
pub use offline::render_offline;
pub use runner::{
    elapsed_ms, run, CancelToken, Operation, Progress, ProgressFn, Resume, RunOptions, RunReport,
    Runner, SqlRunner,
};
pub use scratch::{create_scratch, drop_scratch, scratch_url};
pub use url::{DatabaseUrl, Engine, TlsMode};
pub use version_table::VersionTable;
