//! `-- stratum: allow <rule>[,<rule>...] <reason>` comments.

use stratum_project::Statement;

/// One acknowledgement comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ack {
    pub rules: Vec<String>,
    /// `None` when the comment names rules but gives no reason, which acknowledges nothing.
    pub reason: Option<String>,
}

/// How a finding stands against the acknowledgements that apply to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AckState {
    None,
    /// Named, but without a reason: the team must say why, so it still counts as unseen.
    WithoutReason,
    Reason(String),
}

pub(crate) fn resolve(acks: &[Ack], rule: &str) -> AckState {
    let mut state = AckState::None;
    for ack in acks.iter().filter(|a| a.rules.iter().any(|r| r == rule)) {
        match &ack.reason {
            Some(reason) => return AckState::Reason(reason.clone()),
            None => state = AckState::WithoutReason,
        }
    }
    state
}

/// The acknowledgement in the comment on `line`, if it holds one. The comment may follow SQL
/// on the same line (`DROP TABLE t; -- stratum: allow ...`).
pub(crate) fn parse_line(line: &str) -> Option<Ack> {
    let mut rest = line;
    while let Some(at) = rest.find("--").or_else(|| rest.find('#')) {
        let marker = if rest[at..].starts_with("--") { 2 } else { 1 };
        let comment = rest[at + marker..].trim_start();
        if let Some(ack) = parse_comment(comment) {
            return Some(ack);
        }
        rest = &rest[at + marker..];
    }
    None
}

/// `comment` is the text after the comment marker.
fn parse_comment(comment: &str) -> Option<Ack> {
    let body = strip_prefix_ci(comment, "stratum:")?.trim_start();
    let after_allow = strip_prefix_ci(body, "allow")?;
    if !after_allow.starts_with(char::is_whitespace) {
        return None;
    }
    let mut rest = after_allow.trim_start();
    let mut rules = Vec::new();
    loop {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        rules.push(rest[..len].to_ascii_lowercase());
        let after = rest[len..].trim_start();
        match after.strip_prefix(',') {
            Some(more) => rest = more.trim_start(),
            None => {
                rest = after;
                break;
            }
        }
    }
    if rules.is_empty() {
        return None;
    }
    // Writers separate the reason in many ways: `drop-table: why`, `drop-table - why`.
    let reason = rest
        .trim_start_matches(|c: char| c == ':' || c == '-' || c == '—' || c.is_whitespace())
        .trim_end()
        .trim_end_matches("*/")
        .trim_end();
    Some(Ack {
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    })
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn is_comment_line(trimmed: &str) -> bool {
    trimmed.starts_with("--") || trimmed.starts_with('#')
}

/// A `-- migrate:up` / `-- migrate:down` line (with or without a dialect).
pub(crate) fn is_section_marker(line: &str) -> bool {
    line.trim()
        .strip_prefix("--")
        .is_some_and(|c| c.trim_start().starts_with("migrate:"))
}

/// The acknowledgements that apply to `stmt`: on its first line of SQL, and on the contiguous
/// comment lines just above it.
///
/// The splitter points `line` at the statement's SQL and keeps the comments above it in `sql`;
/// other callers may point it at those comments, or give file text that does not hold them, so
/// the statement's own text is read when the file line is not its SQL.
pub(crate) fn for_statement(lines: &[&str], stmt: &Statement) -> Vec<Ack> {
    let mut leading: Vec<&str> = Vec::new();
    let mut code = None;
    for line in stmt.sql.lines() {
        let t = line.trim();
        if t.is_empty() || is_comment_line(t) {
            leading.push(t);
        } else {
            code = Some(t);
            break;
        }
    }
    let file_line = stmt
        .line
        .checked_sub(1)
        .and_then(|i| lines.get(i))
        .map(|l| l.trim());
    let mut acks = Vec::new();
    if let (Some(code), Some(file_line)) = (code, file_line) {
        if file_line.contains(code) {
            acks.extend(parse_line(file_line));
            acks.extend(comments_above(lines, stmt.line));
            return acks;
        }
    }
    // A comment after the previous statement's terminator, on its line, starts this statement's
    // text but acknowledges the previous statement.
    let shares_line = file_line.is_some_and(|l| {
        !is_comment_line(l)
            && leading
                .first()
                .is_some_and(|c| !c.is_empty() && l.ends_with(c))
    });
    let own_comments = if shares_line {
        &leading[1..]
    } else {
        &leading[..]
    };
    for t in own_comments.iter().rev() {
        if t.is_empty() {
            break;
        }
        acks.extend(parse_line(t));
    }
    acks.extend(code.and_then(parse_line));
    if file_line.is_some_and(is_comment_line) {
        acks.extend(comments_above(lines, stmt.line));
    }
    acks
}

/// Acknowledgements on the comment lines directly above file line `line`, up to a blank line,
/// a line of SQL or a section marker.
fn comments_above(lines: &[&str], line: usize) -> Vec<Ack> {
    let mut acks = Vec::new();
    let mut n = line.saturating_sub(1);
    while n >= 1 {
        let Some(text) = lines.get(n - 1) else { break };
        let t = text.trim();
        if t.is_empty() || !is_comment_line(t) || is_section_marker(t) {
            break;
        }
        acks.extend(parse_line(t));
        n -= 1;
    }
    acks
}

/// Acknowledgements that may stand for the whole revision: any comment line of the header
/// (before the first section marker) or of a downgrade section.
pub(crate) fn for_revision(lines: &[&str]) -> Vec<Ack> {
    let mut acks = Vec::new();
    let mut in_down = None::<bool>;
    for line in lines {
        let t = line.trim();
        if is_section_marker(t) {
            let marker = t.trim_start_matches('-').trim_start();
            in_down = Some(marker.starts_with("migrate:down"));
            continue;
        }
        if in_down.unwrap_or(true) && is_comment_line(t) {
            acks.extend(parse_line(t));
        }
    }
    acks
}
