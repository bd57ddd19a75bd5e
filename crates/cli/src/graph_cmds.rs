//! Commands that read or write the project only: init, revision, merge, heads, bases,
//! branches, history, show.

use std::path::Path;

use serde::Serialize;
use serde_json::json;
use stratum_project::{init_project, new_revision_id, NewRevision, Project};

use crate::args::{Cli, MergeArgs, RevisionArgs};
use crate::error::CliError;
use crate::output::Out;
use crate::project_args::open_project;

/// A revision as every command shows it; `revision` is the id (Alembic's word).
#[derive(Debug, Serialize)]
pub struct RevisionInfo {
    pub revision: String,
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub message: String,
    pub created: Option<String>,
    pub file: String,
    pub is_head: bool,
    pub is_branch_point: bool,
    pub is_merge_point: bool,
}

pub fn info(project: &Project, id: &str) -> RevisionInfo {
    let map = &project.map;
    let file = project.file(id);
    RevisionInfo {
        revision: id.to_string(),
        down_revisions: map.down_revisions(id),
        branch_labels: map.labels(id),
        depends_on: file
            .map(|f| f.revision.depends_on.clone())
            .unwrap_or_default(),
        message: file.map(|f| f.message.clone()).unwrap_or_default(),
        created: file
            .and_then(|f| f.created)
            .map(|c| c.format("%Y-%m-%d %H:%M:%S").to_string()),
        file: file
            .map(|f| f.path.display().to_string())
            .unwrap_or_default(),
        is_head: map.children(id).is_empty(),
        is_branch_point: map.is_branch_point(id),
        is_merge_point: map.is_merge_point(id),
    }
}

/// Alembic's one-line form: `down -> rev (labels) (head) (branchpoint), message`.
pub fn line(r: &RevisionInfo) -> String {
    let down = if r.down_revisions.is_empty() {
        "<base>".to_string()
    } else {
        r.down_revisions.join(", ")
    };
    let mut tags = String::new();
    if !r.branch_labels.is_empty() {
        tags.push_str(&format!(" ({})", r.branch_labels.join(", ")));
    }
    if r.is_head {
        tags.push_str(" (head)");
    }
    if r.is_branch_point {
        tags.push_str(" (branchpoint)");
    }
    if r.is_merge_point {
        tags.push_str(" (mergepoint)");
    }
    format!("{down} -> {}{tags}, {}", r.revision, r.message)
}

