//! The rules that read a parsed statement.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    self, AlterTableOperation, ColumnOption, Expr, ForeignKeyConstraint, FromTable, ObjectName,
    ObjectType, ReferentialAction, TableConstraint, TableFactor, TableWithJoins, Visit,
};
use stratum_project::Dialect;

/// A finding before configuration and acknowledgements are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Raw {
    pub rule: &'static str,
    pub message: String,
    pub why: String,
    /// The table it is about, where this revision's own upgrade creates it (lower-cased last
    /// name part): findings about the revision's new tables are judged together.
    pub new_table: Option<String>,
}

fn raw(rule: &'static str, message: String, why: &str) -> Raw {
    Raw {
        rule,
        message,
        why: why.to_string(),
        new_table: None,
    }
}

/// What the rules know about the revision beyond the statement at hand.
pub(crate) struct Context<'a> {
    pub dialect: Dialect,
    pub tenant_columns: &'a [String],
    /// Tables created so far in the upgrade, lower-cased last name parts: indexing an empty
    /// table locks nothing worth mentioning.
    pub created: HashSet<String>,
    /// Tables a tenant column references (`client_id REFERENCES clients`): the tenant table
    /// itself, which scopes the others and has no tenant column of its own.
    pub tenant_roots: HashSet<String>,
}

impl Context<'_> {
    fn is_tenant_column(&self, ident: &ast::Ident) -> bool {
        self.tenant_columns
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&ident.value))
    }

    fn tenant_list(&self) -> String {
        self.tenant_columns.join(", ")
    }
}

/// The last part of a name, lower-cased, to recognise a table however it is qualified.
fn table_key(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map_or_else(|| name.to_string(), |i| i.value.to_lowercase())
}

const VERSION_TABLE: &str = "alembic_version";

// ---- the upgrade -------------------------------------------------------------------------

