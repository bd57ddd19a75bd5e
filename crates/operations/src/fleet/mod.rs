//! The same operations over many profiles at once: where every database stands, batch
//! upgrades and downgrades with their report, drift checks and check-ups, each a bounded number at a time.

mod batch;
mod checkup;
mod discover;
mod drift;
mod report;
mod select;
mod status;

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::future::join_all;

use stratum_alembic::RenderCache;
use stratum_store::{Secrets, Store};

pub use batch::{run_batch, BatchEvent, BatchOptions, BatchReport, Phase, Tell, PENDING};
pub use checkup::checkup_many;
pub use discover::{add_found, discover, AddOptions, Added, DiscoverOptions, Found, Pattern};
pub use drift::check_drift;
pub use report::{to_csv, to_html};
pub use select::Selection;
pub(crate) use status::age;
pub use status::{status, FleetStatus, LastOperation, Stamped, State, StatusOptions};

/// What work over many profiles needs from its caller: the app's store, the keychain, the data
/// folder backups go under, and the Alembic renders shared between databases of one project.
pub struct Fleet<'a> {
    pub store: &'a Store,
    pub secrets: &'a Secrets,
    pub data_dir: &'a Path,
    pub renders: &'a RenderCache,
}

/// `work` on each profile (or other item), `concurrency` at a time (each worker takes the next
/// one as it finishes one), the results in the items' order.
pub(crate) async fn each_bounded<'a, I, T, F, Fut>(
    profiles: &'a [I],
    concurrency: usize,
    work: F,
) -> Vec<T>
where
    F: Fn(&'a I) -> Fut,
    Fut: Future<Output = T>,
{
    let next = AtomicUsize::new(0);
    let worker = || async {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(p) = profiles.get(i) else { break };
            done.push((i, work(p).await));
        }
        done
    };
    let workers: Vec<_> = (0..concurrency.clamp(1, profiles.len().max(1)))
        .map(|_| worker())
        .collect();
    let mut all: Vec<(usize, T)> = join_all(workers).await.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}
