//! Migration project folders: Stratum's own (`stratum.toml`, native SQL revision files) and
//! Alembic's (`alembic.ini`, Python revision files read without running Python), and the
//! statement splitter that turns a revision body into the statements a driver runs.

mod alembic_ini;
mod alembic_project;
mod config;
mod dialect;
mod error;
mod header;
mod init;
mod project;
mod pyproject;
mod python_revision;
mod revision_file;
pub mod split;
mod writer;

pub use alembic_ini::AlembicIni;
pub use alembic_project::{AlembicSettings, SuppliedValue};
pub use config::{
    BackupSection, ChecksSection, Config, ProjectSection, RunSection, VersionTableSection,
    CONFIG_FILE,
};
pub use dialect::Dialect;
pub use error::ProjectError;
pub use init::init_project;
pub use project::{Format, Project, ALEMBIC_INI};
pub use pyproject::PYPROJECT;
pub use python_revision::{env_version_table_in, PythonRevision};
pub use revision_file::{Body, RevisionFile, Source};
pub use split::{split, SplitError, Statement};
pub use writer::{new_revision_id, slug, NewRevision};
