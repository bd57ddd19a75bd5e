//! One operation on one profile's database, done the same way whether the window's guided
//! flow, a CLI run or a batch over a consultant's fleet asks for it: the profile resolved into
//! its project, URL and runner ([`Target`]); backups into the catalogue; the safety checks'
//! findings; runs with the backup policy and blocking findings enforced and every outcome
//! audited. [`fleet`] does the same over many profiles at once.

mod backup;
mod checkup;
mod draft;
mod error;
pub mod files;
pub mod findings;
pub mod fleet;
mod gate;
pub mod logging;
mod new_profile;
pub mod profile_file;
mod rehearsal;
mod run;
mod target;
mod who;

pub use backup::{audit_plain, backups_dir, remove_files, take};
pub use checkup::{
    checkup, checkup_profile, rehearsed, Checkup, CheckupItem, Evidence, Rehearsed, Verdict,
};
pub use draft::{draft_from_alembic_ini, ProfileDraft};
pub use error::OperationError;
pub use gate::{release_gate, GateAnswers, GateItem, GateRun, MaintenanceWindow, ReleaseGate};
pub use logging::connect;
pub use new_profile::{checked_profile, ENVIRONMENTS};
pub use rehearsal::{
    keep_rehearsal, rehearse, rehearsed_files, HearStep, Problem, Rehearsal, RehearsalOptions,
    RehearsedStep, Start, StepResult,
};
pub use run::{
    check, current_plan, current_rows, describe, run_checked, run_prechecked, Ran, CONNECT_TIMEOUT,
};
pub use target::{alembic_of, open_project, runner, settings, with_sql, Target};
pub use who::whoami;
