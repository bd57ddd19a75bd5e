//! `stratum checkup`: the seed's verify_migration.py, for --project/--url or for the desktop
//! app's profiles (which add the backup and rehearsal items from the app's store).

use serde_json::json;
use stratum_alembic::RenderCache;
use stratum_operations::{checkup, checkup_profile, Checkup, Target, Verdict};
use stratum_store::Secrets;

use crate::args::{Cli, FleetArgs};
use crate::database_args::database_url;
use crate::error::CliError;
use crate::fleet_cmds::chosen;
use crate::output::Out;
use crate::project_args::{alembic, open_project, runner};

pub async fn checkup_cmd(cli: &Cli, fleet: &FleetArgs, out: &Out) -> Result<(), CliError> {
    if fleet.given() {
        return profiles(cli, fleet, out).await;
    }
    let mut project = open_project(cli)?;
    let url = database_url(cli)?;
    let mut unrendered = Vec::new();
    if project.alembic().is_some() {
        let rendered = alembic(cli, &project)?
            .render(&project, Some(&url), url.dialect())
            .await?;
        rendered.apply(&mut project);
        unrendered = rendered.failures.clone();
    }
    let runner = runner(cli, &project)?;
    let c = checkup(&url, &project, runner.as_ref(), &unrendered, None).await?;
    out.result(&c, || {
        format!(
            "{}(The backup and rehearsal items need a profile: --profiles NAME.)\n",
            text(&c)
        )
    });
    verdict(&[&c])
}

async fn profiles(cli: &Cli, fleet: &FleetArgs, out: &Out) -> Result<(), CliError> {
    let (store, dir, chosen) = chosen(cli, fleet).await?;
    let renders = RenderCache::kept_in(dir.join(stratum_alembic::RENDERED));
    let mut done = Vec::new();
    for p in chosen {
        let name = p.name.clone();
        let mut target = Target::open(p, &Secrets::default())?;
        let c = checkup_profile(&store, &mut target, &renders).await?;
        done.push((name, c));
    }
    let all: Vec<_> = done
        .iter()
        .map(|(name, c)| json!({ "profile": name, "checkup": c }))
        .collect();
    out.result(&all, || {
        done.iter()
            .map(|(name, c)| format!("{name}\n{}", text(c)))
            .collect::<Vec<_>>()
            .join("\n")
    });
    verdict(&done.iter().map(|(_, c)| c).collect::<Vec<_>>())
}

fn text(c: &Checkup) -> String {
    let mut s = String::new();
    for i in &c.items {
        let mark = match i.verdict {
            Verdict::Passed => "passed ",
            Verdict::Warning => "WARNING",
            Verdict::Failed => "FAILED ",
        };
        s.push_str(&format!("  {mark}  {}: {}\n", i.title, i.detail));
        if !i.action.is_empty() {
            s.push_str(&format!("           → {}\n", i.action));
        }
    }
    s.push_str(&format!(
        "  {} passed, {} warning(s), {} failed\n",
        c.count(Verdict::Passed),
        c.count(Verdict::Warning),
        c.count(Verdict::Failed)
    ));
    s
}

/// Exit code 1 when an item failed.
fn verdict(all: &[&Checkup]) -> Result<(), CliError> {
    let failed: usize = all.iter().map(|c| c.count(Verdict::Failed)).sum();
    if failed > 0 {
        return Err(CliError::Blocked(format!(
            "the check-up failed: {failed} item(s)"
        )));
    }
    Ok(())
}
