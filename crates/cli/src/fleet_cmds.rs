//! The desktop app's profiles as a fleet: `status` of many databases at once, and
//! `upgrade`/`downgrade` of many in one batch, with its report.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use stratum_alembic::{RenderCache, RENDERED};
use stratum_db::{CancelToken, Operation};
use stratum_operations::fleet::{
    run_batch, status, BatchEvent, BatchOptions, BatchReport, Fleet, Phase, Selection, State,
    StatusOptions, PENDING,
};
use stratum_operations::GateAnswers;
use stratum_store::{Profile, Secrets, Store};

use crate::app_store::open_store;
use crate::args::{Cli, FleetArgs, MigrateArgs, StatusArgs};
use crate::error::CliError;
use crate::output::Out;

pub async fn chosen(cli: &Cli, f: &FleetArgs) -> Result<(Store, PathBuf, Vec<Profile>), CliError> {
    if !f.given() {
        return Err(CliError::Input(
            "say which profiles: --all, --group CLIENT, --env ENV, --tag TAG or --profiles A,B"
                .into(),
        ));
    }
    let (store, dir) = open_store(cli, false).await?;
    let all = store.profiles().await?;
    let profiles = Selection {
        names: f.profiles.clone(),
        clients: f.groups.clone(),
        environments: f.environments.clone(),
        tags: f.tags.clone(),
    }
    .choose(all)?;
    Ok((store, dir, profiles))
}

/// What interrupted batch `old` left pending, in its order; with a selection, only those of
/// them it chooses.
async fn rest_of(
    cli: &Cli,
    f: &FleetArgs,
    old: i64,
) -> Result<(Store, PathBuf, Vec<Profile>), CliError> {
    let (store, dir) = open_store(cli, false).await?;
    let (batch, items) = store.batch(old).await?;
    let left: Vec<_> = items.iter().filter(|i| i.result == PENDING).collect();
    if batch.finished_at.is_some() || left.is_empty() {
        return Err(CliError::Input(format!(
            "batch #{old} was not interrupted, or another batch ran its rest: nothing is left to run (see `stratum batches {old}`)"
        )));
    }
    let all = store.profiles().await?;
    let wanted: Option<Vec<i64>> = if f.given() {
        let picked = Selection {
            names: f.profiles.clone(),
            clients: f.groups.clone(),
            environments: f.environments.clone(),
            tags: f.tags.clone(),
        }
        .choose(all.clone())?;
        Some(picked.iter().map(|p| p.id).collect())
    } else {
        None
    };
    let mut profiles = Vec::new();
    for i in &left {
        match all.iter().find(|p| Some(p.id) == i.profile_id) {
            Some(p) if wanted.as_ref().is_none_or(|w| w.contains(&p.id)) => {
                profiles.push(p.clone())
            }
            Some(_) => {}
            // Deleted since: nothing to run it on; the old batch says it was left out.
            None => eprintln!(
                "{}: its profile no longer exists, so it is left out",
                i.profile_name
            ),
        }
    }
    if profiles.is_empty() {
        return Err(CliError::Input(format!(
            "none of the {} database(s) batch #{old} left pending is among those chosen",
            left.len()
        )));
    }
    Ok((store, dir, profiles))
}

