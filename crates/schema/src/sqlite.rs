//! SQLite: sqlite_master joined with the pragma table-valued functions, one JSON document per
//! query.

use std::collections::BTreeMap;

use serde::Deserialize;
use stratum_db::Connection;

use crate::model::View;
use crate::rows::{assemble, flexible_bool, parse, ConstraintRow, IndexRow, Parts};
use crate::{Schema, SchemaError};

const USER_TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

fn tables_sql() -> String {
    format!("SELECT json_group_array(json_object('schema', 'main', 'name', m.name)) FROM sqlite_master m WHERE {USER_TABLES}")
}

fn columns_sql() -> String {
    format!(
        "SELECT json_group_array(json_object('schema', 'main', 'table', m.name, 'name', p.name, 'data_type', p.type, \
           'nullable', p.\"notnull\" = 0 AND p.pk = 0, 'default', p.dflt_value, 'position', p.cid, 'pk', p.pk, \
           'identity', CASE WHEN p.pk = 1 AND upper(m.sql) LIKE '%AUTOINCREMENT%' THEN 'auto_increment' END)) \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE {USER_TABLES}"
    )
}

fn indexes_sql() -> String {
    format!(
        "SELECT json_group_array(json_object('table', m.name, 'name', il.name, 'unique', il.\"unique\", \
           'origin', il.origin, 'partial', il.partial, 'sql', (SELECT sql FROM sqlite_master WHERE type = 'index' AND name = il.name), \
           'columns', (SELECT json_group_array(coalesce(ii.name, '(expression)')) FROM pragma_index_info(il.name) ii))) \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il WHERE {USER_TABLES}"
    )
}

fn foreign_keys_sql() -> String {
    format!(
        "SELECT json_group_array(json_object('table', m.name, 'id', f.id, 'seq', f.seq, 'ref_table', f.\"table\", \
           'column', f.\"from\", 'ref_column', f.\"to\", 'on_delete', f.on_delete, 'on_update', f.on_update)) \
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE {USER_TABLES}"
    )
}

const VIEWS: &str = "SELECT json_group_array(json_object('schema', 'main', 'name', name, 'materialized', 0, 'definition', sql)) \
    FROM sqlite_master WHERE type = 'view'";

#[derive(Deserialize)]
struct Column {
    table: String,
    name: String,
    pk: i64,
}

#[derive(Deserialize)]
struct IndexListRow {
    table: String,
    name: String,
    #[serde(deserialize_with = "flexible_bool")]
    unique: bool,
    origin: String,
    #[serde(deserialize_with = "flexible_bool")]
    partial: bool,
    sql: Option<String>,
    columns: Vec<String>,
}

#[derive(Deserialize)]
struct ForeignKeyColumn {
    table: String,
    id: i64,
    seq: i64,
    ref_table: String,
    column: String,
    ref_column: Option<String>,
    on_delete: String,
    on_update: String,
}

async fn one(conn: &mut Connection, what: &str, sql: &str) -> Result<Option<String>, SchemaError> {
    conn.query_strings(sql)
        .await
        .map(|v| v.into_iter().next())
        .map_err(|e| SchemaError::Catalog {
            what: what.into(),
            message: e.to_string(),
        })
}

/// The text after the last top-level WHERE of a CREATE INDEX statement.
fn predicate(sql: &str) -> Option<String> {
    let upper = sql.to_uppercase();
    upper
        .rfind(" WHERE ")
        .map(|at| sql[at + 7..].trim().trim_end_matches(';').to_string())
}

pub(crate) async fn introspect(conn: &mut Connection) -> Result<Schema, SchemaError> {
    let columns_json = one(conn, "columns", &columns_sql()).await?;
    let pk_columns: Vec<Column> = parse("columns", columns_json.clone())?;
    let index_list: Vec<IndexListRow> =
        parse("indexes", one(conn, "indexes", &indexes_sql()).await?)?;
    let fk_columns: Vec<ForeignKeyColumn> = parse(
        "foreign keys",
        one(conn, "foreign keys", &foreign_keys_sql()).await?,
    )?;

    let mut constraints = Vec::new();
    // The primary key: the columns with pk > 0, in pk order.
    let mut pks: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for c in pk_columns.into_iter().filter(|c| c.pk > 0) {
        pks.entry(c.table).or_default().push((c.pk, c.name));
    }
    for (table, mut cols) in pks {
        cols.sort();
        constraints.push(ConstraintRow {
            schema: "main".into(),
            name: format!("{table}_pkey"),
            table,
            kind: "p".into(),
            columns: cols.into_iter().map(|(_, n)| n).collect(),
            ref_schema: None,
            ref_table: None,
            ref_columns: None,
            on_delete: None,
            on_update: None,
        });
    }
    let mut indexes = Vec::new();
    for i in index_list {
        if i.origin == "u" {
            constraints.push(ConstraintRow {
                schema: "main".into(),
                table: i.table.clone(),
                name: i.name.clone(),
                kind: "u".into(),
                columns: i.columns.clone(),
                ref_schema: None,
                ref_table: None,
                ref_columns: None,
                on_delete: None,
                on_update: None,
            });
        }
        indexes.push(IndexRow {
            schema: "main".into(),
            table: i.table,
            name: i.name,
            columns: i.columns,
            unique: i.unique,
            method: "btree".into(),
            predicate: if i.partial {
                i.sql.as_deref().and_then(predicate)
            } else {
                None
            },
        });
    }
    let mut fks: BTreeMap<(String, i64), Vec<ForeignKeyColumn>> = BTreeMap::new();
    for f in fk_columns {
        fks.entry((f.table.clone(), f.id)).or_default().push(f);
    }
    for ((table, id), mut cols) in fks {
        cols.sort_by_key(|c| c.seq);
        let Some(first) = cols.first() else { continue };
        constraints.push(ConstraintRow {
            schema: "main".into(),
            name: format!("{table}_fk{id}"),
            table: table.clone(),
            kind: "f".into(),
            ref_schema: Some("main".into()),
            ref_table: Some(first.ref_table.clone()),
            on_delete: Some(first.on_delete.clone()),
            on_update: Some(first.on_update.clone()),
            ref_columns: Some(
                cols.iter()
                    .map(|c| c.ref_column.clone().unwrap_or_default())
                    .collect(),
            ),
            columns: cols.iter().map(|c| c.column.clone()).collect(),
        });
    }
    let views: Vec<View> = parse("views", one(conn, "views", VIEWS).await?)?;
    Ok(assemble(Parts {
        engine: "sqlite",
        tables: parse("tables", one(conn, "tables", &tables_sql()).await?)?,
        columns: parse("columns", columns_json)?,
        constraints,
        indexes,
        views,
        sequences: Vec::new(),
        enums: Vec::new(),
    }))
}
