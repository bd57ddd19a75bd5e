//! PostgreSQL: six catalog queries, each returning one JSON document, whatever the number of
//! tables.

use stratum_db::Connection;

use crate::rows::{assemble, parse, Parts};
use crate::{Schema, SchemaError};

const USER_SCHEMAS: &str =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'";

fn tables_sql() -> String {
    format!(
        "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'name', c.relname, \
           'row_estimate', greatest(c.reltuples, 0)::bigint, 'size_bytes', pg_total_relation_size(c.oid))), '[]')::text \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {USER_SCHEMAS}"
    )
}

fn columns_sql() -> String {
    format!(
        "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'table', c.relname, 'name', a.attname, \
           'data_type', format_type(a.atttypid, a.atttypmod), 'nullable', NOT a.attnotnull, \
           'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END, \
           'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' \
                        ELSE CASE WHEN a.attgenerated <> '' THEN 'generated' END END) \
           ORDER BY n.nspname, c.relname, a.attnum), '[]')::text \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND {USER_SCHEMAS}"
    )
}

fn constraints_sql() -> String {
    let names = |keys: &str, rel: &str| {
        format!(
            "(SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.{keys}) WITH ORDINALITY k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = con.{rel} AND a.attnum = k.attnum)"
        )
    };
    let action = |col: &str| {
        format!(
            "CASE con.{col} WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' \
             WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION' END"
        )
    };
    format!(
        "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'table', c.relname, 'name', con.conname, \
           'kind', con.contype::text, 'columns', {}, 'ref_schema', rn.nspname, 'ref_table', rc.relname, \
           'ref_columns', {}, 'on_delete', {}, 'on_update', {})), '[]')::text \
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class rc ON rc.oid = con.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
         WHERE con.contype IN ('p', 'u', 'f') AND {USER_SCHEMAS}",
        names("conkey", "conrelid"),
        names("confkey", "confrelid"),
        action("confdeltype"),
        action("confupdtype"),
    )
}

fn indexes_sql() -> String {
    format!(
        "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'table', t.relname, 'name', i.relname, \
           'unique', ix.indisunique, 'method', am.amname, 'predicate', pg_get_expr(ix.indpred, ix.indrelid), \
           'columns', (SELECT json_agg(pg_get_indexdef(ix.indexrelid, k, true) ORDER BY k) \
                       FROM generate_series(1, ix.indnkeyatts::int) k))), '[]')::text \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam \
         WHERE t.relkind IN ('r', 'p') AND {USER_SCHEMAS}"
    )
}

fn views_sql() -> String {
    format!(
        "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'name', c.relname, \
           'materialized', c.relkind = 'm', 'definition', pg_get_viewdef(c.oid, true))), '[]')::text \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND {USER_SCHEMAS}"
    )
}

fn sequences_sql() -> String {
    format!(
        "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'name', c.relname)), '[]')::text \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND {USER_SCHEMAS}"
    )
}

fn enums_sql() -> String {
    format!(
        "SELECT coalesce(json_agg(json_build_object('schema', x.nspname, 'name', x.typname, 'values', x.labels)), '[]')::text \
         FROM (SELECT n.nspname, t.typname, json_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels \
               FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace \
               WHERE {USER_SCHEMAS} GROUP BY n.nspname, t.typname) x"
    )
}

async fn one(
    conn: &mut Connection,
    what: &str,
    sql: String,
) -> Result<Option<String>, SchemaError> {
    // A tenant's profile sees its own schema only, not its neighbours'.
    let sql = match &conn.url().schema {
        Some(schema) => sql.replace(
            USER_SCHEMAS,
            &format!(
                "n.nspname = {}",
                stratum_db::literal(stratum_project::Dialect::Postgres, schema)
            ),
        ),
        None => sql,
    };
    conn.query_strings(&sql)
        .await
        .map(|v| v.into_iter().next())
        .map_err(|e| SchemaError::Catalog {
            what: what.into(),
            message: e.to_string(),
        })
}

pub(crate) async fn introspect(conn: &mut Connection) -> Result<Schema, SchemaError> {
    Ok(assemble(Parts {
        engine: "postgres",
        tables: parse("tables", one(conn, "tables", tables_sql()).await?)?,
        columns: parse("columns", one(conn, "columns", columns_sql()).await?)?,
        constraints: parse(
            "constraints",
            one(conn, "constraints", constraints_sql()).await?,
        )?,
        indexes: parse("indexes", one(conn, "indexes", indexes_sql()).await?)?,
        views: parse("views", one(conn, "views", views_sql()).await?)?,
        sequences: parse("sequences", one(conn, "sequences", sequences_sql()).await?)?,
        enums: parse("enum types", one(conn, "enum types", enums_sql()).await?)?,
    }))
}
