//! The release gate: before a production profile's upgrade or downgrade, the seed's checklist
//! with each item ticked from evidence Stratum holds (the audit log of the same client's
//! development and staging profiles, the kept rehearsals, the plan's findings, the backup, the
//! maintenance window), and the one item only a person can answer (the code review) confirmed
//! with the reviewer's name. An unmet item stops the run unless overridden with a typed reason,
//! which the audit log keeps.

mod window;

pub use window::MaintenanceWindow;

use chrono::{DateTime, Utc};
use serde::Serialize;
use stratum_graph::{Direction, Plan};
use stratum_store::{Profile, Store};

use crate::checkup::{rehearsed, Rehearsed};
use crate::files::{current_checksums, same_files};
use crate::{OperationError, Target};

/// Environments whose runs count as the rehearsal of a production change.
const PROVING_GROUNDS: [&str; 2] = ["development", "staging"];

/// What a person answers at the gate.
#[derive(Debug, Clone, Default)]
pub struct GateAnswers {
    /// Who reviewed the revisions' code ("" when nobody said).
    pub reviewer: String,
    /// Why to run although an item is unmet ("" when not overriding).
    pub override_reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GateItem {
    /// staging, rehearsal, findings, backup, window or review.
    pub key: &'static str,
    pub title: &'static str,
    pub met: bool,
    /// What shows it met, or what is missing.
    pub evidence: String,
    /// What to do when unmet ("" when met).
    pub action: String,
}

/// The gate for one run on one profile.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReleaseGate {
    /// Whether the profile has a gate and the run changes anything.
    pub applies: bool,
    pub items: Vec<GateItem>,
}

impl ReleaseGate {
    pub fn open() -> ReleaseGate {
        ReleaseGate {
            applies: false,
            items: Vec::new(),
        }
    }

    pub fn unmet(&self) -> Vec<&GateItem> {
        self.items.iter().filter(|i| !i.met).collect()
    }

