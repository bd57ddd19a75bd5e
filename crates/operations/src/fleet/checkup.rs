//! Check-ups over many databases, a bounded number at a time (each builds a scratch database
//! for its drift item), every result kept for the fleet view's check-up column.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::future::join_all;
use stratum_store::{CheckupRecord, Profile, Store};

use super::Fleet;
use crate::{checkup_profile, Target};

/// Checks up on each profile; `each` hears every result as it is known. A database that cannot
/// be checked up on (unreachable, say) is a failed check-up saying why.
pub async fn checkup_many(
    fleet: &Fleet<'_>,
    profiles: Vec<Profile>,
    concurrency: usize,
    each: Arc<dyn Fn(&CheckupRecord) + Send + Sync>,
) -> Vec<CheckupRecord> {
    let next = AtomicUsize::new(0);
    let worker = || async {
        let mut done = Vec::new();
        while let Some(p) = profiles.get(next.fetch_add(1, Ordering::SeqCst)) {
            let checked = async {
                let mut target = Target::open(p.clone(), fleet.secrets)?;
                checkup_profile(fleet.store, &mut target, fleet.renders).await
            }
            .await;
            let record = match checked {
                Ok(c) => CheckupRecord {
                    profile_id: p.id,
                    at: Store::now(),
                    verdict: c.verdict.word().into(),
                    failed: i64::try_from(c.count(crate::Verdict::Failed)).unwrap_or(0),
                    warnings: i64::try_from(c.count(crate::Verdict::Warning)).unwrap_or(0),
                    summary: c.summary(),
                },
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
            done.push(record);
        }
        done
    };
    let workers: Vec<_> = (0..concurrency.clamp(1, profiles.len().max(1)))
        .map(|_| worker())
        .collect();
    let mut all: Vec<CheckupRecord> = join_all(workers).await.into_iter().flatten().collect();
    let order = |id: i64| profiles.iter().position(|p| p.id == id);
    all.sort_by_key(|c| order(c.profile_id));
    all
}