fn ago(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s ago"),
        s if s < 7200 => format!("{} min ago", s / 60),
        s if s < 172_800 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

pub async fn status_cmd(cli: &Cli, a: &StatusArgs, out: &Out) -> Result<(), CliError> {
    let (store, _, profiles) = chosen(cli, &a.fleet).await?;
    let opts = StatusOptions {
        concurrency: a.fleet.concurrency.unwrap_or(16),
        timeout: Duration::from_secs(a.timeout.max(1)),
    };
    let all = status(&store, &Secrets::default(), profiles, &opts, |_| {}).await?;
    let troubled = all
        .iter()
        .filter(|s| {
            matches!(
                s.state,
                State::Unreachable | State::Invalid | State::UnknownRows | State::Interrupted
            )
        })
        .count();
    out.result(&all, || {
        let mut t = format!(
            "{:<24} {:<16} {:<11} {:<12} {:<14} {:>7}  {:<16} {}\n",
            "PROFILE", "CLIENT", "ENV", "STATE", "AT", "PENDING", "LAST BACKUP", "LAST OPERATION"
        );
        for s in &all {
            let state = match s.state {
                State::UpToDate => "up to date",
                State::Pending => "pending",
                State::UnknownRows => "unknown rows",
                State::Interrupted => "interrupted",
                State::Unreachable => "unreachable",
                State::Invalid => "invalid",
            };
            let at = if s.rows.is_empty() && s.server.is_some() {
                "base".to_string()
            } else {
                s.rows.join(",")
            };
            let heads = if s.several_heads { " (heads)" } else { "" };
            t.push_str(&format!(
                "{:<24} {:<16} {:<11} {:<12} {:<14} {:>7}  {:<16} {}\n",
                s.name,
                s.client,
                s.environment,
                state,
                format!("{at}{heads}"),
                s.pending.len(),
                s.last_backup
                    .as_ref()
                    .map(|b| ago(b.age_seconds))
                    .unwrap_or_else(|| "never".into()),
                s.last_operation
                    .as_ref()
                    .map(|o| format!("{} {} ({}, {})", o.operation, o.target, o.result, o.at))
                    .unwrap_or_default(),
            ));
            if let Some(r) = &s.reason {
                t.push_str(&format!("    {r}\n"));
            }
        }
        t.push_str(&format!(
            "{} database(s): {} up to date, {} pending, {} unreachable or unreadable\n",
            all.len(),
            all.iter().filter(|s| s.state == State::UpToDate).count(),
            all.iter().filter(|s| s.state == State::Pending).count(),
            troubled
        ));
        t
    });
    if troubled > 0 {
        return Err(CliError::Blocked(format!(
            "{troubled} database(s) could not be read"
        )));
    }
    Ok(())
}

/// `upgrade|downgrade TARGET --profiles ...`: a batch over the app's profiles.
pub async fn batch_cmd(cli: &Cli, a: &MigrateArgs, up: bool, out: &Out) -> Result<(), CliError> {
    if a.sql || a.plan || a.dry_run || a.from.is_some() {
        return Err(CliError::Input(
            "a batch runs the operation; --sql, --plan, --dry-run and --from work on one --project/--url".into(),
        ));
    }
    let (store, dir, profiles) = match a.rest_of_batch {
        Some(old) => rest_of(cli, &a.fleet, old).await?,
        None => chosen(cli, &a.fleet).await?,
    };
    let op = if up {
        Operation::Upgrade(a.target.clone())
    } else {
        Operation::Downgrade(a.target.clone())
    };
    let opts = BatchOptions {
        concurrency: a.fleet.concurrency.unwrap_or(4),
        stop_on_failure: !a.keep_going,
        backup_all: a.backup,
        production_confirmed: a.yes,
        gate: GateAnswers {
            reviewer: a.reviewer.clone().unwrap_or_default(),
            override_reason: a.override_gate.clone().unwrap_or_default(),
        },
        rest_of: a.rest_of_batch,
        resume: a.resume,
    };
    let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
    let total = names.len();
    let quiet = out.json;
    let tell = Arc::new(move |e: &BatchEvent| {
        if quiet || e.phase == Phase::Queued {
            return;
        }
        let name = names.get(e.position).map(String::as_str).unwrap_or("?");
        let phase = match e.phase {
            Phase::Failed => "FAILED",
            p => p.label(),
        };
        let detail = if e.detail.is_empty() {
            String::new()
        } else {
            format!(": {}", e.detail)
        };
        crate::output::say(format_args!(
            "[{}/{total}] {name}: {phase}{detail}",
            e.position + 1
        ));
    });
    let cancel = CancelToken::default();
    let on_ctrl_c = cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("Cancelling: running databases stop after their current statement, the rest do not start...");
            on_ctrl_c.cancel();
        }
    });
    let renders = RenderCache::kept_in(dir.join(RENDERED));
    let fleet = Fleet {
        store: &store,
        secrets: &Secrets::default(),
        data_dir: &dir,
        renders: &renders,
    };
    let report = run_batch(&fleet, profiles, &op, &opts, &cancel, tell).await;
    ctrl_c.abort();
    let report = report?;
    let mut written = Vec::new();
    for path in &a.report {
        let body = match path.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => stratum_operations::fleet::to_html(&report),
            _ => stratum_operations::fleet::to_csv(&report),
        };
        std::fs::write(path, body)
            .map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))?;
        written.push(path.display().to_string());
    }
    let failed = report.count("failed") + report.count("cancelled");
    out.result(
        &json!({ "ok": failed == 0, "report": report, "files": written }),
        || {
            let mut s = format!("Batch #{}: {}\n", report.batch.id, report.summary());
            for i in report.items.iter().filter(|i| i.result == "failed") {
                s.push_str(&format!("  {}: {}\n", i.profile_name, i.message));
            }
            for w in &written {
                s.push_str(&format!("Report: {w}\n"));
            }
            s
        },
    );
    if failed > 0 {
        return Err(CliError::Blocked(format!(
            "{failed} database(s) did not finish"
        )));
    }
    Ok(())
}

