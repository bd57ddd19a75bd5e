//! Provenance: which revision created each table, column and index, and which last changed it,
//! read from the project's SQL with a real parser (in upgrade order, as the revisions run).

use std::collections::BTreeMap;

use serde::Serialize;
use sqlparser::ast::{AlterTableOperation, ObjectName, ObjectType, Statement as Ast};
use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use stratum_project::{Dialect, Project};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Origin {
    pub created: String,
    pub last_changed: String,
}

/// Keys are lower-case names: `table`, `table.column`, and index names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Provenance {
    pub tables: BTreeMap<String, Origin>,
    pub columns: BTreeMap<String, Origin>,
    pub indexes: BTreeMap<String, Origin>,
}

fn name(n: &ObjectName) -> String {
    n.0.last()
        .map(|p| {
            p.to_string()
                .trim_matches(|c| c == '"' || c == '`')
                .to_lowercase()
        })
        .unwrap_or_default()
}

fn parser(d: Dialect) -> Box<dyn SqlDialect> {
    match d {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::MySql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
    }
}

impl Provenance {
    fn create(map: &mut BTreeMap<String, Origin>, key: String, rev: &str) {
        map.insert(
            key,
            Origin {
                created: rev.into(),
                last_changed: rev.into(),
            },
        );
    }

    fn touch(map: &mut BTreeMap<String, Origin>, key: &str, rev: &str) {
        if let Some(o) = map.get_mut(key) {
            o.last_changed = rev.into();
        }
    }

    /// Where the tables, columns and indexes of `dialect`'s SQL come from. Statements the
    /// parser cannot read are skipped.
    pub fn of(project: &Project, dialect: Dialect) -> Provenance {
        let mut p = Provenance::default();
        let Ok(plan) = project.map.plan_upgrade(&[], "heads") else {
            return p;
        };
        let d = parser(dialect);
        for step in &plan.steps {
            let rev = step.revision.as_str();
            let Some(file) = project.file(rev) else {
                continue;
            };
            let Ok(statements) = file.statements(true, dialect) else {
                continue;
            };
            for stmt in statements {
                let Ok(parsed) = Parser::parse_sql(d.as_ref(), &stmt.sql) else {
                    continue;
                };
                for ast in parsed {
                    p.apply(&ast, rev);
                }
            }
        }
        p
    }

    fn apply(&mut self, ast: &Ast, rev: &str) {
        match ast {
            Ast::CreateTable(ct) => {
                let t = name(&ct.name);
                for c in &ct.columns {
                    Self::create(
                        &mut self.columns,
                        format!("{t}.{}", c.name.value.to_lowercase()),
                        rev,
                    );
                }
                Self::create(&mut self.tables, t, rev);
            }
            Ast::CreateIndex(ci) => {
                let t = name(&ci.table_name);
                if let Some(n) = &ci.name {
                    Self::create(&mut self.indexes, name(n), rev);
                }
                Self::touch(&mut self.tables, &t, rev);
            }
            Ast::AlterTable(at) => {
                let t = name(&at.name);
                Self::touch(&mut self.tables, &t, rev);
                for op in &at.operations {
                    match op {
                        AlterTableOperation::AddColumn { column_def, .. } => Self::create(
                            &mut self.columns,
                            format!("{t}.{}", column_def.name.value.to_lowercase()),
                            rev,
                        ),
                        AlterTableOperation::DropColumn { column_names, .. } => {
                            for c in column_names {
                                self.columns
                                    .remove(&format!("{t}.{}", c.value.to_lowercase()));
                            }
                        }
                        AlterTableOperation::AlterColumn { column_name, .. } => Self::touch(
                            &mut self.columns,
                            &format!("{t}.{}", column_name.value.to_lowercase()),
                            rev,
                        ),
                        AlterTableOperation::RenameColumn {
                            old_column_name,
                            new_column_name,
                        } => {
                            let old = format!("{t}.{}", old_column_name.value.to_lowercase());
                            if let Some(mut o) = self.columns.remove(&old) {
                                o.last_changed = rev.into();
                                self.columns.insert(
                                    format!("{t}.{}", new_column_name.value.to_lowercase()),
                                    o,
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
            Ast::Drop {
                object_type, names, ..
            } => {
                for n in names {
                    let n = name(n);
                    match object_type {
                        ObjectType::Table => {
                            self.tables.remove(&n);
                            self.columns.retain(|k, _| !k.starts_with(&format!("{n}.")));
                        }
                        ObjectType::Index => {
                            self.indexes.remove(&n);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}
