//! The seed's tenant checklist, applied to a live schema: tables without the tenant column,
//! foreign keys that cascade deletes, and foreign-key columns no index starts with.

use serde::Serialize;

use stratum_project::ChecksSection;

use crate::Schema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditFinding {
    /// "no-tenant-column", "cascade-delete" or "unindexed-foreign-key".
    pub rule: &'static str,
    pub table: String,
    pub message: String,
}

/// Tables named like the version table are left out: they belong to the migration tool.
pub fn tenant_audit(s: &Schema, checks: &ChecksSection, version_table: &str) -> Vec<AuditFinding> {
    let tenant_columns = &checks.tenant_columns;
    let is_tenant = |c: &str| tenant_columns.iter().any(|t| t.eq_ignore_ascii_case(c));
    // The tenants' own table (`clients`) scopes the others: a tenant column references it.
    let tenant_tables: Vec<(&str, &str)> = s
        .tables
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .filter(|fk| fk.columns.iter().any(|c| is_tenant(c)))
        .map(|fk| (fk.ref_schema.as_str(), fk.ref_table.as_str()))
        .collect();
    let is_tenant_table = |t: &crate::Table| {
        checks
            .tenant_table
            .as_ref()
            .is_some_and(|named| named.eq_ignore_ascii_case(&t.name))
            || tenant_tables
                .iter()
                .any(|(schema, name)| *name == t.name && (schema.is_empty() || *schema == t.schema))
    };
    let mut out = Vec::new();
    for t in s
        .tables
        .iter()
        .filter(|t| !t.name.eq_ignore_ascii_case(version_table))
    {
        let table = format!("{}.{}", t.schema, t.name);
        if !t.columns.iter().any(|c| is_tenant(&c.name)) && !is_tenant_table(t) {
            out.push(AuditFinding {
                rule: "no-tenant-column",
                table: table.clone(),
                message: format!(
                    "{table} has no tenant column ({})",
                    tenant_columns.join("/")
                ),
            });
        }
        for fk in &t.foreign_keys {
            if fk.on_delete == "CASCADE" {
                out.push(AuditFinding {
                    rule: "cascade-delete",
                    table: table.clone(),
                    message: format!(
                        "{table} ({}) -> {}.{} deletes rows ON DELETE CASCADE",
                        fk.columns.join(", "),
                        fk.ref_schema,
                        fk.ref_table
                    ),
                });
            }
            // An index serves the key when the key's columns are its leading columns.
            let served = t.indexes.iter().any(|i| {
                i.columns.len() >= fk.columns.len()
                    && fk.columns.iter().zip(&i.columns).all(|(a, b)| a == b)
            }) || t.primary_key.as_ref().is_some_and(|pk| {
                pk.columns.len() >= fk.columns.len()
                    && fk.columns.iter().zip(&pk.columns).all(|(a, b)| a == b)
            });
            if !served {
                out.push(AuditFinding {
                    rule: "unindexed-foreign-key",
                    table: table.clone(),
                    message: format!(
                        "{table} ({}) -> {}.{} has no index starting with its columns: deletes and joins on {} scan the table",
                        fk.columns.join(", "),
                        fk.ref_schema,
                        fk.ref_table,
                        fk.ref_table
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, ForeignKey, Index, Table};

    fn table(name: &str, cols: &[&str]) -> Table {
        Table {
            schema: "public".into(),
            name: name.into(),
            columns: cols
                .iter()
                .map(|c| Column {
                    name: (*c).into(),
                    ..Column::default()
                })
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn the_seed_checklist_is_applied_to_the_live_schema() {
        let mut lines = table("invoice_lines", &["id", "invoice_id", "tenant_id"]);
        lines.foreign_keys.push(ForeignKey {
            name: "fk".into(),
            columns: vec!["invoice_id".into()],
            ref_schema: "public".into(),
            ref_table: "invoices".into(),
            ref_columns: vec!["id".into()],
            on_delete: "CASCADE".into(),
            on_update: "NO ACTION".into(),
        });
        let mut notes = table("notes", &["id", "client_id", "invoice_id"]);
        notes.foreign_keys.push(ForeignKey {
            name: "fk_notes_client".into(),
            columns: vec!["client_id".into()],
            ref_schema: "public".into(),
            ref_table: "clients".into(),
            on_delete: "RESTRICT".into(),
            ..ForeignKey::default()
        });
        notes.indexes.push(Index {
            name: "ix_notes_client".into(),
            columns: vec!["client_id".into()],
            ..Index::default()
        });
        notes.foreign_keys.push(ForeignKey {
            name: "fk2".into(),
            columns: vec!["invoice_id".into()],
            ref_table: "invoices".into(),
            on_delete: "RESTRICT".into(),
            ..ForeignKey::default()
        });
        notes.indexes.push(Index {
            name: "ix".into(),
            columns: vec!["invoice_id".into(), "id".into()],
            ..Index::default()
        });
        let s = Schema {
            tables: vec![
                table("countries", &["code", "name"]),
                // The tenants' own table: a tenant column references it.
                table("clients", &["id", "name"]),
                lines,
                notes,
                table("alembic_version", &["version_num"]),
            ],
            ..Schema::default()
        };
        let found: Vec<(&str, String)> =
            tenant_audit(&s, &ChecksSection::default(), "alembic_version")
                .into_iter()
                .map(|f| (f.rule, f.table))
                .collect();
        assert_eq!(
            found,
            [
                ("no-tenant-column", "public.countries".to_string()),
                ("cascade-delete", "public.invoice_lines".to_string()),
                ("unindexed-foreign-key", "public.invoice_lines".to_string()),
            ]
        );
    }

    #[test]
    fn the_tenant_table_named_in_the_project_is_not_reported() {
        let s = Schema {
            tables: vec![
                table("Tenants", &["id", "name"]),
                table("countries", &["code"]),
            ],
            ..Schema::default()
        };
        let checks = ChecksSection {
            tenant_table: Some("tenants".into()),
            ..ChecksSection::default()
        };
        let found: Vec<String> = tenant_audit(&s, &checks, "alembic_version")
            .into_iter()
            .map(|f| f.table)
            .collect();
        assert_eq!(found, ["public.countries"]);
    }
}