/// How a batch stands in words: finished, or interrupted with what is left.
fn standing(r: &BatchReport) -> String {
    let pending = r.count(PENDING);
    match (&r.batch.finished_at, pending) {
        (Some(at), _) => format!("finished {at}"),
        (None, 0) => "did not finish".into(),
        (None, n) => format!(
            "INTERRUPTED (or still running elsewhere): {} of {} finished, {n} not run; run them with `stratum {} {} --rest-of-batch {}`",
            r.items.len() - n,
            r.items.len(),
            r.batch.operation,
            r.batch.target,
            r.batch.id
        ),
    }
}

/// `batches [ID]`: the batches run over the app's profiles, or one batch's lines.
pub async fn batches_cmd(cli: &Cli, id: Option<i64>, out: &Out) -> Result<(), CliError> {
    let (store, _) = open_store(cli, false).await?;
    let ids = match id {
        Some(id) => vec![id],
        None => store.batches().await?.iter().map(|b| b.id).collect(),
    };
    let mut all = Vec::with_capacity(ids.len());
    for id in ids {
        let (batch, items) = store.batch(id).await?;
        all.push(BatchReport { batch, items });
    }
    let listed: Vec<_> = all
        .iter()
        .map(|r| {
            let pending = r.count(PENDING);
            json!({
                "batch": r.batch,
                "summary": r.summary(),
                "interrupted": r.batch.finished_at.is_none() && pending > 0,
                "pending": pending,
                "items": if id.is_some() { json!(r.items) } else { json!(null) },
            })
        })
        .collect();
    out.result(&listed, || {
        if all.is_empty() {
            return "No batch has run yet.\n".into();
        }
        let mut t = String::new();
        for r in &all {
            let b = &r.batch;
            t.push_str(&format!(
                "#{} {} {} ({}, by {}): {}\n    {}\n",
                b.id,
                b.operation,
                b.target,
                b.at,
                b.who,
                r.summary(),
                standing(r)
            ));
            if id.is_some() {
                for i in &r.items {
                    let (result, message) = if i.result == PENDING {
                        ("not run", "the batch was interrupted")
                    } else {
                        (i.result.as_str(), i.message.as_str())
                    };
                    t.push_str(&format!(
                        "  {:>3}. {:<24} {:<16} {:<11} {:<10} {}\n",
                        i.position + 1,
                        i.profile_name,
                        i.client,
                        i.environment,
                        result,
                        message
                    ));
                }
            }
        }
        t
    });
    Ok(())
}
