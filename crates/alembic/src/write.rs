//! New revisions and merges of an Alembic project, written by its own Alembic: its template
//! (`script.py.mako`), its `file_template`, its hooks, and with `--autogenerate` its models
//! compared with the database.

use std::path::PathBuf;

use serde_json::{json, Value};
use stratum_db::DatabaseUrl;

use crate::process::Line;
use crate::{Alembic, AlembicError};

/// `alembic revision` as the seed's README uses it (`-m`, `--autogenerate`) and the rest of
/// its options.
#[derive(Debug, Clone, Default)]
pub struct NewAlembicRevision {
    pub message: String,
    /// Compare the project's models with the database (needs the database).
    pub autogenerate: bool,
    /// Where the new revision goes: `head` (the default), a revision, or `label@head`.
    pub head: Option<String>,
    pub splice: bool,
    pub branch_label: Option<String>,
    pub depends_on: Vec<String>,
    pub rev_id: Option<String>,
}

/// A file Alembic wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub revision: String,
    pub path: PathBuf,
}

impl Alembic {
    async fn write(
        &self,
        name: &str,
        args: Vec<Value>,
        kwargs: Value,
        url: Option<&DatabaseUrl>,
        mut line: impl FnMut(&str),
    ) -> Result<Written, AlembicError> {
        let request = json!({
            "op": "command", "ini": self.ini, "name": name, "args": args, "kwargs": kwargs,
        });
        let url = url.map(|u| self.sqlalchemy_url(u));
        let mut written = None;
        self.driver(url.as_deref(), None)
            .run(name, &request, |l| match l {
                Line::Output { text, .. } => line(text),
                Line::Event(v) if v["event"] == "written" => {
                    written = Some(Written {
                        revision: v["revision"].as_str().unwrap_or_default().to_string(),
                        path: PathBuf::from(v["path"].as_str().unwrap_or_default()),
                    })
                }
                Line::Event(_) => {}
            })
            .await?;
        written.ok_or_else(|| AlembicError::Failed {
            command: name.to_string(),
            message: "Alembic finished without writing a revision file".into(),
            at: None,
            output: Vec::new(),
        })
    }

    /// `alembic revision -m MESSAGE [--autogenerate] ...`; `url` is needed for autogenerate.
    pub async fn revision(
        &self,
        r: &NewAlembicRevision,
        url: Option<&DatabaseUrl>,
        line: impl FnMut(&str),
    ) -> Result<Written, AlembicError> {
        let mut kwargs = json!({
            "message": r.message,
            "autogenerate": r.autogenerate,
            "splice": r.splice,
        });
        for (key, value) in [
            ("head", r.head.clone()),
            ("branch_label", r.branch_label.clone()),
            ("rev_id", r.rev_id.clone()),
        ] {
            if let Some(v) = value {
                kwargs[key] = json!(v);
            }
        }
        if !r.depends_on.is_empty() {
            kwargs["depends_on"] = json!(r.depends_on);
        }
        self.write("revision", Vec::new(), kwargs, url, line).await
    }

    /// `alembic merge REVISIONS -m MESSAGE`.
    pub async fn merge(
        &self,
        revisions: &[String],
        message: &str,
        branch_label: Option<&str>,
        rev_id: Option<&str>,
        line: impl FnMut(&str),
    ) -> Result<Written, AlembicError> {
        let mut kwargs = json!({ "message": message });
        if let Some(l) = branch_label {
            kwargs["branch_label"] = json!(l);
        }
        if let Some(id) = rev_id {
            kwargs["rev_id"] = json!(id);
        }
        self.write("merge", vec![json!(revisions)], kwargs, None, line)
            .await
    }
}
