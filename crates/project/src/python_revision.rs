//! Alembic's Python revision files, read without running Python: the module-level names Alembic
//! reads (`revision`, `down_revision`, `branch_labels`, `depends_on`) and the module docstring,
//! with a real Python parser, so that tuples over several lines, comments, annotations and
//! reassignments mean what they mean to Python.
//!
//! A value is read only where its meaning is certain without running the module: literals,
//! names bound earlier to literals, literal tuple unpacking. Anything else that binds one of the
//! four names (an import, a conditional block, a loop, `del`, a walrus, `+=`) makes that name
//! "computed": it is reported with its line, and can be supplied by the user instead. Stratum
//! never guesses a revision's parents.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rustpython_ast::Visitor;
use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use rustpython_parser::{lexer::lex, parse, Mode, Tok};
use stratum_graph::Revision;

use crate::ProjectError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonRevision {
    pub path: PathBuf,
    pub revision: Revision,
    /// The docstring's first paragraph, exactly as Alembic takes it (it may span lines).
    pub message: String,
    /// The docstring's `Create Date:` value, as written.
    pub created: Option<String>,
    /// The line of each name's (last) assignment, and of `def upgrade` / `def downgrade`.
    pub key_lines: BTreeMap<String, usize>,
}

const KEYS: [&str; 4] = ["revision", "down_revision", "branch_labels", "depends_on"];

/// Values the user supplies for names a file computes, by name.
pub type Supplied = BTreeMap<String, Vec<String>>;

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}