pub fn init(dir: &Path, out: &Out) -> Result<(), CliError> {
    init_project(dir)?;
    out.result(
        &json!({ "ok": true, "project": dir.display().to_string() }),
        || format!("Created {0}/stratum.toml and {0}/versions/", dir.display()),
    );
    Ok(())
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

fn write_new(project: &Project, rev: NewRevision, out: &Out, what: &str) -> Result<(), CliError> {
    stratum_graph::validate_revision_id(&rev.id)?;
    if project.map.index_of(&rev.id).is_some() {
        return Err(CliError::Input(format!(
            "revision '{}' already exists",
            rev.id
        )));
    }
    // The new file must load with the rest: check the graph before writing anything.
    let mut revisions: Vec<_> = project.files.iter().map(|f| f.revision.clone()).collect();
    revisions.push(stratum_graph::Revision {
        id: rev.id.clone(),
        down_revisions: rev.down_revisions.clone(),
        branch_labels: rev.branch_labels.clone(),
        depends_on: rev.depends_on.clone(),
    });
    stratum_graph::RevisionMap::new(revisions)?;
    let path = rev.write(&project.versions_dir())?;
    let body = rev.render();
    out.result(
        &json!({ "ok": true, "revision": rev.id, "down_revisions": rev.down_revisions, "file": path.display().to_string(), "content": body }),
        || format!("Generated {what} {}\n\n{body}", path.display()),
    );
    Ok(())
}

pub async fn revision(cli: &Cli, a: &RevisionArgs, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    if project.alembic().is_some() {
        return crate::alembic_cmds::revision(cli, &project, a, out).await;
    }
    if a.autogenerate {
        return Err(CliError::Input(
            "--autogenerate compares an Alembic project's models with the database; a Stratum project has no models".into(),
        ));
    }
    let parents = project.map.parents_of_new_revision(&a.head, a.splice)?;
    let rev = NewRevision {
        id: a.rev_id.clone().unwrap_or_else(new_revision_id),
        down_revisions: parents,
        branch_labels: a.branch_label.clone(),
        depends_on: project.map.resolve_depends_on(&a.depends_on)?,
        message: a.message.clone(),
        created: now(),
        ..Default::default()
    };
    write_new(&project, rev, out, "revision")
}

/// The revisions a merge joins (all heads by default); fewer than two is nothing to merge.
pub async fn merge(cli: &Cli, a: &MergeArgs, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    // Checked here for both kinds of project: Alembic would write a one-parent "merge".
    let parents = project.map.merge_parents(&a.revisions, a.splice)?;
    if project.alembic().is_some() {
        return crate::alembic_cmds::merge(cli, &project, &parents, a, out).await;
    }
    let mut rev = NewRevision::merge_point(parents, a.message.clone(), now());
    if let Some(id) = &a.rev_id {
        rev.id = id.clone();
    }
    rev.branch_labels = a.branch_label.clone();
    write_new(&project, rev, out, "merge revision")
}

fn list(
    project: &Project,
    ids: Vec<String>,
    out: &Out,
    key: &str,
    human: impl Fn(&RevisionInfo) -> String,
) {
    let infos: Vec<RevisionInfo> = ids.iter().map(|id| info(project, id)).collect();
    out.result(&json!({ key: infos }), || {
        infos.iter().map(&human).collect::<Vec<_>>().join("\n")
    });
}

pub fn heads(cli: &Cli, resolve_dependencies: bool, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let map = &project.map;
    let ids = if resolve_dependencies {
        map.real_heads()
    } else {
        map.heads()
    };
    list(&project, ids, out, "heads", |r| {
        let labels = if r.branch_labels.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.branch_labels.join(", "))
        };
        let kind = if map.is_real_head(&r.revision) {
            "head"
        } else {
            "effective head"
        };
        format!("{}{labels} ({kind})", r.revision)
    });
    Ok(())
}

pub fn bases(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let ids = project.map.bases();
    list(&project, ids, out, "bases", line);
    Ok(())
}

pub fn branches(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let ids = project.map.branch_points();
    list(&project, ids, out, "branches", |r| {
        let children = project.map.children(&r.revision);
        let mut s = line(r);
        for c in children {
            s.push_str(&format!("\n    -> {}", line(&info(&project, &c))));
        }
        s
    });
    Ok(())
}

pub fn history(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let ids = project.map.history();
    list(&project, ids, out, "history", line);
    Ok(())
}

pub fn show(cli: &Cli, ident: &str, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let id = project
        .map
        .resolve(ident)?
        .ok_or_else(|| CliError::Input(format!("'{ident}' names no single revision")))?;
    let r = info(&project, &id);
    out.result(&json!({ "revision": r }), || {
        let mut s = format!(
            "Rev: {}{}\n",
            r.revision,
            if r.is_head { " (head)" } else { "" }
        );
        s.push_str(&format!(
            "Parent: {}\n",
            if r.down_revisions.is_empty() {
                "<base>".into()
            } else {
                r.down_revisions.join(", ")
            }
        ));
        if !r.branch_labels.is_empty() {
            s.push_str(&format!("Branch names: {}\n", r.branch_labels.join(", ")));
        }
        if !r.depends_on.is_empty() {
            s.push_str(&format!("Also depends on: {}\n", r.depends_on.join(", ")));
        }
        s.push_str(&format!("Path: {}\n\n    {}\n", r.file, r.message));
        if let Some(c) = &r.created {
            s.push_str(&format!("\n    Create Date: {c}\n"));
        }
        s
    });
    Ok(())
}
