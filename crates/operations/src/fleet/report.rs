//! A batch's report as files: CSV for a spreadsheet, and one self-contained HTML page that
//! reads (and prints) well for a client.

use stratum_store::BatchItem;

use super::{BatchReport, PENDING};

const COLUMNS: [&str; 10] = [
    "position",
    "profile",
    "client",
    "environment",
    "from",
    "to",
    "backup",
    "duration_ms",
    "result",
    "error",
];

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Rows as a report writes them: "base" for none, "" when they were never read.
fn rows_of(rows: &str, read: bool) -> &str {
    match (rows.is_empty(), read) {
        (true, true) => "base",
        (true, false) => "",
        (false, _) => rows,
    }
}

/// A line's result and message as a report shows them: a line still pending is a database the
/// batch never got to (only a batch that did not finish has one).
fn outcome(i: &BatchItem) -> (&str, &str) {
    if i.result == PENDING {
        ("not run", "not run: the batch was interrupted")
    } else {
        (&i.result, &i.message)
    }
}

pub fn to_csv(r: &BatchReport) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for i in &r.items {
        let (result, message) = outcome(i);
        let fields = [
            (i.position + 1).to_string(),
            i.profile_name.clone(),
            i.client.clone(),
            i.environment.clone(),
            rows_of(&i.rows_before, i.rows_read).replace(',', " "),
            rows_of(&i.rows_after, i.rows_read).replace(',', " "),
            i.backup.clone(),
            i.duration_ms.to_string(),
            result.to_string(),
            message.to_string(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn to_html(r: &BatchReport) -> String {
    let b = &r.batch;
    let mut rows = String::new();
    for i in &r.items {
        let (result, message) = outcome(i);
        let class = result.replace(' ', "-");
        rows.push_str(&format!(
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td class=\"num\">{:.1} s</td><td class=\"result\">{}</td><td>{}</td></tr>\n",
            i.position + 1,
            esc(&i.profile_name),
            esc(&i.client),
            esc(&i.environment),
            esc(rows_of(&i.rows_before, i.rows_read)),
            esc(rows_of(&i.rows_after, i.rows_read)),
            if i.backup.is_empty() { "—".to_string() } else { format!("<code>{}</code>", esc(&i.backup)) },
            i.duration_ms as f64 / 1000.0,
            esc(result),
            esc(message),
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Stratum batch #{id}: {op} to {target}</title>
<style>
  body {{ font: 14px/1.45 system-ui, sans-serif; color: #1f2328; margin: 32px; }}
  h1 {{ font-size: 20px; margin: 0 0 4px; }}
  .meta {{ color: #6b7280; margin: 0 0 16px; }}
  .summary {{ margin: 0 0 18px; font-weight: 600; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }}
  th {{ font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; }}
  td.num {{ text-align: right; white-space: nowrap; }}
  code {{ font-size: 12px; word-break: break-all; }}
  tr.failed td.result {{ color: #b42318; font-weight: 600; }}
  tr.succeeded td.result {{ color: #157f3b; font-weight: 600; }}
  tr.skipped td.result, tr.cancelled td.result, tr.not-run td.result {{ color: #9a6700; font-weight: 600; }}
  @media print {{ body {{ margin: 12mm; }} }}
</style>
</head>
<body>
<h1>Batch #{id}: {op} to <code>{target}</code></h1>
<p class="meta">Started {at} by {who}; finished {finished}; {seconds:.1} s. {options}.</p>
<p class="summary">{summary}</p>
<table>
<thead><tr><th>#</th><th>Profile</th><th>Client</th><th>Environment</th><th>From</th><th>To</th><th>Backup</th><th>Duration</th><th>Result</th><th>Error</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"#,
        id = b.id,
        op = esc(&b.operation),
        target = esc(&b.target),
        at = esc(&b.at),
        who = esc(&b.who),
        finished = esc(b.finished_at.as_deref().unwrap_or("never (interrupted)")),
        seconds = b.duration_ms as f64 / 1000.0,
        options = esc(&b.options),
        summary = esc(&r.summary()),
        rows = rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use stratum_store::{BatchItem, BatchRecord};

    fn report() -> BatchReport {
        let item = |position: i64, name: &str, result: &str, message: &str| BatchItem {
            id: 0,
            batch_id: 7,
            position,
            profile_id: Some(position + 1),
            profile_name: name.into(),
            client: "Acme, Inc.".into(),
            environment: "production".into(),
            rows_before: "003".into(),
            rows_after: if result == "succeeded" {
                "007".into()
            } else {
                "003".into()
            },
            rows_read: true,
            backup: "/b/acme.dump".into(),
            duration_ms: 1500,
            result: result.into(),
            message: message.into(),
        };
        BatchReport {
            batch: BatchRecord {
                id: 7,
                at: "2026-12-01 10:00:00".into(),
                who: "kari".into(),
                operation: "upgrade".into(),
                target: "heads".into(),
                options: "4 at a time".into(),
                finished_at: Some("2026-12-01 10:01:00".into()),
                duration_ms: 60_000,
            },
            items: vec![
                item(0, "acme-prod", "succeeded", ""),
                item(
                    1,
                    "acme \"eu\"",
                    "failed",
                    "revision 004 failed: relation <x> does not exist\nrolled back",
                ),
            ],
        }
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_keeps_one_line_per_database() {
        let csv = to_csv(&report());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "position,profile,client,environment,from,to,backup,duration_ms,result,error"
        );
        assert_eq!(
            lines[1],
            "1,acme-prod,\"Acme, Inc.\",production,003,007,/b/acme.dump,1500,succeeded,"
        );
        assert!(
            lines[2].starts_with("2,\"acme \"\"eu\"\"\",\"Acme, Inc.\""),
            "{}",
            lines[2]
        );
        assert!(csv.contains("\"revision 004 failed: relation <x> does not exist\nrolled back\""));
    }

    #[test]
    fn a_database_an_interrupted_batch_never_got_to_is_reported_as_not_run() {
        let mut r = report();
        r.batch.finished_at = None;
        let mut waiting = r.items[0].clone();
        waiting.position = 2;
        waiting.result = PENDING.into();
        waiting.rows_read = false;
        waiting.rows_before = String::new();
        waiting.rows_after = String::new();
        waiting.backup = String::new();
        waiting.duration_ms = 0;
        r.items.push(waiting);
        let csv = to_csv(&r);
        assert!(
            csv.ends_with(
                "3,acme-prod,\"Acme, Inc.\",production,,,,0,not run,not run: the batch was interrupted\r\n"
            ),
            "{csv}"
        );
        let html = to_html(&r);
        assert!(html.contains("<tr class=\"not-run\">"), "{html}");
        assert!(html.contains("finished never (interrupted)"));
        assert!(html.contains("1 not run (the batch was interrupted)"));
    }

    #[test]
    fn html_escapes_everything_it_was_given() {
        let html = to_html(&report());
        assert!(html.contains("relation &lt;x&gt; does not exist"));
        assert!(html.contains("acme &quot;eu&quot;"));
        assert!(html.contains("2 database(s): 1 succeeded, 0 already up to date, 1 failed"));
        assert!(!html.contains("<x>"));
    }
}