/// Line numbers of byte offsets, for many statements of one file.
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Lines {
        Lines(text.match_indices('\n').map(|(i, _)| i).collect())
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// What a module-level name holds, as far as a reader can know.
#[derive(Debug, Clone)]
enum Value {
    /// None, a string, or a tuple/list of strings (Alembic's `to_tuple` makes them one list).
    Known(Vec<String>),
    /// Anything else; the source text, for the message.
    Computed(String),
}

fn constant_str(e: &Expr) -> Option<&str> {
    match e {
        Expr::Constant(ast::ExprConstant {
            value: Constant::Str(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

struct Reader<'a> {
    text: &'a str,
    names: HashMap<String, Value>,
}

impl Reader<'_> {
    fn source(&self, e: &Expr) -> String {
        let r = e.range();
        self.text
            .get(usize::from(r.start())..usize::from(r.end()))
            .unwrap_or("?")
            .to_string()
    }

    /// One string: a literal, or a name bound to one.
    fn string(&self, e: &Expr) -> Option<String> {
        if let Some(s) = constant_str(e) {
            return Some(s.to_string());
        }
        match e {
            Expr::Name(n) => match self.names.get(n.id.as_str()) {
                Some(Value::Known(v)) if v.len() == 1 => Some(v[0].clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn eval(&self, e: &Expr) -> Value {
        let computed = || Value::Computed(self.source(e));
        match e {
            Expr::Constant(ast::ExprConstant {
                value: Constant::None,
                ..
            }) => Value::Known(Vec::new()),
            Expr::Constant(_) => match constant_str(e) {
                Some(s) => Value::Known(vec![s.to_string()]),
                None => computed(),
            },
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                elts.iter()
                    .map(|x| self.string(x))
                    .collect::<Option<Vec<_>>>()
                    .map(Value::Known)
                    .unwrap_or_else(computed)
            }
            // Alembic takes any iterable; a set of one is that one string. A set of several
            // comes out in an order Python's string hashing decides anew each run.
            Expr::Set(ast::ExprSet { elts, .. }) if elts.len() == 1 => self
                .string(&elts[0])
                .map(|s| Value::Known(vec![s]))
                .unwrap_or_else(computed),
            Expr::Name(n) => self
                .names
                .get(n.id.as_str())
                .cloned()
                .unwrap_or_else(computed),
            _ => computed(),
        }
    }

    /// `target = value`: plain names, and literal tuple unpacking; `false` for other targets.
    fn bind(&mut self, target: &Expr, value: &Expr) -> bool {
        match target {
            Expr::Name(n) => {
                let v = self.eval(value);
                self.names.insert(n.id.to_string(), v);
                true
            }
            Expr::Tuple(ast::ExprTuple { elts: targets, .. })
            | Expr::List(ast::ExprList { elts: targets, .. }) => {
                let values = match value {
                    Expr::Tuple(ast::ExprTuple { elts, .. })
                    | Expr::List(ast::ExprList { elts, .. }) => elts,
                    _ => return false,
                };
                let plain = targets.iter().all(|t| matches!(t, Expr::Name(_)))
                    && !values.iter().any(|v| matches!(v, Expr::Starred(_)));
                if !plain || targets.len() != values.len() {
                    return false;
                }
                // Python evaluates the whole right side before binding.
                let evaluated: Vec<Value> = values.iter().map(|v| self.eval(v)).collect();
                for (t, v) in targets.iter().zip(evaluated) {
                    if let Expr::Name(n) = t {
                        self.names.insert(n.id.to_string(), v);
                    }
                }
                true
            }
            _ => false,
        }
    }
}

/// Python's tokenizer refuses more than 200 nested brackets ("too many nested parentheses"), and
/// so does Stratum, before the parser builds a tree that deep: reading, copying and dropping
/// the tree recurse, and would run out of stack (a thread has 2 MiB) on one nested thousands
/// of levels deep.
const MAX_BRACKETS: usize = 200;

/// Where the first bracket nested deeper than Python allows is, if any. An f-string's
/// expressions are parsed from its text, so the brackets in it count too.
fn too_many_brackets(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for token in lex(text, Mode::Module) {
        // A file the lexer refuses is reported by the parser.
        let Ok((tok, range)) = token else {
            return None;
        };
        let (start, inner) = match tok {
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => {
                depth += 1;
                (usize::from(range.start()), "")
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Tok::String { kind, .. } if kind.is_any_fstring() => {
                let start = usize::from(range.start());
                (
                    start,
                    text.get(start..usize::from(range.end())).unwrap_or(""),
                )
            }
            _ => continue,
        };
        let mut d = depth;
        for (i, c) in std::iter::once((0, ' ')).chain(inner.char_indices()) {
            match c {
                '(' | '[' | '{' => d += 1,
                ')' | ']' | '}' => d = d.saturating_sub(1),
                _ => {}
            }
            if d > MAX_BRACKETS {
                return Some(start + i);
            }
        }
    }
    None
}

/// How deep the visitors below follow nested statements, expressions and patterns, for what
/// nests without brackets (`- - - x`, `a + b + ...`, `x if a else y if b else ...`): twice as
/// deep as Python nests brackets, which a visitor's recursion follows within 2 MiB of stack
/// even in a debug build.
const MAX_DEPTH: usize = 2 * MAX_BRACKETS;

/// The nesting level of a visitor, and whether it met something nested deeper than it follows.
#[derive(Default)]
struct Depth {
    now: usize,
    exceeded: bool,
}

impl Depth {
    /// Enters one level, or notes that it would be too deep.
    fn enter(&mut self) -> bool {
        if self.now >= MAX_DEPTH {
            self.exceeded = true;
            return false;
        }
        self.now += 1;
        true
    }

    fn leave(&mut self) {
        self.now -= 1;
    }
}

/// A visitor's `visit_stmt`, `visit_expr` and `visit_pattern`, which do not go deeper than
/// [`MAX_DEPTH`] (its `depth` field).
macro_rules! depth_limited {
    () => {
        fn visit_stmt(&mut self, node: Stmt) {
            if self.depth.enter() {
                self.generic_visit_stmt(node);
                self.depth.leave();
            }
        }
        fn visit_expr(&mut self, node: Expr) {
            if self.depth.enter() {
                self.generic_visit_expr(node);
                self.depth.leave();
            }
        }
        fn visit_pattern(&mut self, node: ast::Pattern) {
            if self.depth.enter() {
                self.generic_visit_pattern(node);
                self.depth.leave();
            }
        }
    };
}

/// Finds the names a statement binds in a way the reader does not follow (a nested block, an import, a loop target, `del`, a walrus, `globals()[...]`).
#[derive(Default)]
struct Binders {
    found: Vec<(String, String)>,
    depth: Depth,
}

impl Binders {
    fn note(&mut self, name: &str, how: &str) {
        self.found.push((name.to_string(), how.to_string()));
    }
}

impl Visitor for Binders {
    depth_limited!();

    // Function and class bodies have their own scope; they do not run at import.
    fn visit_stmt_function_def(&mut self, _: ast::StmtFunctionDef) {}
    fn visit_stmt_async_function_def(&mut self, _: ast::StmtAsyncFunctionDef) {}
    fn visit_stmt_class_def(&mut self, _: ast::StmtClassDef) {}
    fn visit_expr_lambda(&mut self, _: ast::ExprLambda) {}

    fn visit_expr_name(&mut self, node: ast::ExprName) {
        if !matches!(node.ctx, ast::ExprContext::Load) {
            self.note(
                node.id.as_str(),
                "is bound here in a way only running the module decides",
            );
        }
    }

    fn visit_stmt_assign(&mut self, node: ast::StmtAssign) {
        for t in &node.targets {
            // globals()["revision"] = ...
            if let Expr::Subscript(s) = t {
                if let (Expr::Call(_), Some(key)) = (s.value.as_ref(), constant_str(&s.slice)) {
                    self.note(key, "is set through a subscript");
                }
            }
        }
        self.generic_visit_stmt_assign(node);
    }

    fn visit_alias(&mut self, node: ast::Alias) {
        let bound = node.asname.as_ref().unwrap_or(&node.name);
        let bound = bound.as_str().split('.').next().unwrap_or("");
        self.note(bound, "is imported from another module");
    }

    fn visit_excepthandler_except_handler(&mut self, node: ast::ExceptHandlerExceptHandler) {
        if let Some(n) = &node.name {
            self.note(n.as_str(), "is bound by an except clause");
        }
        self.generic_visit_excepthandler_except_handler(node);
    }

    fn visit_stmt_global(&mut self, _: ast::StmtGlobal) {}

    /// `exec(...)`, `globals().update(...)`, `setattr(module, "revision", ...)`: any name may be
    /// bound by what only running them decides.
    fn visit_expr_call(&mut self, node: ast::ExprCall) {
        let how = match node.func.as_ref() {
            Expr::Name(n) if matches!(n.id.as_str(), "exec" | "eval") => {
                Some(format!("may be set by {}() at run time", n.id))
            }
            Expr::Attribute(a)
                if a.attr.as_str() == "update" && matches!(a.value.as_ref(), Expr::Call(_)) =>
            {
                Some("may be set by globals().update()".to_string())
            }
            Expr::Name(n) if n.id.as_str() == "setattr" => node
                .args
                .get(1)
                .and_then(constant_str)
                .filter(|k| KEYS.contains(k))
                .map(|_| "is set by setattr()".to_string()),
            _ => None,
        };
        if let Some(how) = how {
            let named = match node.func.as_ref() {
                Expr::Name(n) if n.id.as_str() == "setattr" => {
                    node.args.get(1).and_then(constant_str)
                }
                _ => None,
            };
            for key in KEYS.iter().filter(|k| named.is_none_or(|n| n == **k)) {
                self.note(key, &how);
            }
        }
        self.generic_visit_expr_call(node);
    }
}

fn docstring(body: &[Stmt]) -> Option<&str> {
    // Only a string that is the module's first statement is its docstring, as in Python.
    match body.first()? {
        Stmt::Expr(ast::StmtExpr { value, .. }) => constant_str(value),
        _ => None,
    }
}

impl PythonRevision {
    pub fn read(path: &Path, supplied: &Supplied) -> Result<PythonRevision, ProjectError> {
        let bytes = std::fs::read(path).map_err(|e| ProjectError::io(path, e))?;
        PythonRevision::parse(path, &decode(path, bytes)?, supplied)
    }

    /// `supplied` gives values the file computes (e.g. `down_revision = base.REV`), by name.
    pub fn parse(
        path: &Path,
        text: &str,
        supplied: &Supplied,
    ) -> Result<PythonRevision, ProjectError> {
        // Python reads CRLF and CR as newlines; so do line numbers here.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let err = |line: usize, message: String| ProjectError::Parse {
            path: path.to_path_buf(),
            line,
            message,
        };
        if let Some(at) = too_many_brackets(text) {
            return Err(err(
                line_of(text, at),
                format!(
                    "not valid Python: too many nested parentheses (Python allows {MAX_BRACKETS})"
                ),
            ));
        }
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
        let mut reader = Reader {
            text,
            names: HashMap::new(),
        };
        let lines = Lines::of(text);
        let mut key_lines = BTreeMap::new();
        // A name bound in a way the reader does not follow, with its line and how.
        let mut uncertain: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for stmt in &body {
            let line = lines.line(usize::from(stmt.range().start()));
            let simple = match stmt {
                Stmt::Assign(a) => {
                    let value = a.value.as_ref();
                    let all = a
                        .targets
                        .iter()
                        .all(|t| matches!(t, Expr::Name(_) | Expr::Tuple(_) | Expr::List(_)));
                    all && a.targets.iter().all(|t| reader.bind(t, value))
                }
                Stmt::AnnAssign(a) => match (a.target.as_ref(), a.value.as_deref()) {
                    (Expr::Name(_), Some(v)) => reader.bind(&a.target, v),
                    // An annotation alone binds nothing.
                    (Expr::Name(_), None) => true,
                    _ => false,
                },
                Stmt::FunctionDef(f) => {
                    if f.name.as_str() == "upgrade" || f.name.as_str() == "downgrade" {
                        key_lines.insert(f.name.to_string(), line);
                    }
                    true
                }
                _ => false,
            };
            let bound_here: Vec<&str> = match stmt {
                Stmt::Assign(a) => a.targets.iter().flat_map(target_names).collect(),
                Stmt::AnnAssign(a) if a.value.is_some() => target_names(&a.target),
                _ => Vec::new(),
            };
            for name in bound_here.iter().filter(|n| KEYS.contains(n)) {
                key_lines.insert(name.to_string(), line);
                if simple {
                    // A later plain assignment settles what came before it.
                    uncertain.remove(*name);
                }
            }
            if !simple {
                let mut binders = Binders::default();
                binders.visit_stmt(stmt.clone());
                if binders.depth.exceeded {
                    return Err(err(
                        line,
                        format!("this statement nests more than {MAX_DEPTH} levels deep, deeper than Stratum follows"),
                    ));
                }
                for (name, how) in binders.found {
                    // What the name held before is no longer certain either.
                    reader
                        .names
                        .insert(name.clone(), Value::Computed(name.clone()));
                    if KEYS.contains(&name.as_str()) {
                        key_lines.insert(name.clone(), line);
                        uncertain.insert(name, (line, how));
                    }
                }
            }
        }

        let mut values: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for key in KEYS {
            if let Some(v) = supplied.get(key) {
                values.insert(key, v.clone());
                continue;
            }
            if let Some((line, how)) = uncertain.get(key) {
                return Err(ProjectError::Computed {
                    path: path.to_path_buf(),
                    line: *line,
                    name: key.to_string(),
                    why: format!("{key} {how}"),
                });
            }
            match reader.names.get(key) {
                Some(Value::Known(v)) => {
                    values.insert(key, v.clone());
                }
                Some(Value::Computed(source)) => {
                    return Err(ProjectError::Computed {
                        path: path.to_path_buf(),
                        line: key_lines.get(key).copied().unwrap_or(1),
                        name: key.to_string(),
                        why: format!("{key} is an expression (`{source}`)"),
                    })
                }
                None => {}
            }
        }
        let revision = match values.remove("revision") {
            Some(v) if v.len() == 1 && !v[0].is_empty() => v[0].clone(),
            Some(_) => {
                return Err(err(
                    key_lines.get("revision").copied().unwrap_or(1),
                    "revision must be a single, non-empty string".into(),
                ))
            }
            // Alembic's legacy rule: a file named with a hex id alone is that revision.
            None => match legacy_id(path) {
                Some(id) => id,
                None => return Err(err(1, "there is no `revision = \"...\"` at the top level: is this an Alembic revision file?".into())),
            },
        };
        let doc = docstring(&body).unwrap_or("");
        // Alembic's `Script.doc`: the stripped docstring up to the first "\n\n", inner line
        // breaks and indentation kept (`alembic history` prints it so).
        let message = doc.trim().split("\n\n").next().unwrap_or("").to_string();
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

/// `3f2a9c1b.py` names revision `3f2a9c1b` when the file assigns none (Alembic 0.1's files).
fn legacy_id(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".py")?;
    (!stem.is_empty() && stem.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
        .then(|| stem.to_string())
}

/// The text of a Python file: UTF-8, unless its first two lines declare another encoding
/// (PEP 263); Latin-1 is read, others are named in the error.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, ProjectError> {
    let declared = bytes
        .split(|b| *b == b'\n')
        .take(2)
        .filter_map(|l| std::str::from_utf8(l).ok())
        .filter(|l| l.trim_start().starts_with('#'))
        .find_map(|l| {
            let at = l.find("coding")?;
            let rest = l[at + 6..].strip_prefix([':', '='])?.trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            Some(name.to_ascii_lowercase().replace('_', "-"))
        });
    match declared.as_deref() {
        None | Some("utf-8" | "utf8") => String::from_utf8(bytes).map_err(|e| ProjectError::Parse {
            path: path.into(),
            line: 1,
            message: format!("not UTF-8 text ({e})"),
        }),
        Some("latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1") => {
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
        Some(other) => Err(ProjectError::Parse {
            path: path.into(),
            line: 1,
            message: format!(
                "the file declares the encoding '{other}'; Stratum reads UTF-8 and Latin-1 revision files"
            ),
        }),
    }
}

fn target_names(t: &Expr) -> Vec<&str> {
    match t {
        Expr::Name(n) => vec![n.id.as_str()],
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().flat_map(target_names).collect()
        }
        Expr::Starred(s) => target_names(&s.value),
        _ => Vec::new(),
    }
}

/// The `version_table` and `version_table_schema` an `env.py` passes to `context.configure`,
/// where it writes them as literals; anything else is left to the profile.
pub fn env_version_table(env_py: &Path) -> (Option<String>, Option<String>) {
    match std::fs::read_to_string(env_py) {
        Ok(text) => env_version_table_in(&text),
        Err(_) => (None, None),
    }
}

/// [`env_version_table`] of an `env.py` already read; `(None, None)` where it is not Python.
pub fn env_version_table_in(text: &str) -> (Option<String>, Option<String>) {
    #[derive(Default)]
    struct Find {
        table: Option<String>,
        schema: Option<String>,
        depth: Depth,
    }
    impl Visitor for Find {
        depth_limited!();

        fn visit_keyword(&mut self, node: ast::Keyword) {
            if let (Some(arg), Some(v)) = (&node.arg, constant_str(&node.value)) {
                match arg.as_str() {
                    "version_table" => self.table = Some(v.to_string()),
                    "version_table_schema" => self.schema = Some(v.to_string()),
                    _ => {}
                }
            }
            self.generic_visit_keyword(node);
        }
    }
    if too_many_brackets(text).is_some() {
        return (None, None);
    }
    let Ok(ast::Mod::Module(m)) = parse(text, Mode::Module, "env.py") else {
        return (None, None);
    };
    let mut f = Find::default();
    for s in m.body {
        f.visit_stmt(s);
    }
    (f.table, f.schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_with(text: &str, supplied: &Supplied) -> Result<PythonRevision, ProjectError> {
        PythonRevision::parse(Path::new("versions/x.py"), text, supplied)
    }

    fn read(text: &str) -> PythonRevision {
        parse_with(text, &Supplied::new()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn fails(text: &str) -> String {
        parse_with(text, &Supplied::new())
            .map(|_| ())
            .expect_err("it is refused")
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
        assert_eq!(r.key_lines.get("upgrade"), Some(&18));
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
    fn names_bound_to_literals_and_literal_unpacking_are_followed() {
        let r = read("BASE = 'a1'\nrevision, down_revision = 'b2', (BASE, 'c3')\n");
        assert_eq!(r.revision.id, "b2");
        assert_eq!(r.revision.down_revisions, ["a1", "c3"]);
        let r = read("revision = down = 'x'\ndown_revision = ()\n");
        assert_eq!(r.revision.id, "x");
        assert!(r.revision.down_revisions.is_empty(), "() means None");
    }

    #[test]
    fn an_expression_is_reported_with_its_line_and_can_be_supplied() {
        let text = "revision = 'b'\nfrom .base import REV\ndown_revision = REV\n";
        let e = fails(text);
        assert!(
            e.contains("versions/x.py:3") && e.contains("`REV`") && e.contains("profile"),
            "{e}"
        );
        let mut given = Supplied::new();
        given.insert("down_revision".to_string(), vec!["a".to_string()]);
        let r = parse_with(text, &given).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.revision.down_revisions, ["a"]);
    }

    #[test]
    fn a_name_bound_where_only_python_knows_is_never_guessed() {
        for (text, line) in [
            ("revision = 'a'\nif X:\n    down_revision = 'b'\nelse:\n    down_revision = 'c'\n", 2),
            ("revision = 'a'\ndown_revision = None\ntry:\n    from m import down_revision\nexcept ImportError:\n    pass\n", 3),
            ("revision = 'a'\ndown_revision = 'b'\ndel down_revision\n", 3),
            ("revision = 'a'\ndown_revision = 'b'\ndown_revision += 'c'\n", 3),
            ("revision = 'a'\ndown_revision = None\nglobals()['down_revision'] = 'z'\n", 3),
            ("revision = 'a'\ndown_revision = None\n(down_revision := 'z')\n", 3),
            ("revision = 'a'\nfor down_revision in ['x']:\n    pass\n", 2),
        ] {
            let e = fails(text);
            assert!(
                e.contains(&format!("versions/x.py:{line}:")) && e.contains("down_revision"),
                "{text:?}: {e}"
            );
        }
    }

    #[test]
    fn exec_and_friends_make_every_name_they_could_set_uncertain() {
        for (text, said) in [
            ("revision = 'a'\ndown_revision = None\nexec(\"down_revision = 'x'\")\n", "x.py:3: revision may be set by exec()"),
            ("revision = 'a'\ndown_revision = None\nglobals().update(down_revision='x')\n", "x.py:3: revision may be set by globals().update()"),
            ("import sys\nrevision = 'a'\ndown_revision = None\nsetattr(sys.modules[__name__], 'down_revision', 'x')\n", "x.py:4: down_revision is set by setattr()"),
        ] {
            let e = fails(text);
            assert!(e.contains(said), "{text:?}: {e}");
        }
    }

    #[test]
    fn a_multi_line_first_paragraph_is_kept_as_alembic_keeps_it() {
        let r = read("\"\"\"update the sql in the\n   query table\n\nRevision ID: a\n\"\"\"\nrevision = 'a'\ndown_revision = None\n");
        assert_eq!(r.message, "update the sql in the\n   query table");
    }

    #[test]
    fn a_hex_file_name_names_a_revision_that_assigns_none_and_latin_1_is_read() {
        let r = PythonRevision::parse(
            Path::new("versions/3f2a9c1b.py"),
            "down_revision = None\n",
            &Supplied::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.revision.id, "3f2a9c1b");
        let latin = decode(
            Path::new("x.py"),
            b"# -*- coding: latin-1 -*-\n\"caf\xe9\"\n".to_vec(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(latin.contains("caf\u{e9}"));
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

    /// Runs `f` on a thread with the 2 MiB stack a Rust or tokio thread has, like the app's.
    fn on_a_thread_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .expect("a thread starts")
            .join()
            .expect("the thread returns")
    }

    fn nested_list(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn more_brackets_nested_than_python_allows_are_an_error_not_a_stack_overflow() {
        for (deep, line) in [
            (nested_list(50_000), 4),
            (format!("(\n  {}\n)", nested_list(300)), 5),
            (format!("f'{{{}}}'", nested_list(300)), 4),
        ] {
            let text = format!("revision = 'a'\ndown_revision = None\nif X:\n    y = {deep}\n");
            let e = on_a_thread_stack(move || fails(&text));
            assert!(
                e.contains(&format!("versions/x.py:{line}:"))
                    && e.contains("too many nested parentheses"),
                "{e}"
            );
        }
        let text = format!(
            "revision = 'a'\ndown_revision = None\nif X:\n    y = {}\n",
            nested_list(200)
        );
        let r = on_a_thread_stack(move || read(&text));
        assert_eq!(r.revision.id, "a", "the 200 levels Python allows are read");
    }

    #[test]
    fn a_statement_nested_deeper_than_stratum_follows_is_an_error_not_a_stack_overflow() {
        let text = format!(
            "revision = 'a'\ndown_revision = None\nif X:\n    y = {}1\n",
            "- ".repeat(500)
        );
        let e = on_a_thread_stack(move || fails(&text));
        assert!(
            e.contains("versions/x.py:3:") && e.contains("nests more than 400 levels"),
            "{e}"
        );
        let text = format!(
            "revision = 'a'\ndown_revision = None\nif X:\n    y = {}1\n",
            "- ".repeat(390)
        );
        let r = on_a_thread_stack(move || read(&text));
        assert_eq!(r.revision.id, "a");
    }

    #[test]
    fn an_env_py_nested_deeper_than_python_allows_names_no_version_table() {
        let text = format!(
            "context.configure(version_table='v')\nif X:\n    y = {}\n",
            nested_list(50_000)
        );
        let found = on_a_thread_stack(move || env_version_table_in(&text));
        assert_eq!(found, (None, None));
        let text = format!(
            "context.configure(version_table='v')\nx = {}1\n",
            "-".repeat(500)
        );
        let found = on_a_thread_stack(move || env_version_table_in(&text));
        assert_eq!(found, (Some("v".to_string()), None));
    }

    #[test]
    fn crlf_files_and_a_byte_order_mark_read_like_any_other() {
        let r = read("\u{feff}\"\"\"first\r\n\r\nRevision ID: a\r\n\"\"\"\r\nrevision = 'a'\r\ndown_revision = None\r\n");
        assert_eq!((r.revision.id.as_str(), r.message.as_str()), ("a", "first"));
        assert_eq!(r.key_lines.get("revision"), Some(&5));
    }
}
