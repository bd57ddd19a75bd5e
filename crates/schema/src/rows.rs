//! The flat rows each engine's catalog queries return (as one JSON document per query), and
//! their assembly into a [`Schema`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::*;

#[derive(Debug, Deserialize)]
pub(crate) struct TableRow {
    pub schema: String,
    pub name: String,
    pub row_estimate: Option<i64>,
    pub size_bytes: Option<i64>,
}

/// MySQL and SQLite JSON has no booleans of its own: 1/0 arrive where true/false are meant.
pub(crate) fn flexible_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    Ok(match B::deserialize(d)? {
        B::Bool(b) => b,
        B::Int(i) => i != 0,
        B::Text(t) => matches!(t.as_str(), "1" | "true" | "YES" | "yes"),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct ColumnRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub data_type: String,
    #[serde(deserialize_with = "flexible_bool")]
    pub nullable: bool,
    pub default: Option<String>,
    pub identity: Option<String>,
    /// Ordinal position, where the engine's JSON aggregate cannot order (MySQL).
    #[serde(default)]
    pub position: Option<i64>,
}

/// A primary key ("p"), unique key ("u") or foreign key ("f").
#[derive(Debug, Deserialize)]
pub(crate) struct ConstraintRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub kind: String,
    pub columns: Vec<String>,
    pub ref_schema: Option<String>,
    pub ref_table: Option<String>,
    pub ref_columns: Option<Vec<String>>,
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct IndexRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub columns: Vec<String>,
    #[serde(deserialize_with = "flexible_bool")]
    pub unique: bool,
    pub method: String,
    pub predicate: Option<String>,
}

/// JSON numbers and booleans arrive as what each engine's JSON functions make of them.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(
    what: &str,
    json: Option<String>,
) -> Result<Vec<T>, crate::SchemaError> {
    let text = json.unwrap_or_else(|| "[]".into());
    serde_json::from_str(&text).map_err(|e| crate::SchemaError::Catalog {
        what: what.into(),
        message: e.to_string(),
    })
}

pub(crate) struct Parts {
    pub engine: &'static str,
    pub tables: Vec<TableRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
    pub views: Vec<View>,
    pub sequences: Vec<Sequence>,
    pub enums: Vec<EnumType>,
}

pub(crate) fn assemble(mut p: Parts) -> Schema {
    p.columns
        .sort_by(|a, b| (&a.schema, &a.table, a.position).cmp(&(&b.schema, &b.table, b.position)));
    let mut tables: BTreeMap<(String, String), Table> = p
        .tables
        .into_iter()
        .map(|t| {
            (
                (t.schema.clone(), t.name.clone()),
                Table {
                    schema: t.schema,
                    name: t.name,
                    row_estimate: t.row_estimate,
                    size_bytes: t.size_bytes,
                    ..Table::default()
                },
            )
        })
        .collect();
    for c in p.columns {
        if let Some(t) = tables.get_mut(&(c.schema, c.table)) {
            t.columns.push(Column {
                name: c.name,
                data_type: c.data_type,
                nullable: c.nullable,
                default: c.default,
                identity: c.identity,
            });
        }
    }
    for c in p.constraints {
        let Some(t) = tables.get_mut(&(c.schema.clone(), c.table.clone())) else {
            continue;
        };
        let key = Key {
            name: c.name.clone(),
            columns: c.columns.clone(),
        };
        match c.kind.as_str() {
            "p" => t.primary_key = Some(key),
            "u" => t.unique_keys.push(key),
            "f" => t.foreign_keys.push(ForeignKey {
                name: c.name,
                columns: c.columns,
                ref_schema: c.ref_schema.unwrap_or_default(),
                ref_table: c.ref_table.unwrap_or_default(),
                ref_columns: c.ref_columns.unwrap_or_default(),
                on_delete: c.on_delete.unwrap_or_else(|| "NO ACTION".into()),
                on_update: c.on_update.unwrap_or_else(|| "NO ACTION".into()),
            }),
            _ => {}
        }
    }
    for i in p.indexes {
        if let Some(t) = tables.get_mut(&(i.schema, i.table)) {
            t.indexes.push(Index {
                name: i.name,
                columns: i.columns,
                unique: i.unique,
                method: i.method,
                predicate: i.predicate,
            });
        }
    }
    let mut tables: Vec<Table> = tables.into_values().collect();
    for t in &mut tables {
        t.unique_keys.sort_by(|a, b| a.name.cmp(&b.name));
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut views = p.views;
    views.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    let mut sequences = p.sequences;
    sequences.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    let mut enums = p.enums;
    enums.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    Schema {
        engine: p.engine.into(),
        tables,
        views,
        sequences,
        enums,
    }
}
