//! What is done to a profile's database, the same for one profile (the window's guided flow, a
//! CLI run) and for many (a consultant's fleet): the profile resolved into its project, URL and
//! runner ([`Target`]); backups into the catalogue; runs with the backup policy and the safety
//! checks enforced and their outcome audited; the status of every profile at once; batch
//! upgrades with a report.

mod backup;
mod batch;
mod drift;
mod error;
pub mod findings;
mod operate;
mod report;
mod select;
mod status;
mod target;
mod who;

pub use backup::{audit_plain, backups_dir, remove_files, take};
pub use batch::{run_batch, BatchEvent, BatchOptions, BatchReport, Fleet, Phase, Tell};
pub use drift::check_drift;
pub use error::FleetError;
pub use operate::{
    check, current_plan, describe, run_checked, run_prechecked, Ran, CONNECT_TIMEOUT,
};
pub use report::{to_csv, to_html};
pub use select::Selection;
pub use status::{status, FleetStatus, LastOperation, Stamped, State, StatusOptions};
pub use target::{alembic_of, open_project, runner, settings, with_sql, Target};
pub use who::whoami;
