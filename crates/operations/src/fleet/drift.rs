//! Drift over many databases: each live schema against what its revisions produce at its
//! version rows (built on a scratch database beside it), a bounded number at a time, the
//! result kept per profile for the fleet view.

use std::sync::Arc;

use stratum_store::{DriftCheck, Profile, Store};

use super::{each_bounded, Fleet};
use crate::Target;

/// Checks each profile's drift and keeps the result; `each` hears every one as it is known.
pub async fn check_drift(
    fleet: &Fleet<'_>,
    profiles: Vec<Profile>,
    concurrency: usize,
    each: Arc<dyn Fn(&DriftCheck) + Send + Sync>,
) -> Vec<DriftCheck> {
    each_bounded(&profiles, concurrency, |p| async {
        let (differences, summary) = match one(fleet, p).await {
            Ok(d) if d.differences.is_empty() => (0, "no drift".to_string()),
            Ok(d) => (
                i64::try_from(d.differences.len()).unwrap_or(i64::MAX),
                d.differences
                    .iter()
                    .take(5)
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Err(e) => (-1, e),
        };
        let check = DriftCheck {
            profile_id: p.id,
            at: Store::now(),
            differences,
            summary,
        };
        // A drift result that cannot be kept is still shown.
        let _ = fleet.store.record_drift(&check).await;
        each(&check);
        check
    })
    .await
}

async fn one(fleet: &Fleet<'_>, p: &Profile) -> Result<stratum_schema::Drift, String> {
    let target = Target::open(p.clone(), fleet.secrets).map_err(|e| e.to_string())?;
    let runner = target.runner().map_err(|e| e.to_string())?;
    stratum_schema::drift(&target.url, &target.project, runner.as_ref())
        .await
        .map_err(|e| e.to_string())
}
