//! Settling a statement in doubt: one that was sent when the run was cut off and may or may
//! not have taken effect. Where its effect shows in the catalog (a table, a column, an index
//! made or dropped) the catalog says; otherwise the person is asked.

use stratum_project::Dialect;

use crate::ident::literal;
use crate::{Connection, DbError};

/// What the catalog says of a statement in doubt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Ran,
    NotRan,
    /// `CREATE INDEX CONCURRENTLY` cut off on PostgreSQL: the index exists but is INVALID; it
    /// is dropped and built again.
    InvalidIndex(String),
    /// The catalog cannot tell.
    Unknown,
}

/// A name as written: `schema.name`, quoted parts kept as written, unquoted ones folded as
/// the engine folds them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Name {
    schema: Option<String>,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Punct(char),
}

impl Token {
    fn is(&self, kw: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

/// Words (with their quoted parts unquoted) and the punctuation that separates clauses.
fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = sql.chars().peekable();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                // A marker keeps a quoted part from being folded later.
                word.push('\u{1}');
                for q in chars.by_ref() {
                    if q == close {
                        break;
                    }
                    word.push(q);
                }
                word.push('\u{2}');
            }
            '-' if chars.peek() == Some(&'-') => {
                flush(&mut word, &mut out);
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '\'' => {
                // A string literal says nothing the catalog shows; its commas are not clauses.
                flush(&mut word, &mut out);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                }
                out.push(Token::Punct('\''));
            }
            '(' | ')' | ',' | ';' => {
                flush(&mut word, &mut out);
                out.push(Token::Punct(c));
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

fn name_of(token: &Token, dialect: Dialect) -> Option<Name> {
    let Token::Word(w) = token else { return None };
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quoted = false;
    let folded = |part: &str, quoted: bool| {
        if quoted || dialect != Dialect::Postgres {
            part.to_string()
        } else {
            part.to_lowercase()
        }
    };
    for c in w.chars() {
        match c {
            '\u{1}' => quoted = true,
            '\u{2}' => {}
            '.' if !quoted || part.is_empty() => {
                parts.push(folded(&part, quoted));
                part.clear();
                quoted = false;
            }
            c => part.push(c),
        }
    }
    parts.push(folded(&part, quoted));
    let name = parts.pop().filter(|n| !n.is_empty())?;
    Some(Name {
        schema: parts.pop(),
        name,
    })
}

/// What a statement does that the catalog can show.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Effect {
    RelationMade(Name),
    RelationsDropped(Vec<Name>),
    IndexMade(Name),
    IndexDropped(Name),
    ColumnAdded(Name, String),
    ColumnDropped(Name, String),
    Renamed(Name, Name),
}

fn effect(sql: &str, dialect: Dialect) -> Option<Effect> {
    let t = tokens(sql);
    let mut i: usize;
    let at = |i: usize| t.get(i).cloned().unwrap_or(Token::Punct(';'));
    let skip = |i: &mut usize, words: &[&str]| {
        while words.iter().any(|w| at(*i).is(w)) {
            *i += 1;
        }
    };
    let skip_if_exists = |i: &mut usize| {
        if at(*i).is("IF") {
            *i += if at(*i + 1).is("NOT") { 3 } else { 2 };
        }
    };
    // One clause only: a comma at the top level means several changes in one statement.
    let top_level_comma = {
        let mut depth = 0i32;
        t.iter().any(|tok| match tok {
            Token::Punct('(') => {
                depth += 1;
                false
            }
            Token::Punct(')') => {
                depth -= 1;
                false
            }
            Token::Punct(',') => depth == 0,
            _ => false,
        })
    };
    if at(0).is("CREATE") {
        i = 1;
        if at(i).is("OR") {
            // CREATE OR REPLACE leaves the same name either way.
            return None;
        }
        skip(
            &mut i,
            &["UNIQUE", "TEMPORARY", "TEMP", "GLOBAL", "LOCAL", "UNLOGGED"],
        );
        if at(i).is("INDEX") {
            i += 1;
            skip(&mut i, &["CONCURRENTLY"]);
            skip_if_exists(&mut i);
            if at(i).is("ON") {
                return None; // an unnamed index
            }
            return name_of(&at(i), dialect).map(Effect::IndexMade);
        }
        if at(i).is("TABLE") || at(i).is("VIEW") {
            i += 1;
            skip_if_exists(&mut i);
            return name_of(&at(i), dialect).map(Effect::RelationMade);
        }
        return None;
    }
    if at(0).is("DROP") {
        if at(1).is("INDEX") {
            i = 2;
            skip(&mut i, &["CONCURRENTLY"]);
            skip_if_exists(&mut i);
            if top_level_comma {
                return None;
            }
            return name_of(&at(i), dialect).map(Effect::IndexDropped);
        }
        if at(1).is("TABLE") || at(1).is("VIEW") {
            i = 2;
            skip_if_exists(&mut i);
            let mut names = Vec::new();
            loop {
                names.push(name_of(&at(i), dialect)?);
                if at(i + 1) == Token::Punct(',') {
                    i += 2;
                } else {
                    break;
                }
            }
            return Some(Effect::RelationsDropped(names));
        }
        return None;
    }
    if at(0).is("RENAME") && at(1).is("TABLE") && at(3).is("TO") && !top_level_comma {
        return Some(Effect::Renamed(
            name_of(&at(2), dialect)?,
            name_of(&at(4), dialect)?,
        ));
    }
    if at(0).is("ALTER") && at(1).is("TABLE") && !top_level_comma {
        i = 2;
        skip_if_exists(&mut i);
        skip(&mut i, &["ONLY"]);
        let table = name_of(&at(i), dialect)?;
        i += 1;
        let add = at(i).is("ADD");
        if add || at(i).is("DROP") {
            i += 1;
            let constraint = [
                "CONSTRAINT",
                "INDEX",
                "KEY",
                "PRIMARY",
                "UNIQUE",
                "FOREIGN",
                "CHECK",
                "FULLTEXT",
                "SPATIAL",
                "PARTITION",
            ];
            if constraint.iter().any(|w| at(i).is(w)) {
                return None;
            }
            skip(&mut i, &["COLUMN"]);
            skip_if_exists(&mut i);
            let column = name_of(&at(i), dialect)?.name;
            return Some(if add {
                Effect::ColumnAdded(table, column)
            } else {
                Effect::ColumnDropped(table, column)
            });
        }
        if at(i).is("RENAME") && at(i + 1).is("TO") {
            let to = name_of(&at(i + 2), dialect)?;
            return Some(Effect::Renamed(table, to));
        }
    }
    None
}

/// Reads the catalog to tell whether `sql` took effect.
pub async fn settle(conn: &mut Connection, sql: &str) -> Result<Settled, DbError> {
    let dialect = conn.dialect();
    let Some(effect) = effect(sql, dialect) else {
        return Ok(Settled::Unknown);
    };
    let seen = |yes: bool| if yes { Settled::Ran } else { Settled::NotRan };
    Ok(match effect {
        Effect::RelationMade(n) => seen(relation_exists(conn, &n).await?),
        Effect::RelationsDropped(names) => {
            let mut present = 0;
            for n in &names {
                present += usize::from(relation_exists(conn, n).await?);
            }
            match present {
                0 => Settled::Ran,
                p if p == names.len() => Settled::NotRan,
                _ => Settled::Unknown,
            }
        }
        Effect::IndexMade(n) => match index_state(conn, &n).await? {
            Some(true) => Settled::Ran,
            Some(false) => Settled::InvalidIndex(match &n.schema {
                Some(s) => format!("{s}.{}", n.name),
                None => n.name.clone(),
            }),
            None => Settled::NotRan,
        },
        Effect::IndexDropped(n) => seen(index_state(conn, &n).await?.is_none()),
        Effect::ColumnAdded(t, c) => seen(column_exists(conn, &t, &c).await?),
        Effect::ColumnDropped(t, c) => seen(!column_exists(conn, &t, &c).await?),
        Effect::Renamed(from, to) => {
            match (
                relation_exists(conn, &from).await?,
                relation_exists(conn, &to).await?,
            ) {
                (false, true) => Settled::Ran,
                (true, false) => Settled::NotRan,
                _ => Settled::Unknown,
            }
        }
    })
}

fn schema_sql(conn: &Connection, n: &Name) -> String {
    let d = conn.dialect();
    match (&n.schema, d) {
        (Some(s), _) => literal(d, s),
        (None, Dialect::Postgres) => "current_schema()".into(),
        (None, _) => "DATABASE()".into(),
    }
}

async fn any_row(conn: &mut Connection, sql: String) -> Result<bool, DbError> {
    conn.text_rows(&sql)
        .await
        .map(|r| !r.is_empty())
        .map_err(|e| DbError::query("reading the catalog to settle a statement in doubt", e))
}

async fn relation_exists(conn: &mut Connection, n: &Name) -> Result<bool, DbError> {
    let d = conn.dialect();
    let sql = match d {
        Dialect::Postgres => format!(
            "SELECT 'yes'::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace WHERE c.relname = {} AND s.nspname = {} AND c.relkind IN ('r', 'v', 'm', 'p', 'f')",
            literal(d, &n.name),
            schema_sql(conn, n)
        ),
        Dialect::MySql => format!(
            "SELECT CAST('yes' AS CHAR) FROM information_schema.tables WHERE LOWER(table_name) = LOWER({}) AND table_schema = {}",
            literal(d, &n.name),
            schema_sql(conn, n)
        ),
        Dialect::Sqlite => format!(
            "SELECT 'yes' FROM sqlite_master WHERE type IN ('table', 'view') AND LOWER(name) = LOWER({})",
            literal(d, &n.name)
        ),
    };
    any_row(conn, sql).await
}

async fn column_exists(conn: &mut Connection, t: &Name, column: &str) -> Result<bool, DbError> {
    let d = conn.dialect();
    let sql = match d {
        Dialect::Postgres => format!(
            "SELECT 'yes'::text FROM information_schema.columns WHERE table_name = {} AND table_schema = {} AND column_name = {}",
            literal(d, &t.name),
            schema_sql(conn, t),
            literal(d, column)
        ),
        Dialect::MySql => format!(
            "SELECT CAST('yes' AS CHAR) FROM information_schema.columns WHERE LOWER(table_name) = LOWER({}) AND table_schema = {} AND LOWER(column_name) = LOWER({})",
            literal(d, &t.name),
            schema_sql(conn, t),
            literal(d, column)
        ),
        Dialect::Sqlite => format!(
            "SELECT 'yes' FROM pragma_table_info({}) WHERE LOWER(name) = LOWER({})",
            literal(d, &t.name),
            literal(d, column)
        ),
    };
    any_row(conn, sql).await
}

/// `Some(valid)` when the index exists.
async fn index_state(conn: &mut Connection, n: &Name) -> Result<Option<bool>, DbError> {
    let d = conn.dialect();
    let sql = match d {
        Dialect::Postgres => format!(
            "SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid WHERE c.relname = {} AND s.nspname = {}",
            literal(d, &n.name),
            schema_sql(conn, n)
        ),
        Dialect::MySql => format!(
            "SELECT CAST('valid' AS CHAR) FROM information_schema.statistics WHERE LOWER(index_name) = LOWER({}) AND table_schema = {}",
            literal(d, &n.name),
            schema_sql(conn, n)
        ),
        Dialect::Sqlite => format!(
            "SELECT 'valid' FROM sqlite_master WHERE type = 'index' AND LOWER(name) = LOWER({})",
            literal(d, &n.name)
        ),
    };
    let rows = conn
        .text_rows(&sql)
        .await
        .map_err(|e| DbError::query("reading the catalog to settle a statement in doubt", e))?;
    Ok(rows
        .first()
        .map(|r| r.first().is_some_and(|v| v == "valid")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(schema: Option<&str>, name: &str) -> Name {
        Name {
            schema: schema.map(str::to_string),
            name: name.into(),
        }
    }

    #[test]
    fn made_and_dropped_things_are_read_from_the_statement() {
        let pg = Dialect::Postgres;
        assert_eq!(
            effect("CREATE TABLE IF NOT EXISTS app.Orders (id int)", pg),
            Some(Effect::RelationMade(n(Some("app"), "orders")))
        );
        assert_eq!(
            effect("CREATE UNIQUE INDEX CONCURRENTLY \"Ix\" ON t (a)", pg),
            Some(Effect::IndexMade(n(None, "Ix")))
        );
        assert_eq!(
            effect("-- drop both\nDROP TABLE IF EXISTS a, b", pg),
            Some(Effect::RelationsDropped(vec![n(None, "a"), n(None, "b")]))
        );
        assert_eq!(
            effect("ALTER TABLE `Shop` ADD COLUMN `note` TEXT", Dialect::MySql),
            Some(Effect::ColumnAdded(n(None, "Shop"), "note".into()))
        );
        assert_eq!(
            effect("ALTER TABLE t DROP COLUMN IF EXISTS c", pg),
            Some(Effect::ColumnDropped(n(None, "t"), "c".into()))
        );
        assert_eq!(
            effect("RENAME TABLE a TO b", Dialect::MySql),
            Some(Effect::Renamed(n(None, "a"), n(None, "b")))
        );
    }

    #[test]
    fn what_the_catalog_cannot_show_is_left_to_the_person() {
        let my = Dialect::MySql;
        assert_eq!(effect("UPDATE t SET a = 1", my), None);
        assert_eq!(
            effect("ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int", my),
            None
        );
        assert_eq!(
            effect(
                "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)",
                my
            ),
            None
        );
        assert_eq!(effect("CREATE OR REPLACE VIEW v AS SELECT 1", my), None);
        assert_eq!(effect("CREATE INDEX ON t (a)", Dialect::Postgres), None);
    }
}
