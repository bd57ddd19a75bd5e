//! MySQL and MariaDB: information_schema, one JSON document per query for the current database.
//! Key and index columns arrive one per row and are grouped here (MySQL's JSON_ARRAYAGG cannot
//! order).

use std::collections::BTreeMap;

use serde::Deserialize;
use stratum_db::Connection;

use crate::model::{Sequence, View};
use crate::rows::{assemble, flexible_bool, parse, ConstraintRow, IndexRow, Parts};
use crate::{Schema, SchemaError};

const TABLES: &str =
    "SELECT JSON_ARRAYAGG(JSON_OBJECT('schema', TABLE_SCHEMA, 'name', TABLE_NAME, \
    'row_estimate', TABLE_ROWS, 'size_bytes', DATA_LENGTH + INDEX_LENGTH)) \
    FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'";

const COLUMNS: &str = "SELECT JSON_ARRAYAGG(JSON_OBJECT('schema', c.TABLE_SCHEMA, 'table', c.TABLE_NAME, \
    'name', c.COLUMN_NAME, 'data_type', c.COLUMN_TYPE, 'nullable', c.IS_NULLABLE = 'YES', \
    'default', c.COLUMN_DEFAULT, 'position', c.ORDINAL_POSITION, \
    'identity', CASE WHEN c.EXTRA LIKE '%auto_increment%' THEN 'auto_increment' \
                     WHEN c.EXTRA LIKE '%GENERATED%' OR c.EXTRA IN ('VIRTUAL', 'PERSISTENT', 'STORED') THEN 'generated' END)) \
    FROM information_schema.COLUMNS c JOIN information_schema.TABLES t \
      ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE' \
    WHERE c.TABLE_SCHEMA = DATABASE()";

const KEYS: &str = "SELECT JSON_ARRAYAGG(JSON_OBJECT('schema', k.TABLE_SCHEMA, 'table', k.TABLE_NAME, \
    'name', k.CONSTRAINT_NAME, 'kind', tc.CONSTRAINT_TYPE, 'column', k.COLUMN_NAME, 'position', k.ORDINAL_POSITION, \
    'ref_schema', k.REFERENCED_TABLE_SCHEMA, 'ref_table', k.REFERENCED_TABLE_NAME, 'ref_column', k.REFERENCED_COLUMN_NAME, \
    'on_delete', rc.DELETE_RULE, 'on_update', rc.UPDATE_RULE)) \
    FROM information_schema.KEY_COLUMN_USAGE k \
    JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
      AND tc.TABLE_NAME = k.TABLE_NAME AND tc.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
    LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
      AND rc.TABLE_NAME = k.TABLE_NAME AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
    WHERE k.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')";

const INDEXES: &str =
    "SELECT JSON_ARRAYAGG(JSON_OBJECT('schema', TABLE_SCHEMA, 'table', TABLE_NAME, \
    'name', INDEX_NAME, 'column', COALESCE(COLUMN_NAME, '(expression)'), 'seq', SEQ_IN_INDEX, \
    'non_unique', NON_UNIQUE, 'method', INDEX_TYPE)) \
    FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()";

const VIEWS: &str = "SELECT JSON_ARRAYAGG(JSON_OBJECT('schema', TABLE_SCHEMA, 'name', TABLE_NAME, \
    'materialized', 0, 'definition', VIEW_DEFINITION)) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()";

// MariaDB's sequences are tables of type SEQUENCE; MySQL has none.
const SEQUENCES: &str =
    "SELECT JSON_ARRAYAGG(JSON_OBJECT('schema', TABLE_SCHEMA, 'name', TABLE_NAME)) \
    FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE'";

#[derive(Deserialize)]
struct KeyColumn {
    schema: String,
    table: String,
    name: String,
    kind: String,
    column: String,
    position: i64,
    ref_schema: Option<String>,
    ref_table: Option<String>,
    ref_column: Option<String>,
    on_delete: Option<String>,
    on_update: Option<String>,
}

