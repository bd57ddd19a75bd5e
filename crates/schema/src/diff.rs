//! Differences between two schemas, by object, in words: the live database against what the
//! revisions produce (drift), or one profile's database against another's.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Column, Schema, Table};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Difference {
    /// "table", "column", "index", "foreign key", "primary key", "unique key", "view",
    /// "sequence" or "enum type".
    pub kind: &'static str,
    /// The object, e.g. `public.users.phone`.
    pub object: String,
    pub message: String,
}

/// MySQL names a table's schema after its database, which differs between the two sides.
fn normalized(s: &Schema) -> Schema {
    let mut s = s.clone();
    if s.engine == "mysql" {
        for t in &mut s.tables {
            t.schema.clear();
            for f in &mut t.foreign_keys {
                f.ref_schema.clear();
            }
        }
        for v in &mut s.views {
            v.schema.clear();
        }
        for q in &mut s.sequences {
            q.schema.clear();
        }
    }
    s
}

fn qualified(schema: &str, name: &str) -> String {
    if schema.is_empty() {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

fn column_text(c: &Column) -> String {
    let mut s = c.data_type.clone();
    s.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s
}

fn by_name<T>(items: &[T], name: impl Fn(&T) -> String) -> BTreeMap<String, &T> {
    items.iter().map(|i| (name(i), i)).collect()
}

/// What differs, read as "`a_name` has X, `b_name` has Y".
pub fn diff(a: &Schema, b: &Schema, a_name: &str, b_name: &str) -> Vec<Difference> {
    let (a, b) = (normalized(a), normalized(b));
    let mut out = Vec::new();
    let only = |kind: &'static str, object: String, in_a: bool| Difference {
        kind,
        message: format!(
            "{kind} {object} is in {} but not in {}",
            if in_a { a_name } else { b_name },
            if in_a { b_name } else { a_name }
        ),
        object,
    };
    let ta = by_name(&a.tables, |t| qualified(&t.schema, &t.name));
    let tb = by_name(&b.tables, |t| qualified(&t.schema, &t.name));
    for (name, t) in &ta {
        match tb.get(name) {
            None => out.push(only("table", name.clone(), true)),
            Some(u) => table_diff(name, t, u, a_name, b_name, &mut out),
        }
    }
    for name in tb.keys().filter(|n| !ta.contains_key(*n)) {
        out.push(only("table", name.clone(), false));
    }
    let pairs: [(&'static str, Vec<String>, Vec<String>); 3] = [
        (
            "view",
            a.views
                .iter()
                .map(|v| qualified(&v.schema, &v.name))
                .collect(),
            b.views
                .iter()
                .map(|v| qualified(&v.schema, &v.name))
                .collect(),
        ),
        (
            "sequence",
            a.sequences
                .iter()
                .map(|q| qualified(&q.schema, &q.name))
                .collect(),
            b.sequences
                .iter()
                .map(|q| qualified(&q.schema, &q.name))
                .collect(),
        ),
        (
            "enum type",
            a.enums
                .iter()
                .map(|e| {
                    format!(
                        "{} ({})",
                        qualified(&e.schema, &e.name),
                        e.values.join(", ")
                    )
                })
                .collect(),
            b.enums
                .iter()
                .map(|e| {
                    format!(
                        "{} ({})",
                        qualified(&e.schema, &e.name),
                        e.values.join(", ")
                    )
                })
                .collect(),
        ),
    ];
    for (kind, xa, xb) in pairs {
        for n in xa.iter().filter(|n| !xb.contains(n)) {
            out.push(only(kind, n.clone(), true));
        }
        for n in xb.iter().filter(|n| !xa.contains(n)) {
            out.push(only(kind, n.clone(), false));
        }
    }
    out
}

fn table_diff(
    name: &str,
    a: &Table,
    b: &Table,
    a_name: &str,
    b_name: &str,
    out: &mut Vec<Difference>,
) {
    let ca = by_name(&a.columns, |c| c.name.clone());
    let cb = by_name(&b.columns, |c| c.name.clone());
    for (col, c) in &ca {
        let object = format!("{name}.{col}");
        match cb.get(col) {
            None => out.push(Difference {
                kind: "column",
                message: format!(
                    "column {object} ({}) is in {a_name} but not in {b_name}",
                    column_text(c)
                ),
                object,
            }),
            Some(d) if column_text(c) != column_text(d) => out.push(Difference {
                kind: "column",
                message: format!(
                    "column {object} is {} in {a_name} but {} in {b_name}",
                    column_text(c),
                    column_text(d)
                ),
                object,
            }),
            Some(_) => {}
        }
    }
    for (col, d) in cb.iter().filter(|(n, _)| !ca.contains_key(*n)) {
        let object = format!("{name}.{col}");
        out.push(Difference {
            kind: "column",
            message: format!(
                "column {object} ({}) is in {b_name} but not in {a_name}",
                column_text(d)
            ),
            object,
        });
    }
    let pk = |t: &Table| {
        t.primary_key
            .as_ref()
            .map(|k| k.columns.join(", "))
            .unwrap_or_else(|| "none".into())
    };
    if pk(a) != pk(b) {
        out.push(Difference {
            kind: "primary key",
            object: name.to_string(),
            message: format!(
                "the primary key of {name} is ({}) in {a_name} but ({}) in {b_name}",
                pk(a),
                pk(b)
            ),
        });
    }
    let index_text = |i: &crate::Index| {
        format!(
            "{}{} ({}){}",
            if i.unique { "unique " } else { "" },
            i.method,
            i.columns.join(", "),
            i.predicate
                .as_ref()
                .map(|p| format!(" WHERE {p}"))
                .unwrap_or_default()
        )
    };
    let ia: BTreeMap<String, String> = a
        .indexes
        .iter()
        .map(|i| (i.name.clone(), index_text(i)))
        .collect();
    let ib: BTreeMap<String, String> = b
        .indexes
        .iter()
        .map(|i| (i.name.clone(), index_text(i)))
        .collect();
    keyed("index", name, &ia, &ib, a_name, b_name, out);
    let fk_text = |f: &crate::ForeignKey| {
        format!(
            "({}) -> {} ({}) ON DELETE {} ON UPDATE {}",
            f.columns.join(", "),
            qualified(&f.ref_schema, &f.ref_table),
            f.ref_columns.join(", "),
            f.on_delete,
            f.on_update
        )
    };
    // Foreign keys are compared by what they do: SQLite's have no names of their own.
    let fa: BTreeMap<String, String> = a
        .foreign_keys
        .iter()
        .map(|f| (fk_text(f), fk_text(f)))
        .collect();
    let fb: BTreeMap<String, String> = b
        .foreign_keys
        .iter()
        .map(|f| (fk_text(f), fk_text(f)))
        .collect();
    keyed("foreign key", name, &fa, &fb, a_name, b_name, out);
    let ua: BTreeMap<String, String> = a
        .unique_keys
        .iter()
        .map(|k| (k.columns.join(", "), k.columns.join(", ")))
        .collect();
    let ub: BTreeMap<String, String> = b
        .unique_keys
        .iter()
        .map(|k| (k.columns.join(", "), k.columns.join(", ")))
        .collect();
    keyed("unique key", name, &ua, &ub, a_name, b_name, out);
}

fn keyed(
    kind: &'static str,
    table: &str,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    a_name: &str,
    b_name: &str,
    out: &mut Vec<Difference>,
) {
    for (k, v) in a {
        match b.get(k) {
            None => out.push(Difference {
                kind,
                object: format!("{table} {k}"),
                message: format!("{kind} {k} on {table} ({v}) is in {a_name} but not in {b_name}"),
            }),
            Some(w) if v != w => out.push(Difference {
                kind,
                object: format!("{table} {k}"),
                message: format!("{kind} {k} on {table} is {v} in {a_name} but {w} in {b_name}"),
            }),
            Some(_) => {}
        }
    }
    for (k, w) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
        out.push(Difference {
            kind,
            object: format!("{table} {k}"),
            message: format!("{kind} {k} on {table} ({w}) is in {b_name} but not in {a_name}"),
        });
    }
}
