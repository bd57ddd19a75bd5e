//! `stratum schema`: what is in the database, from its catalog.

use stratum_db::DatabaseUrl;
use stratum_schema::{introspect, Difference, Schema, Table};

use crate::args::Cli;
use crate::database_args::{connect, database_url};
use crate::error::CliError;
use crate::output::Out;
use crate::project_args::{open_project, runner};

async fn read(url: &DatabaseUrl) -> Result<Schema, CliError> {
    let mut conn = connect(url).await?;
    let read = introspect(&mut conn).await;
    conn.close().await;
    read.map_err(|e| CliError::Failed(e.to_string()))
}

fn report(differences: &[Difference], same: &str, out: &Out) -> Result<(), CliError> {
    out.result(&differences, || {
        let mut s: String = differences
            .iter()
            .map(|d| format!("{}\n", d.message))
            .collect();
        if differences.is_empty() {
            s.push_str(same);
        }
        s
    });
    if differences.is_empty() {
        Ok(())
    } else {
        Err(CliError::Blocked(format!(
            "{} difference(s)",
            differences.len()
        )))
    }
}

pub async fn drift(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let runner = runner(cli, &project)?;
    let d = stratum_schema::drift(&database_url(cli)?, &project, runner.as_ref())
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let at = if d.rows.is_empty() {
        "base".to_string()
    } else {
        d.rows.join(", ")
    };
    report(
        &d.differences,
        &format!("No drift: the database is what its revisions produce at {at}."),
        out,
    )
}

pub async fn diff(cli: &Cli, other: &str, out: &Out) -> Result<(), CliError> {
    let (a_url, b_url) = (database_url(cli)?, DatabaseUrl::parse(other)?);
    let (a, b) = (read(&a_url).await?, read(&b_url).await?);
    let differences = stratum_schema::diff(&a, &b, &a_url.to_string(), &b_url.to_string());
    report(&differences, "The two schemas are the same.", out)
}

pub async fn audit(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let (checks, table) = match open_project(cli) {
        Ok(p) => (p.config.checks.clone(), p.config.version_table.name.clone()),
        Err(_) => (
            stratum_project::ChecksSection::default(),
            "alembic_version".into(),
        ),
    };
    let s = read(&database_url(cli)?).await?;
    let found = stratum_schema::tenant_audit(&s, &checks, &table);
    out.result(&found, || {
        let mut s: String = found
            .iter()
            .map(|f| format!("{}: {}\n", f.rule, f.message))
            .collect();
        s.push_str(&format!("{} finding(s).\n", found.len()));
        s
    });
    Ok(())
}

pub async fn schema(cli: &Cli, table: &Option<String>, out: &Out) -> Result<(), CliError> {
    let mut s = read(&database_url(cli)?).await?;
    if let Some(name) = table {
        s.tables
            .retain(|t| &t.name == name || format!("{}.{}", t.schema, t.name) == *name);
        if s.tables.is_empty() {
            return Err(CliError::Input(format!(
                "there is no table '{name}' in the database"
            )));
        }
        s.views.clear();
        s.sequences.clear();
        s.enums.clear();
    }
    out.result(&s, || text(&s, table.is_some()));
    Ok(())
}

fn table_text(t: &Table) -> String {
    let mut s = format!("{}.{}", t.schema, t.name);
    if let Some(rows) = t.row_estimate {
        s.push_str(&format!("  (~{rows} rows)"));
    }
    s.push('\n');
    for c in &t.columns {
        let mut extra = Vec::new();
        if !c.nullable {
            extra.push("NOT NULL".to_string());
        }
        if let Some(d) = &c.default {
            extra.push(format!("DEFAULT {d}"));
        }
        if let Some(i) = &c.identity {
            extra.push(i.clone());
        }
        s.push_str(
            &format!("    {} {} {}\n", c.name, c.data_type, extra.join(" ")).replace("  \n", "\n"),
        );
    }
    if let Some(pk) = &t.primary_key {
        s.push_str(&format!("  primary key ({})\n", pk.columns.join(", ")));
    }
    for k in &t.unique_keys {
        s.push_str(&format!("  unique {} ({})\n", k.name, k.columns.join(", ")));
    }
    for i in &t.indexes {
        let partial = i
            .predicate
            .as_ref()
            .map(|p| format!(" WHERE {p}"))
            .unwrap_or_default();
        s.push_str(&format!(
            "  index {}{} {} ({}){partial}\n",
            i.name,
            if i.unique { " unique" } else { "" },
            i.method,
            i.columns.join(", ")
        ));
    }
    for f in &t.foreign_keys {
        s.push_str(&format!(
            "  foreign key {} ({}) -> {}.{} ({}) ON DELETE {} ON UPDATE {}\n",
            f.name,
            f.columns.join(", "),
            f.ref_schema,
            f.ref_table,
            f.ref_columns.join(", "),
            f.on_delete,
            f.on_update
        ));
    }
    s
}

fn text(s: &Schema, one: bool) -> String {
    let mut out = String::new();
    for t in &s.tables {
        out.push_str(&table_text(t));
    }
    if !one {
        for v in &s.views {
            out.push_str(&format!(
                "{} {}.{}\n",
                if v.materialized {
                    "materialized view"
                } else {
                    "view"
                },
                v.schema,
                v.name
            ));
        }
        for q in &s.sequences {
            out.push_str(&format!("sequence {}.{}\n", q.schema, q.name));
        }
        for e in &s.enums {
            out.push_str(&format!(
                "enum {}.{} ({})\n",
                e.schema,
                e.name,
                e.values.join(", ")
            ));
        }
        out.push_str(&format!(
            "{} table(s), {} view(s), {} sequence(s), {} enum type(s)\n",
            s.tables.len(),
            s.views.len(),
            s.sequences.len(),
            s.enums.len()
        ));
    }
    out
}
