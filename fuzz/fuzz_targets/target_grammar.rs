//! The target grammar (`head`, `heads`, `base`, `+2`, `-1`, `label@head`, `rev+1`, partial
//! ids...) resolved against a revision map, for upgrade, downgrade and stamp plans from any
//! version rows: a plan or an error, never a panic or a hang.
//!
//! The first byte chooses the map: the sample project (`examples/kontali-erp`, a branch with a
//! label and a merge) cut after its first 1 to 7 revisions, the whole of it with a second base,
//! a dependency and two more heads, or a map the input writes itself. The rest of the input is
//! lines: for a map of its own, one revision per line until an empty line (`id <parent #label
//! &dependency`, as many of each as wanted); then the version rows (separated by spaces or
//! commas) and the target.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stratum_graph::{Revision, RevisionMap};
use stratum_project::RevisionFile;

const SAMPLE: [(&str, &str); 7] = [
    (
        "001_initial_schema.sql",
        include_str!("../../examples/kontali-erp/versions/001_initial_schema.sql"),
    ),
    (
        "002_add_phone_to_users.sql",
        include_str!("../../examples/kontali-erp/versions/002_add_phone_to_users.sql"),
    ),
    (
        "003_user_status.sql",
        include_str!("../../examples/kontali-erp/versions/003_user_status.sql"),
    ),
    (
        "004_reporting_snapshots.sql",
        include_str!("../../examples/kontali-erp/versions/004_reporting_snapshots.sql"),
    ),
    (
        "005_vendor_invoice_due_date.sql",
        include_str!("../../examples/kontali-erp/versions/005_vendor_invoice_due_date.sql"),
    ),
    (
        "006_merge_reporting_into_main.sql",
        include_str!("../../examples/kontali-erp/versions/006_merge_reporting_into_main.sql"),
    ),
    (
        "007_index_vendor_invoices_by_client_date.sql",
        include_str!(
            "../../examples/kontali-erp/versions/007_index_vendor_invoices_by_client_date.sql"
        ),
    ),
];

fn revision(id: &str, down: &[&str], labels: &[&str], deps: &[&str]) -> Revision {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    Revision {
        id: id.to_string(),
        down_revisions: strings(down),
        branch_labels: strings(labels),
        depends_on: strings(deps),
    }
}

static MAPS: LazyLock<Vec<RevisionMap>> = LazyLock::new(|| {
    let sample: Vec<Revision> = SAMPLE
        .iter()
        .map(
            |(name, text)| match RevisionFile::parse(Path::new(name), text) {
                Ok(file) => file.revision,
                Err(e) => panic!("the sample project does not read: {e}"),
            },
        )
        .collect();
    let mut more = sample.clone();
    more.extend([
        revision("a1b2c3d4", &[], &["audit"], &[]),
        revision("a1b2c3e5", &["a1b2c3d4"], &[], &["003"]),
        revision("0071", &["007"], &[], &[]),
        revision("0072", &["007"], &["hotfix"], &["audit"]),
    ]);
    (1..=sample.len())
        .map(|n| sample[..n].to_vec())
        .chain([more])
        .map(|revisions| match RevisionMap::new(revisions) {
            Ok(map) => map,
            Err(e) => panic!("a seed map does not build: {e}"),
        })
        .collect()
});

/// `id <parent #label &dependency ...`
fn parse_revision(line: &str) -> Revision {
    let mut words = line.split_whitespace();
    let mut r = Revision {
        id: words.next().unwrap_or_default().to_string(),
        ..Default::default()
    };
    for w in words {
        let (list, name) = match w.split_at_checked(1) {
            Some(("<", name)) => (&mut r.down_revisions, name),
            Some(("#", name)) => (&mut r.branch_labels, name),
            Some(("&", name)) => (&mut r.depends_on, name),
            _ => continue,
        };
        list.push(name.to_string());
    }
    r
}

fn plan(map: &RevisionMap, rows: &[String], target: &str) {
    let _ = map.resolve(target);
    let _ = map.plan_upgrade(rows, target);
    let _ = map.plan_downgrade(rows, target);
    let _ = map.plan_stamp(rows, &[target.to_string()], false);
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut lines = text.split('\n');
    let own;
    let map = match MAPS.get(usize::from(choice) % (MAPS.len() + 1)) {
        Some(map) => map,
        None => {
            let revisions = lines
                .by_ref()
                .take_while(|l| !l.trim().is_empty())
                .map(parse_revision)
                .collect();
            let Ok(map) = RevisionMap::new(revisions) else {
                return;
            };
            own = map;
            &own
        }
    };
    let rows: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split([' ', ','])
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    let target = lines.next().unwrap_or_default();
    plan(map, &rows, target);
});
