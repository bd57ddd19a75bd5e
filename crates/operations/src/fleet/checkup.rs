//! Check-ups over many databases, a bounded number at a time (each builds a scratch database
//! for its drift item), every result kept for the fleet view's check-up column.

use std::sync::Arc;

use stratum_store::{CheckupRecord, Profile, Store};

use super::{each_bounded, Fleet};
use crate::{checkup_profile, Target};

/// Checks up on each profile; `each` hears every result as it is known. A database that cannot
/// be checked up on (unreachable, say) is a failed check-up saying why.
pub async fn checkup_many(
    fleet: &Fleet<'_>,
    profiles: Vec<Profile>,
    concurrency: usize,
    each: Arc<dyn Fn(&CheckupRecord) + Send + Sync>,
) -> Vec<CheckupRecord> {
    each_bounded(&profiles, concurrency, |p| async {
        let checked = async {
            let mut target = Target::open(p.clone(), fleet.secrets)?;
            checkup_profile(fleet.store, &mut target, fleet.renders).await
        }
        .await;
        let record = match checked {
            Ok(c) => c.record(p.id),
            Err(e) => {
                let r = CheckupRecord {
                    profile_id: p.id,
                    at: Store::now(),
                    verdict: "failed".into(),
                    failed: 1,
                    warnings: 0,
                    summary: format!("the check-up could not run: {e}"),
                };
                // Kept so the fleet view does not show an older, better result.
                let _ = fleet.store.record_checkup(&r).await;
                r
            }
        };
        each(&record);
        record
    })
    .await
}
