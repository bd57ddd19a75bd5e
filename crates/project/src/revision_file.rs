use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use stratum_graph::{validate_revision_id, Revision};

use crate::header::{classify, list, Line, KEYS};
use crate::{split, Dialect, ProjectError, PythonRevision, Statement};

/// One body (`-- migrate:up` or `-- migrate:down`, plain or for one dialect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub sql: String,
    /// The file line of the body's first line, so statement lines map back to the file.
    pub first_line: usize,
    /// Rendered from Python by Alembic's offline mode: the SQL is not in the file, so every
    /// statement points at `first_line` (the `def upgrade()` / `def downgrade()` line).
    pub rendered: bool,
}

/// What a revision file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A native `.sql` file with its bodies.
    Sql,
    /// An Alembic `.py` file: its SQL exists only once Alembic's offline mode rendered it
    /// ([`RevisionFile::set_rendered`]), and it runs through Alembic.
    Python,
}

/// A parsed revision file, native or Alembic.
#[derive(Debug, Clone)]
pub struct RevisionFile {
    pub source: Source,
    pub path: PathBuf,
    pub revision: Revision,
    pub message: String,
    pub created: Option<NaiveDateTime>,
    /// `false` runs the revision outside any transaction (`-- transaction: false`).
    pub transactional: bool,
    /// File line of each header key, for error messages.
    pub key_lines: BTreeMap<String, usize>,
    up: BTreeMap<Option<Dialect>, Body>,
    down: BTreeMap<Option<Dialect>, Body>,
}

impl RevisionFile {
    pub fn read(path: &Path) -> Result<RevisionFile, ProjectError> {
        let bytes = std::fs::read(path).map_err(|e| ProjectError::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| ProjectError::Parse {
            path: path.into(),
            line: 1,
            message: format!("not UTF-8 text ({e})"),
        })?;
        RevisionFile::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<RevisionFile, ProjectError> {
        let err = |line: usize, message: String| ProjectError::Parse {
            path: path.into(),
            line,
            message,
        };
        let mut values: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        let mut up = BTreeMap::new();
        let mut down = BTreeMap::new();
        // (up?, dialect, first line, collected lines)
        let mut section: Option<(bool, Option<Dialect>, usize, Vec<&str>)> = None;
        let finish = |s: Option<(bool, Option<Dialect>, usize, Vec<&str>)>,
                      up: &mut BTreeMap<Option<Dialect>, Body>,
                      down: &mut BTreeMap<Option<Dialect>, Body>| {
            if let Some((is_up, dialect, first_line, lines)) = s {
                let body = Body {
                    sql: lines.join("\n"),
                    first_line,
                    rendered: false,
                };
                if is_up {
                    up.insert(dialect, body)
                } else {
                    down.insert(dialect, body)
                };
            }
        };
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            match classify(raw) {
                Line::Section { up: is_up, dialect } => {
                    let dialect = match dialect {
                        None => None,
                        Some(d) => Some(Dialect::from_name(d).ok_or_else(|| {
                            err(n, format!("unknown dialect '{d}' (expected postgresql, mysql or sqlite)"))
                        })?),
                    };
                    let seen = if is_up { &up } else { &down };
                    let dup = seen.contains_key(&dialect)
                        || section.as_ref().is_some_and(|(u, d, _, _)| *u == is_up && *d == dialect);
                    if dup {
                        let name = format!("-- migrate:{}{}", if is_up { "up" } else { "down" }, dialect.map(|d| format!(" {d}")).unwrap_or_default());
                        return Err(err(n, format!("section '{name}' appears twice")));
                    }
                    finish(section.take(), &mut up, &mut down);
                    section = Some((is_up, dialect, n + 1, Vec::new()));
                }
                Line::BadSection { name } => {
                    return Err(err(n, format!("unknown section 'migrate:{name}' (expected '-- migrate:up' or '-- migrate:down', optionally followed by a dialect)")));
                }
                other => match &mut section {
                    Some((_, _, _, lines)) => lines.push(raw),
                    None => match other {
                        // `-- stratum: allow RULE REASON` acknowledges a safety check; it is
                        // read by the checks, not a header key.
                        Line::Key { key: "stratum", .. } => {}
                        Line::Key { key, value } => {
                            if !KEYS.contains(&key) {
                                return Err(err(n, format!("unknown header key '{key}' (expected one of: {})", KEYS.join(", "))));
                            }
                            if values.insert(key, (value, n)).is_some() {
                                return Err(err(n, format!("header key '{key}' appears twice")));
                            }
                        }
                        Line::Sql => {
                            return Err(err(n, "SQL before the first '-- migrate:up' section; put statements under '-- migrate:up' or '-- migrate:down'".into()))
                        }
                        _ => {}
                    },
                },
            }
        }
        finish(section.take(), &mut up, &mut down);

        let get = |k: &str| values.get(k).copied();
        let (id, id_line) =
            get("revision").ok_or_else(|| err(1, "missing '-- revision:' header".into()))?;
        validate_revision_id(id).map_err(|e| err(id_line, e.to_string()))?;
        get("down_revision").ok_or_else(|| {
            err(
                id_line,
                "missing '-- down_revision:' header (leave it empty for a first revision)".into(),
            )
        })?;
        let parse_list = |k: &str| -> Result<Vec<String>, ProjectError> {
            match get(k) {
                None => Ok(Vec::new()),
                Some((v, line)) => list(v).map_err(|m| err(line, m)),
            }
        };
        let down_revisions = parse_list("down_revision")?;
        let branch_labels = parse_list("branch_labels")?;
        let depends_on = parse_list("depends_on")?;
        let created = match get("created") {
            None => None,
            Some((v, line)) => Some(parse_created(v).ok_or_else(|| {
                err(
                    line,
                    format!("'created: {v}' is not a date and time like 2025-02-05 10:35:00"),
                )
            })?),
        };
        let transactional = match get("transaction") {
            None => true,
            Some(("true", _)) => true,
            Some(("false", _)) => false,
            Some((v, line)) => {
                return Err(err(
                    line,
                    format!("'transaction: {v}' must be true or false"),
                ))
            }
        };
        let end = text.lines().count().max(1);
        if up.is_empty() {
            return Err(err(end, "missing section '-- migrate:up'".into()));
        }
        if down.is_empty() {
            return Err(err(
                end,
                "missing section '-- migrate:down' (it may be empty, but it must be there)".into(),
            ));
        }
        Ok(RevisionFile {
            source: Source::Sql,
            path: path.into(),
            revision: Revision {
                id: id.to_string(),
                down_revisions,
                branch_labels,
                depends_on,
            },
            message: get("message")
                .map(|(v, _)| v.to_string())
                .unwrap_or_default(),
            created,
            transactional,
            key_lines: values
                .iter()
                .map(|(k, (_, l))| (k.to_string(), *l))
                .collect(),
            up,
            down,
        })
    }

