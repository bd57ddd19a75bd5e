//! The same operations over many profiles at once: where every database stands, batch
//! upgrades and downgrades with their report, drift checks and check-ups, each a bounded number at a time.

mod batch;
mod checkup;
mod drift;
mod report;
mod select;
mod status;

use std::path::Path;

use stratum_alembic::RenderCache;
use stratum_store::{Secrets, Store};

pub use batch::{run_batch, BatchEvent, BatchOptions, BatchReport, Phase, Tell};
pub use checkup::checkup_many;
pub use drift::check_drift;
pub use report::{to_csv, to_html};
pub use select::Selection;
pub use status::{status, FleetStatus, LastOperation, Stamped, State, StatusOptions};

/// What work over many profiles needs from its caller: the app's store, the keychain, the data
/// folder backups go under, and the Alembic renders shared between databases of one project.
pub struct Fleet<'a> {
    pub store: &'a Store,
    pub secrets: &'a Secrets,
    pub data_dir: &'a Path,
    pub renders: &'a RenderCache,
}