    /// Lets the run through, saying why for the audit log, or refuses it.
    pub fn decide(&self, profile: &str, answers: &GateAnswers) -> Result<String, OperationError> {
        if !self.applies {
            return Ok(String::new());
        }
        let unmet = self.unmet();
        let reviewed = match answers.reviewer.trim() {
            "" => String::new(),
            who => format!("; reviewed by {who}"),
        };
        if unmet.is_empty() {
            return Ok(format!("passed{reviewed}"));
        }
        let missing: Vec<String> = unmet
            .iter()
            .map(|i| format!("{} ({})", i.title, i.evidence))
            .collect();
        match answers.override_reason.trim() {
            "" => Err(OperationError::Gate(format!(
                "the release gate of {profile} is not met: {}. Provide the evidence, or override with a reason (in the app, or `--override-gate REASON`)",
                missing.join("; ")
            ))),
            reason => Ok(format!(
                "overridden by {}: {reason} (unmet: {}){reviewed}",
                crate::whoami(),
                unmet.iter().map(|i| i.key).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// What the gate needs to know of the run besides the store's evidence.
pub struct GateRun<'a> {
    pub plan: &'a Plan,
    /// The plan's unacknowledged blocking findings, one line each.
    pub blocking: &'a [String],
    /// A backup is (or will be, just before the run) taken.
    pub backup_now: bool,
    pub reviewer: &'a str,
    pub now: DateTime<Utc>,
}

fn item(
    key: &'static str,
    title: &'static str,
    met: bool,
    evidence: String,
    action: &str,
) -> GateItem {
    GateItem {
        key,
        title,
        met,
        evidence,
        action: if met { String::new() } else { action.into() },
    }
}

/// The release gate of a run on the target's profile.
pub async fn release_gate(
    store: &Store,
    target: &Target,
    run: &GateRun<'_>,
) -> Result<ReleaseGate, OperationError> {
    let profile = &target.profile;
    let changing: Vec<String> = run
        .plan
        .steps
        .iter()
        .filter(|s| s.direction != Direction::Stamp)
        .map(|s| s.revision.clone())
        .collect();
    if !profile.release_gate || changing.is_empty() {
        return Ok(ReleaseGate::open());
    }
    let downgrade = run
        .plan
        .steps
        .iter()
        .any(|s| s.direction == Direction::Downgrade);
    let wanted = current_checksums(&target.project, &changing);
    let peers: Vec<Profile> = store
        .profiles()
        .await?
        .into_iter()
        .filter(|p| p.id != profile.id && p.client == profile.client)
        .collect();
    let mut items = vec![proved_on_peers(store, &peers, &wanted, downgrade).await?];

    let mut rehearsals = store.rehearsals(profile.id).await?;
    for p in peers
        .iter()
        .filter(|p| p.project_dir == profile.project_dir)
    {
        rehearsals.extend(store.rehearsals(p.id).await?);
    }
    rehearsals.sort_by(|a, b| b.at.cmp(&a.at));
    let rehearsal_action = "Rehearse these revisions (Rehearse…, or `stratum rehearse`)";
    items.push(match rehearsed(&rehearsals, &wanted) {
        Rehearsed::Passed(at) => item(
            "rehearsal",
            "A passing rehearsal of these revisions",
            true,
            format!("passed on {at}"),
            "",
        ),
        Rehearsed::Failed(at, summary) => item(
            "rehearsal",
            "A passing rehearsal of these revisions",
            false,
            format!("the rehearsal on {at} failed: {summary}"),
            rehearsal_action,
        ),
        Rehearsed::Changed(at) => item(
            "rehearsal",
            "A passing rehearsal of these revisions",
            false,
            format!("rehearsed on {at}, but the files changed since"),
            rehearsal_action,
        ),
        Rehearsed::Never => item(
            "rehearsal",
            "A passing rehearsal of these revisions",
            false,
            "never rehearsed".into(),
            rehearsal_action,
        ),
    });
    items.push(item(
        "findings",
        "No unacknowledged blocking findings",
        run.blocking.is_empty(),
        if run.blocking.is_empty() {
            "none in the plan".into()
        } else {
            run.blocking.join("; ")
        },
        "Fix the SQL, or acknowledge each finding with a reason in its file",
    ));
    items.push(item(
        "backup",
        "A backup taken now",
        run.backup_now,
        if run.backup_now {
            "taken just before the run".into()
        } else {
            "no backup before this run".into()
        },
        "Back up first (or switch on “back up before every change” in the profile)",
    ));
    items.push(window_item(&profile.maintenance_window, run.now));
    let reviewer = run.reviewer.trim();
    items.push(item(
        "review",
        "Code review completed",
        !reviewer.is_empty(),
        if reviewer.is_empty() {
            "nobody has confirmed a review".into()
        } else {
            format!("reviewed by {reviewer}")
        },
        "Type the reviewer's name to confirm the revisions were reviewed",
    ));
    Ok(ReleaseGate {
        applies: true,
        items,
    })
}

/// The same files ran, and succeeded, on a development or staging profile of the same client.
async fn proved_on_peers(
    store: &Store,
    peers: &[Profile],
    wanted: &[(String, String)],
    downgrade: bool,
) -> Result<GateItem, OperationError> {
    let grounds: Vec<&Profile> = peers
        .iter()
        .filter(|p| PROVING_GROUNDS.contains(&p.environment.as_str()))
        .collect();
    let ids: Vec<i64> = grounds.iter().map(|p| p.id).collect();
    let verb = if downgrade { "downgrade" } else { "upgrade" };
    let runs = store.runs_of(&ids, verb).await?;
    let mut proved: Vec<(&str, String)> = Vec::new();
    for (rev, _) in wanted {
        let found = runs
            .iter()
            .find(|r| same_files(&r.files, wanted).any(|done| done == rev));
        if let Some(r) = found {
            proved.push((rev.as_str(), format!("{} on {}", r.profile_name, r.at)));
        }
    }
    let title = "Same revisions succeeded on development or staging";
    let action = "Run the same revisions on the client's staging (or development) profile first";
    if grounds.is_empty() {
        return Ok(item(
            "staging",
            title,
            false,
            "the client has no development or staging profile".into(),
            "Add the client's staging database as a profile, and run the revisions there first",
        ));
    }
    if proved.len() == wanted.len() {
        let mut places: Vec<String> = proved.into_iter().map(|(_, w)| w).collect();
        places.dedup();
        return Ok(item("staging", title, true, places.join("; "), ""));
    }
    let missing: Vec<&str> = wanted
        .iter()
        .map(|(r, _)| r.as_str())
        .filter(|r| !proved.iter().any(|(p, _)| p == r))
        .collect();
    Ok(item(
        "staging",
        title,
        false,
        format!(
            "{} did not {verb} with these files on {}",
            missing.join(", "),
            grounds
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        action,
    ))
}

fn window_item(spec: &str, now: DateTime<Utc>) -> GateItem {
    let title = "Inside the maintenance window";
    if spec.trim().is_empty() {
        return item(
            "window",
            title,
            false,
            "no maintenance window is scheduled".into(),
            "Set the profile's maintenance window (e.g. Sat-Sun 22:00-06:00 Europe/Berlin)",
        );
    }
    match MaintenanceWindow::parse(spec) {
        Err(e) => item(
            "window",
            title,
            false,
            e,
            "Correct the profile's maintenance window",
        ),
        Ok(w) if w.contains(now) => item("window", title, true, format!("now is inside {w}"), ""),
        Ok(w) => item(
            "window",
            title,
            false,
            format!("now is outside {w}"),
            "Wait for the window, or override with the reason (an emergency fix, say)",
        ),
    }
}