    /// An Alembic revision, its bodies not rendered yet.
    pub fn python(p: PythonRevision) -> RevisionFile {
        RevisionFile {
            source: Source::Python,
            created: p.created.as_deref().and_then(parse_created),
            path: p.path,
            revision: p.revision,
            message: p.message,
            transactional: true,
            key_lines: p.key_lines,
            up: BTreeMap::new(),
            down: BTreeMap::new(),
        }
    }

    /// An Alembic revision's SQL for `dialect`, as Alembic's offline mode printed it.
    pub fn set_rendered(&mut self, dialect: Dialect, up: String, down: String) {
        for (bodies, sql, key) in [
            (&mut self.up, up, "upgrade"),
            (&mut self.down, down, "downgrade"),
        ] {
            let first_line = self.key_lines.get(key).copied().unwrap_or(1);
            bodies.insert(
                Some(dialect),
                Body {
                    sql,
                    first_line,
                    rendered: true,
                },
            );
        }
    }

    pub fn id(&self) -> &str {
        &self.revision.id
    }

    /// The body that runs on `dialect`: its own section, else the plain one.
    pub fn body(&self, up: bool, dialect: Dialect) -> Option<&Body> {
        let bodies = if up { &self.up } else { &self.down };
        bodies.get(&Some(dialect)).or_else(|| bodies.get(&None))
    }

    /// Every body with the dialect it is for (`None`: plain).
    pub fn bodies(&self, up: bool) -> impl Iterator<Item = (Option<Dialect>, &Body)> {
        let bodies = if up { &self.up } else { &self.down };
        bodies.iter().map(|(d, b)| (*d, b))
    }

    /// The statements that run on `dialect`, with file line numbers.
    pub fn statements(&self, up: bool, dialect: Dialect) -> Result<Vec<Statement>, ProjectError> {
        let Some(body) = self.body(up, dialect) else {
            if self.source == Source::Python {
                // Never an empty list: that would run nothing and still move the version rows.
                return Err(ProjectError::Parse {
                    path: self.path.clone(),
                    line: self.line_of(if up { "upgrade" } else { "downgrade" }),
                    message: format!("the SQL of this Alembic revision for {dialect} has not been rendered through Alembic's offline mode"),
                });
            }
            return Ok(Vec::new());
        };
        if body.rendered {
            let at = body.first_line;
            return split(&body.sql, dialect)
                .map(|stmts| {
                    stmts
                        .into_iter()
                        .map(|s| Statement { line: at, ..s })
                        .collect()
                })
                .map_err(|e| ProjectError::Parse {
                    path: self.path.clone(),
                    line: at,
                    message: format!("{e} (in the SQL Alembic rendered for {dialect})"),
                });
        }
        let offset = body.first_line - 1;
        split(&body.sql, dialect)
            .map(|stmts| {
                stmts
                    .into_iter()
                    .map(|s| Statement {
                        line: s.line + offset,
                        ..s
                    })
                    .collect()
            })
            .map_err(|e| ProjectError::Parse {
                path: self.path.clone(),
                line: e.line() + offset,
                message: format!(
                    "{e} (in the {} section for {dialect})",
                    if up { "upgrade" } else { "downgrade" }
                ),
            })
    }

    /// The header line of `key`, or the revision line, for pointing at a problem.
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines
            .get(key)
            .or_else(|| self.key_lines.get("revision"))
            .copied()
            .unwrap_or(1)
    }
}

fn parse_created(v: &str) -> Option<NaiveDateTime> {
    let formats = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ];
    // Alembic writes `str(datetime)`, which ends in a time zone (`+00:00`) where the
    // project sets one: the wall-clock part is what the team reads.
    let v = v.trim();
    [v, v.get(..26).unwrap_or(v), v.get(..19).unwrap_or(v)]
        .iter()
        .find_map(|v| {
            formats
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
        })
}
