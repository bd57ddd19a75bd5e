//! Alembic's Python revision files, read without running Python: the module-level names Alembic
//! reads (`revision`, `down_revision`, `branch_labels`, `depends_on`) and the module docstring,
//! with a real Python parser, so that tuples over several lines, comments, annotations and
//! reassignments mean what they mean to Python.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rustpython_parser::ast::{self, Constant, Expr, Stmt};
use rustpython_parser::{parse, Mode};
use stratum_graph::Revision;

use crate::ProjectError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonRevision {
    pub path: PathBuf,
    pub revision: Revision,
    /// The docstring's first paragraph, as `alembic history` shows it.
    pub message: String,
    /// The docstring's `Create Date:` value, as written.
    pub created: Option<String>,
    /// The line of each name's (last) assignment.
    pub key_lines: BTreeMap<String, usize>,
}

const KEYS: [&str; 4] = ["revision", "down_revision", "branch_labels", "depends_on"];

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}

/// What a value means to Alembic: a string, None, or a tuple/list of strings.
fn strings(value: &Expr) -> Option<Vec<String>> {
    match value {
        Expr::Constant(ast::ExprConstant {
            value: Constant::Str(s),
            ..
        }) => Some(vec![s.clone()]),
        Expr::Constant(ast::ExprConstant {
            value: Constant::None,
            ..
        }) => Some(Vec::new()),
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => elts
            .iter()
            .map(|e| match e {
                Expr::Constant(ast::ExprConstant {
                    value: Constant::Str(s),
                    ..
                }) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn docstring(body: &[Stmt]) -> Option<&str> {
    // Only a string that is the module's first statement is its docstring, as in Python.
    match body.first()? {
        Stmt::Expr(ast::StmtExpr { value, .. }) => match value.as_ref() {
            Expr::Constant(ast::ExprConstant {
                value: Constant::Str(s),
                ..
            }) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

impl PythonRevision {
    pub fn read(path: &Path) -> Result<PythonRevision, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProjectError::io(path, e))?;
        PythonRevision::parse(path, &text)
    }

    /// `overrides` supplies values the file computes (e.g. `down_revision = base.REV`), by name.
    pub fn parse(path: &Path, text: &str) -> Result<PythonRevision, ProjectError> {
        Self::parse_with(path, text, &BTreeMap::new())
    }

    pub fn parse_with(
        path: &Path,
        text: &str,
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<PythonRevision, ProjectError> {
        let err = |line: usize, message: String| ProjectError::Parse {
            path: path.to_path_buf(),
            line,
            message,
        };
        let module = parse(text, Mode::Module, &path.display().to_string()).map_err(|e| {
            err(
                line_of(text, usize::from(e.offset)),
                format!("not valid Python: {}", e.error),
            )
        })?;
        let body = match module {
            ast::Mod::Module(m) => m.body,
            _ => Vec::new(),
        };
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut key_lines = BTreeMap::new();
        for stmt in &body {
            let (target, value, at) = match stmt {
                Stmt::Assign(a) if a.targets.len() == 1 => {
                    (&a.targets[0], Some(a.value.as_ref()), a.range.start())
                }
                Stmt::AnnAssign(a) => (a.target.as_ref(), a.value.as_deref(), a.range.start()),
                _ => continue,
            };
            let Expr::Name(ast::ExprName { id, .. }) = target else {
                continue;
            };
            let name = id.as_str();
            if !KEYS.contains(&name) {
                continue;
            }
            let Some(value) = value else { continue };
            let line = line_of(text, usize::from(at));
            key_lines.insert(name.to_string(), line);
            // A later assignment wins, as when Python runs the module.
            match strings(value) {
                Some(v) => {
                    values.insert(name.to_string(), v);
                }
                None => match overrides.get(name) {
                    Some(v) => {
                        values.insert(name.to_string(), v.clone());
                    }
                    None => {
                        let source = text
                            .get(
                                usize::from(value_range(value).0)
                                    ..usize::from(value_range(value).1),
                            )
                            .unwrap_or("?");
                        return Err(err(
                            line,
                            format!(
                                "{name} is an expression (`{source}`) that Stratum cannot read without running Python; write the value literally, or give it in the profile"
                            ),
                        ));
                    }
                },
            }
        }
        let revision = match values.remove("revision") {
            Some(v) if v.len() == 1 && !v[0].is_empty() => v[0].clone(),
            Some(_) => {
                return Err(err(
                    key_lines.get("revision").copied().unwrap_or(1),
                    "revision must be a single string".into(),
                ))
            }
            None => return Err(err(1, "there is no `revision = \"...\"` at the top level: is this an Alembic revision file?".into())),
        };
        let doc = docstring(&body).unwrap_or("");
        let message = doc
            .trim()
            .split("\n\n")
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let created = doc
            .lines()
            .find_map(|l| l.trim().strip_prefix("Create Date:"))
            .map(|d| d.trim().to_string());
        Ok(PythonRevision {
            path: path.to_path_buf(),
            revision: Revision {
                id: revision,
                down_revisions: values.remove("down_revision").unwrap_or_default(),
                branch_labels: values.remove("branch_labels").unwrap_or_default(),
                depends_on: values.remove("depends_on").unwrap_or_default(),
            },
            message,
            created,
            key_lines,
        })
    }
}

fn value_range(
    e: &Expr,
) -> (
    rustpython_parser::text_size::TextSize,
    rustpython_parser::text_size::TextSize,
) {
    use rustpython_parser::ast::Ranged;
    (e.range().start(), e.range().end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> PythonRevision {
        PythonRevision::parse(Path::new("versions/x.py"), text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn fails(text: &str) -> String {
        PythonRevision::parse(Path::new("versions/x.py"), text)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_template_alembic_writes_is_read() {
        let r = read(
            "\"\"\"add phone to users\n\nRevision ID: 3f2a9c1b7d4e\nRevises: 001\nCreate Date: 2025-02-05 10:35:00.123456\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n# revision identifiers, used by Alembic.\nrevision = '3f2a9c1b7d4e'\ndown_revision = '001'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column('users', sa.Column('phone', sa.String(50)))\n",
        );
        assert_eq!(r.revision.id, "3f2a9c1b7d4e");
        assert_eq!(r.revision.down_revisions, ["001"]);
        assert!(r.revision.branch_labels.is_empty() && r.revision.depends_on.is_empty());
        assert_eq!(r.message, "add phone to users");
        assert_eq!(r.created.as_deref(), Some("2025-02-05 10:35:00.123456"));
        assert_eq!(r.key_lines.get("down_revision"), Some(&13));
    }

    #[test]
    fn annotated_names_tuples_over_several_lines_and_the_last_assignment_win() {
        let r = read(
            "\"\"\"merge\"\"\"\nfrom typing import Sequence, Union\n\nrevision: str = \"m1.2-release\"\ndown_revision: Union[str, Sequence[str], None] = (\n    \"a1\",  # the main line\n    'b2',\n)\nbranch_labels: str | Sequence[str] | None = ['reporting',]\ndepends_on = 'x'\ndepends_on = None\n",
        );
        assert_eq!(r.revision.id, "m1.2-release");
        assert_eq!(r.revision.down_revisions, ["a1", "b2"]);
        assert_eq!(r.revision.branch_labels, ["reporting"]);
        assert!(r.revision.depends_on.is_empty(), "the last assignment wins");
    }

    #[test]
    fn a_string_after_the_imports_is_no_docstring() {
        let r = read("import sqlalchemy\n\"\"\"not the docstring\"\"\"\nrevision = 'a'\ndown_revision = None\n");
        assert_eq!(r.message, "");
        assert_eq!(r.revision.down_revisions, Vec::<String>::new());
    }

    #[test]
    fn an_expression_is_reported_with_its_line_and_can_be_supplied() {
        let text = "revision = 'b'\nfrom .base import REV\ndown_revision = REV\n";
        let e = fails(text);
        assert!(
            e.contains("versions/x.py:3") && e.contains("`REV`") && e.contains("profile"),
            "{e}"
        );
        let mut given = BTreeMap::new();
        given.insert("down_revision".to_string(), vec!["a".to_string()]);
        let r = PythonRevision::parse_with(Path::new("versions/x.py"), text, &given)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.revision.down_revisions, ["a"]);
    }

    #[test]
    fn broken_python_and_a_missing_revision_are_clear_errors() {
        let e = fails("revision = 'a'\ndown_revision = ('x',\n");
        assert!(
            e.contains("versions/x.py:") && e.contains("not valid Python"),
            "{e}"
        );
        let e = fails("down_revision = None\n");
        assert!(e.contains("no `revision"), "{e}");
    }
}