pub(crate) fn upgrade(stmt: &ast::Statement, ctx: &mut Context) -> Vec<Raw> {
    let mut out = Vec::new();
    match stmt {
        ast::Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => {
            let (noun, rows) = if names.len() == 1 {
                ("the table", "its")
            } else {
                ("the tables", "their")
            };
            out.push(raw(
                "drop-table",
                format!(
                    "DROP TABLE {} deletes {noun} and all {rows} rows",
                    join_names(names)
                ),
                "A dropped table cannot be brought back by a downgrade; take a backup and make sure nothing reads it.",
            ));
        }
        ast::Statement::AlterTable(alter) => {
            for op in &alter.operations {
                match op {
                    AlterTableOperation::DropColumn { column_names, .. } => {
                        for column in column_names {
                            out.push(raw(
                                "drop-column",
                                format!(
                                    "ALTER TABLE {} DROP COLUMN {column} deletes the column and all its values",
                                    alter.name
                                ),
                                "A dropped column's data cannot be brought back by a downgrade; take a backup and make sure no deployed code still reads or writes it.",
                            ));
                        }
                    }
                    AlterTableOperation::AddConstraint {
                        constraint: TableConstraint::ForeignKey(fk),
                        ..
                    } => {
                        out.extend(cascade(&alter.name, &fk.columns, fk));
                    }
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        out.extend(column_cascades(&alter.name, column_def));
                    }
                    _ => {}
                }
            }
        }
        ast::Statement::Truncate(truncate) => {
            let names: Vec<String> = truncate
                .table_names
                .iter()
                .map(|t| t.name.to_string())
                .collect();
            out.push(raw(
                "truncate",
                format!("TRUNCATE {} deletes every row", names.join(", ")),
                "Truncated rows cannot be brought back by a downgrade; take a backup and make sure the data is really disposable.",
            ));
        }
        ast::Statement::CreateTable(create) => {
            let key = table_key(&create.name);
            ctx.created.insert(key.clone());
            // A table defined by a query or by another table has columns we cannot see.
            let columns_known =
                create.query.is_none() && create.like.is_none() && create.clone.is_none();
            let has_tenant = create.columns.iter().any(|c| ctx.is_tenant_column(&c.name));
            if columns_known
                && !create.temporary
                && !has_tenant
                && !ctx.tenant_columns.is_empty()
                && key != VERSION_TABLE
            {
                out.push(Raw {
                    new_table: Some(key.clone()),
                    ..raw(
                        "table-without-tenant",
                        format!(
                            "CREATE TABLE {} has none of the tenant columns ({})",
                            create.name,
                            ctx.tenant_list()
                        ),
                        "Rows of a table without a tenant column cannot be scoped to one tenant; add one, or acknowledge that the table is shared by all tenants.",
                    )
                });
            }
            for column in &create.columns {
                out.extend(column_cascades(&create.name, column));
                for o in &column.options {
                    if let ColumnOption::ForeignKey(fk) = &o.option {
                        if ctx.is_tenant_column(&column.name) {
                            ctx.tenant_roots.insert(table_key(&fk.foreign_table));
                        }
                    }
                }
            }
            for constraint in &create.constraints {
                if let TableConstraint::ForeignKey(fk) = constraint {
                    out.extend(cascade(&create.name, &fk.columns, fk));
                    if fk.columns.iter().any(|c| ctx.is_tenant_column(c)) {
                        ctx.tenant_roots.insert(table_key(&fk.foreign_table));
                    }
                }
            }
        }
        ast::Statement::CreateIndex(index)
            if ctx.dialect == Dialect::Postgres
                && !index.concurrently
                && !ctx.created.contains(&table_key(&index.table_name)) =>
        {
            let name = index
                .name
                .as_ref()
                .map(|n| format!("{n} "))
                .unwrap_or_default();
            let unique = if index.unique { "UNIQUE " } else { "" };
            out.push(raw(
                "index-not-concurrent",
                format!(
                    "CREATE {unique}INDEX {name}ON {} is built without CONCURRENTLY",
                    index.table_name
                ),
                "A plain CREATE INDEX blocks writes to the table until the index is built, which takes long on a large table; use CREATE INDEX CONCURRENTLY (it cannot run in a transaction: set `-- transaction: false`).",
            ));
        }
        _ => {}
    }
    out.extend(data_changes(stmt, ctx));
    out
}

