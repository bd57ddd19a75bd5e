//! Converting an Alembic project into a native one: every revision's SQL from Alembic's
//! offline mode, written as `.sql` revision files with the same ids, parents, labels,
//! dependencies, messages and dates, in the same load order, for teams who want Python out
//! of their deployment path. The result is proven to plan as the original before it is put in
//! place; a failure leaves nothing behind.

use std::path::{Path, PathBuf};

use stratum_db::DatabaseUrl;
use stratum_project::{Config, Dialect, NewRevision, Project, VersionTableSection, CONFIG_FILE};

use crate::{Alembic, AlembicError};

#[derive(Debug, Clone)]
pub struct Converted {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    /// Revisions that commit outside a transaction (PostgreSQL autocommit blocks).
    pub outside_transaction: Vec<String>,
}

/// Alembic's offline output of an `autocommit_block()` on PostgreSQL: the block's statements
/// between a `COMMIT;` and a `BEGIN;`. Such a revision becomes `-- transaction: false`.
fn autocommit_block(sql: &str) -> Option<String> {
    let body = sql.trim();
    let inner = body.strip_prefix("COMMIT;")?.trim_end();
    let inner = inner.strip_suffix("BEGIN;")?;
    Some(format!("{}\n", inner.trim()))
}

fn tidy(sql: &str) -> String {
    let t = sql.trim();
    if t.is_empty() {
        String::new()
    } else {
        format!("{t}\n")
    }
}

/// Writes the native twin of `project` (an Alembic project) into `out`, which must not exist
/// or be empty. With one dialect the SQL goes in plain sections; with several, each gets its
/// own (`-- migrate:up postgresql`).
pub async fn convert(
    alembic: &Alembic,
    project: &Project,
    out: &Path,
    dialects: &[Dialect],
    url: Option<&DatabaseUrl>,
) -> Result<Converted, AlembicError> {
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|e| AlembicError::io(out, e))?
            .next()
            .is_some()
    {
        return Err(AlembicError::NotEmpty(out.to_path_buf()));
    }
    let mut rendered = Vec::new();
    for d in dialects {
        let r = alembic
            .render(project, url.filter(|u| u.dialect() == *d), *d)
            .await?;
        if !r.failures.is_empty() {
            return Err(AlembicError::Render(r.failures));
        }
        rendered.push(r);
    }
    // Native projects load in sorted file-name order, as Alembic loads its files: the names
    // keep Alembic's order, numbered when the original names would sort differently.
    let stems: Vec<String> = project
        .files
        .iter()
        .map(|f| {
            f.path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.id().to_string())
        })
        .collect();
    let mut sorted = stems.clone();
    sorted.sort();
    sorted.dedup();
    let numbered = sorted != stems;
    let width = project.files.len().to_string().len().max(4);

    let staging = out.with_file_name(format!(
        ".{}.partial",
        out.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "converted".into())
    ));
    let _ = std::fs::remove_dir_all(&staging);
    let versions = staging.join("versions");
    std::fs::create_dir_all(&versions).map_err(|e| AlembicError::io(&versions, e))?;
    let result = async {
        let config = Config {
            version_table: VersionTableSection {
                name: project.config.version_table.name.clone(),
                schema: project.config.version_table.schema.clone(),
            },
            ..Config::default()
        };
        let toml = format!(
            "# Converted from the Alembic project {} by `stratum convert`.\n{}",
            alembic.ini.display(),
            toml::to_string(&config).unwrap_or_default()
        );
        std::fs::write(staging.join(CONFIG_FILE), toml)
            .map_err(|e| AlembicError::io(staging.join(CONFIG_FILE), e))?;
        let mut files = Vec::new();
        let mut outside = Vec::new();
        for (i, (f, stem)) in project.files.iter().zip(&stems).enumerate() {
            let mut bodies = Vec::new();
            let mut outside_tx = false;
            for r in &rendered {
                let (up, down) = r.sql.get(f.id()).cloned().unwrap_or_default();
                let (up, down) = match (autocommit_block(&up), autocommit_block(&down)) {
                    (Some(u), Some(d)) => {
                        outside_tx = true;
                        (u, d)
                    }
                    (Some(u), None) => {
                        outside_tx = true;
                        (u, tidy(&down))
                    }
                    (None, Some(d)) => {
                        outside_tx = true;
                        (tidy(&up), d)
                    }
                    (None, None) => (tidy(&up), tidy(&down)),
                };
                bodies.push((r.dialect, up, down));
            }
            if outside_tx {
                outside.push(f.id().to_string());
            }
            let (up, down, dialect_bodies) = if bodies.len() == 1 {
                let (_, u, d) = bodies.remove(0);
                (u, d, Vec::new())
            } else {
                (String::new(), String::new(), bodies)
            };
            let rev = NewRevision {
                id: f.id().to_string(),
                down_revisions: f.revision.down_revisions.clone(),
                branch_labels: f.revision.branch_labels.clone(),
                depends_on: f.revision.depends_on.clone(),
                message: f.message.clone(),
                created: f
                    .created
                    .map(|c| c.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default(),
                up,
                down,
                dialect_bodies,
                outside_transaction: outside_tx,
            };
            let name = if numbered {
                format!("{:0width$}_{stem}.sql", i + 1)
            } else {
                format!("{stem}.sql")
            };
            let path = versions.join(&name);
            std::fs::write(&path, rev.render()).map_err(|e| AlembicError::io(&path, e))?;
            files.push(out.join("versions").join(name));
        }
        // The converted project must be the same graph, in the same order.
        let check = Project::open(&staging)?;
        if check.map.heads() != project.map.heads() || check.map.history() != project.map.history()
        {
            return Err(AlembicError::Io {
                path: staging.clone(),
                message: "the converted revisions do not form the same graph as the Alembic project; nothing was written".into(),
            });
        }
        Ok((files, outside))
    }
    .await;
    match result {
        Ok((files, outside_transaction)) => {
            if out.exists() {
                std::fs::remove_dir(out).map_err(|e| AlembicError::io(out, e))?;
            }
            std::fs::rename(&staging, out).map_err(|e| AlembicError::io(out, e))?;
            Ok(Converted {
                dir: out.to_path_buf(),
                files,
                outside_transaction,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_autocommit_block_becomes_a_revision_outside_a_transaction() {
        assert_eq!(
            autocommit_block("COMMIT;\n\nCREATE INDEX CONCURRENTLY ix ON t (a);\n\nBEGIN;\n\n")
                .as_deref(),
            Some("CREATE INDEX CONCURRENTLY ix ON t (a);\n")
        );
        assert_eq!(autocommit_block("CREATE TABLE t (a INT);\n\n"), None);
    }
}