#[derive(Deserialize)]
struct IndexColumn {
    schema: String,
    table: String,
    name: String,
    column: String,
    seq: i64,
    #[serde(deserialize_with = "flexible_bool")]
    non_unique: bool,
    method: String,
}

async fn one(conn: &mut Connection, what: &str, sql: &str) -> Result<Option<String>, SchemaError> {
    // JSON_ARRAYAGG of no rows is NULL, not an empty array.
    conn.query_strings(&format!("SELECT COALESCE(({sql}), '[]')"))
        .await
        .map(|v| v.into_iter().next())
        .map_err(|e| SchemaError::Catalog {
            what: what.into(),
            message: e.to_string(),
        })
}

fn constraints(rows: Vec<KeyColumn>) -> Vec<ConstraintRow> {
    let mut by_key: BTreeMap<(String, String, String), Vec<KeyColumn>> = BTreeMap::new();
    for r in rows {
        by_key
            .entry((r.schema.clone(), r.table.clone(), r.name.clone()))
            .or_default()
            .push(r);
    }
    by_key
        .into_values()
        .filter_map(|mut cols| {
            cols.sort_by_key(|c| c.position);
            let first = cols.first()?;
            let kind = match first.kind.as_str() {
                "PRIMARY KEY" => "p",
                "UNIQUE" => "u",
                _ => "f",
            };
            Some(ConstraintRow {
                schema: first.schema.clone(),
                table: first.table.clone(),
                name: first.name.clone(),
                kind: kind.into(),
                ref_schema: first.ref_schema.clone(),
                ref_table: first.ref_table.clone(),
                on_delete: first.on_delete.clone(),
                on_update: first.on_update.clone(),
                ref_columns: (kind == "f")
                    .then(|| cols.iter().filter_map(|c| c.ref_column.clone()).collect()),
                columns: cols.iter().map(|c| c.column.clone()).collect(),
            })
        })
        .collect()
}

fn indexes(rows: Vec<IndexColumn>) -> Vec<IndexRow> {
    let mut by_index: BTreeMap<(String, String, String), Vec<IndexColumn>> = BTreeMap::new();
    for r in rows {
        by_index
            .entry((r.schema.clone(), r.table.clone(), r.name.clone()))
            .or_default()
            .push(r);
    }
    by_index
        .into_values()
        .filter_map(|mut cols| {
            cols.sort_by_key(|c| c.seq);
            let first = cols.first()?;
            Some(IndexRow {
                schema: first.schema.clone(),
                table: first.table.clone(),
                name: first.name.clone(),
                unique: !first.non_unique,
                method: first.method.to_lowercase(),
                predicate: None,
                columns: cols.iter().map(|c| c.column.clone()).collect(),
            })
        })
        .collect()
}

pub(crate) async fn introspect(conn: &mut Connection) -> Result<Schema, SchemaError> {
    // JSON_ARRAYAGG is capped by group_concat_max_len (1 MB by default): lift it for this session.
    conn.execute("SET SESSION group_concat_max_len = 1073741824")
        .await
        .map_err(|e| SchemaError::Catalog {
            what: "session settings".into(),
            message: e.to_string(),
        })?;
    let keys: Vec<KeyColumn> = parse("keys", one(conn, "keys", KEYS).await?)?;
    let index_columns: Vec<IndexColumn> = parse("indexes", one(conn, "indexes", INDEXES).await?)?;
    let views: Vec<View> = parse("views", one(conn, "views", VIEWS).await?)?;
    let sequences: Vec<Sequence> = parse("sequences", one(conn, "sequences", SEQUENCES).await?)?;
    Ok(assemble(Parts {
        engine: "mysql",
        tables: parse("tables", one(conn, "tables", TABLES).await?)?,
        columns: parse("columns", one(conn, "columns", COLUMNS).await?)?,
        constraints: constraints(keys),
        indexes: indexes(index_columns),
        views,
        sequences,
        enums: Vec::new(),
    }))
}