fn join_names(names: &[ObjectName]) -> String {
    names
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn column_cascades(table: &ObjectName, column: &ast::ColumnDef) -> Vec<Raw> {
    column
        .options
        .iter()
        .filter_map(|o| match &o.option {
            ColumnOption::ForeignKey(fk) => cascade(table, std::slice::from_ref(&column.name), fk),
            _ => None,
        })
        .collect()
}

fn cascade(table: &ObjectName, columns: &[ast::Ident], fk: &ForeignKeyConstraint) -> Option<Raw> {
    if fk.on_delete != Some(ReferentialAction::Cascade) {
        return None;
    }
    let columns: Vec<String> = columns.iter().map(ToString::to_string).collect();
    let from = match columns.as_slice() {
        [one] => format!("{table}.{one}"),
        many => format!("{table} ({})", many.join(", ")),
    };
    Some(raw(
        "cascade-delete",
        format!(
            "the foreign key {from} -> {parent} is ON DELETE CASCADE: deleting a {parent} row deletes its {table} rows",
            parent = fk.foreign_table
        ),
        "Deleting one parent row silently deletes all its child rows in the same statement, possibly many; make sure that is intended.",
    ))
}

// ---- both directions -----------------------------------------------------------------------

/// UPDATE and DELETE without a WHERE, or without a tenant condition.
pub(crate) fn data_changes(stmt: &ast::Statement, ctx: &Context) -> Vec<Raw> {
    let (verb, target, selection, joins): (&str, String, &Option<Expr>, Vec<&TableWithJoins>) =
        match stmt {
            ast::Statement::Update(update) => {
                let mut joins = vec![&update.table];
                if let Some(from) = &update.from {
                    joins.extend(match from {
                        ast::UpdateTableFromKind::BeforeSet(t)
                        | ast::UpdateTableFromKind::AfterSet(t) => t.iter(),
                    });
                }
                (
                    "UPDATE",
                    relation_name(&update.table),
                    &update.selection,
                    joins,
                )
            }
            ast::Statement::Delete(delete) => {
                let from = match &delete.from {
                    FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
                };
                let target = if delete.tables.is_empty() {
                    from.iter()
                        .map(relation_name)
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    join_names(&delete.tables)
                };
                let mut joins: Vec<&TableWithJoins> = from.iter().collect();
                joins.extend(delete.using.iter().flatten());
                ("DELETE FROM", target, &delete.selection, joins)
            }
            _ => return Vec::new(),
        };
    let Some(selection) = selection else {
        let (rule, effect, why) = if verb == "UPDATE" {
            (
                "update-without-where",
                "changes every row",
                "Every row, of every tenant, is rewritten and locked while the update runs; add a WHERE clause or acknowledge that all rows are meant.",
            )
        } else {
            (
                "delete-without-where",
                "deletes every row",
                "Deleted rows cannot be brought back by a downgrade; add a WHERE clause or acknowledge that all rows are meant.",
            )
        };
        return vec![raw(
            rule,
            format!("{verb} {target} has no WHERE clause: it {effect}"),
            why,
        )];
    };
    if ctx.tenant_columns.is_empty() {
        return Vec::new();
    }
    let in_where = mentions_tenant(selection, ctx);
    // A join condition restricts the rows touched just as well (MySQL's `UPDATE a JOIN b ON
    // ... AND b.tenant_id = ? SET ...`).
    let in_joins = joins.iter().any(|t| {
        t.joins
            .iter()
            .any(|j| mentions_tenant(&j.join_operator, ctx))
    });
    if in_where || in_joins {
        return Vec::new();
    }
    vec![raw(
        "missing-tenant-filter",
        format!(
            "{verb} {target} filters on none of the tenant columns ({})",
            ctx.tenant_list()
        ),
        "Without a tenant condition the statement changes the matching rows of every tenant; add one, or acknowledge why all tenants are meant.",
    )]
}

/// Whether any identifier in `node` (subqueries included) names a tenant column.
fn mentions_tenant<V: Visit>(node: &V, ctx: &Context) -> bool {
    ast::visit_expressions(node, |e| {
        let hit = match e {
            Expr::Identifier(ident) => ctx.is_tenant_column(ident),
            Expr::CompoundIdentifier(parts) => {
                parts.last().is_some_and(|i| ctx.is_tenant_column(i))
            }
            _ => false,
        };
        if hit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_break()
}

fn relation_name(table: &TableWithJoins) -> String {
    match &table.relation {
        TableFactor::Table { name, .. } => name.to_string(),
        other => other.to_string(),
    }
}

// ---- the downgrade -------------------------------------------------------------------------

pub(crate) fn downgrade(stmt: &ast::Statement, ctx: &Context) -> Vec<Raw> {
    const WHY: &str = "Rows written since the upgrade are lost when downgrading; take a backup before downgrading, or acknowledge that the data is disposable.";
    let mut out = Vec::new();
    match stmt {
        ast::Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => {
            for name in names {
                let key = table_key(name);
                out.push(Raw {
                    new_table: ctx.created.contains(&key).then_some(key),
                    ..raw(
                        "lossy-downgrade",
                        format!("the downgrade drops table {name} and the data in it"),
                        WHY,
                    )
                });
            }
        }
        ast::Statement::AlterTable(alter) => {
            for op in &alter.operations {
                if let AlterTableOperation::DropColumn { column_names, .. } = op {
                    for column in column_names {
                        out.push(raw(
                            "lossy-downgrade",
                            format!(
                                "the downgrade drops column {}.{column} and the data in it",
                                alter.name
                            ),
                            WHY,
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    out.extend(data_changes(stmt, ctx));
    out
}
