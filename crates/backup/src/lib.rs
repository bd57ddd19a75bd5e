//! Backups before changes, and restores when a change went wrong: the engines' own tools
//! (`pg_dump -Fc`/`pg_restore`, `mysqldump`/`mysql`) and SQLite's `VACUUM INTO`, each backup
//! with a manifest (rows at backup, size, SHA-256, tool version) that verification checks.

mod dump;
mod error;
mod manifest;
pub mod places;
mod rehearse;
mod restore;
mod tools;
mod verify;

pub use dump::{backup, backup_path, engine_name, extension};
pub use error::BackupError;
pub use manifest::{checksum, Manifest};
pub use rehearse::{dry_run, scratch_copy, DryRun, Method};
pub use restore::{restore, RestoreTarget, Restored};
pub use tools::{Tool, Tools};
pub use verify::{verify, Verified};
