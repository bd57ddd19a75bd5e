use stratum_project::Dialect;

/// Quotes an identifier for the dialect, doubling the quote character inside it.
pub fn quote(dialect: Dialect, ident: &str) -> String {
    match dialect {
        Dialect::MySql => format!("`{}`", ident.replace('`', "``")),
        Dialect::Postgres | Dialect::Sqlite => format!("\"{}\"", ident.replace('"', "\"\"")),
    }
}

/// Quotes only when SQLAlchemy would (not a plain lower-case name), so offline output reads
/// like Alembic's.
pub fn quote_if_needed(dialect: Dialect, ident: &str) -> String {
    let plain = ident
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        ident.to_string()
    } else {
        quote(dialect, ident)
    }
}

/// A string literal, with the escaping the dialect needs.
pub fn literal(dialect: Dialect, value: &str) -> String {
    let v = value.replace('\'', "''");
    match dialect {
        Dialect::MySql => format!("'{}'", v.replace('\\', "\\\\")),
        _ => format!("'{v}'"),
    }
}
