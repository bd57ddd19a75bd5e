//! The comment header of a native revision file and its section markers.

/// Header keys, in the order a new file writes them.
pub(crate) const KEYS: [&str; 7] = [
    "revision",
    "down_revision",
    "branch_labels",
    "depends_on",
    "message",
    "created",
    "transaction",
];

/// What one line of a revision file is, before the first section and between sections.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// `-- key: value`
    Key {
        key: &'a str,
        value: &'a str,
    },
    /// `-- migrate:up [dialect]` / `-- migrate:down [dialect]`
    Section {
        up: bool,
        dialect: Option<&'a str>,
    },
    /// `-- migrate:<something else>`
    BadSection {
        name: &'a str,
    },
    Comment,
    Blank,
    Sql,
}

pub(crate) fn classify(line: &str) -> Line<'_> {
    let t = line.trim();
    if t.is_empty() {
        return Line::Blank;
    }
    let Some(comment) = t.strip_prefix("--") else {
        return Line::Sql;
    };
    let c = comment.trim();
    if let Some(rest) = c.strip_prefix("migrate:") {
        let mut words = rest.split_whitespace();
        let name = words.next().unwrap_or("");
        let dialect = words.next();
        return match (name, words.next()) {
            ("up", None) => Line::Section { up: true, dialect },
            ("down", None) => Line::Section { up: false, dialect },
            _ => Line::BadSection { name: rest.trim() },
        };
    }
    if let Some((key, value)) = c.split_once(':') {
        let key = key.trim_end();
        if !key.is_empty()
            && key
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        {
            return Line::Key {
                key,
                value: value.trim(),
            };
        }
    }
    Line::Comment
}

/// A comma-separated header list; empty means none.
pub(crate) fn list(value: &str) -> Result<Vec<String>, String> {
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    value
        .split(',')
        .map(|v| {
            let v = v.trim();
            if v.is_empty() {
                Err(format!("empty entry in the list '{value}'"))
            } else {
                Ok(v.to_string())
            }
        })
        .collect()
}
