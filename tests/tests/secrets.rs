//! A password never leaks. A MariaDB user with a distinctive password owns a database; every
//! operation runs on it with that password, through the `stratum` command line with
//! `--verbose` and through the operations library the desktop app calls (with every crate's
//! log at trace level): connecting, adding a profile, an upgrade with its backup, runs that fail
//! (a wrong password, a failing revision), backup, verify, restore (into a new database and
//! over the same one), a dry run, a rehearsal, a check-up, fleet status and batches with their
//! CSV and HTML reports. Then every file in the data folder (the SQLite store, the audit log,
//! backups and their manifests, reports, logs) and everything printed is searched for the
//! password, and for a wrong one that was tried: neither is anywhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stratum_alembic::RenderCache;
use stratum_db::{CancelToken, Connection, DatabaseUrl, Engine, Operation, RunOptions};
use stratum_operations::fleet::{
    run_batch, status, to_csv, to_html, BatchOptions, Fleet, StatusOptions,
};
use stratum_operations::{checkup_profile, run_checked, GateAnswers, Target};
use stratum_store::{NewProfile, Profile, Secrets, Store};
use stratum_tests::{repo, rt, sample_project, server_available, stratum_bin, MY_ADMIN};

/// A MariaDB user and the databases it may use (its own, and any whose name starts with it: a
/// restore's, a rehearsal's and a dry run's scratch databases), removed when dropped.
struct Owner {
    user: String,
    password: String,
    database: String,
}

impl Owner {
    fn create() -> Owner {
        let tag = format!(
            "{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        let owner = Owner {
            user: format!("stm_leak_{tag}"),
            // Letters and digits only: the same text whether a URL encodes it or not.
            password: format!("Pw{tag}Leakcheck").replace('_', "x"),
            database: format!("stm_leak_{tag}"),
        };
        for host in ["%", "localhost"] {
            admin(&format!(
                "CREATE USER '{}'@'{host}' IDENTIFIED BY '{}'",
                owner.user, owner.password
            ));
            // `_` in a grant's database name is a wildcard: the prefix covers the scratch
            // databases Stratum makes beside the user's own.
            admin(&format!(
                "GRANT ALL PRIVILEGES ON `{}%`.* TO '{}'@'{host}'",
                owner.database, owner.user
            ));
        }
        admin(&format!("CREATE DATABASE `{}`", owner.database));
        admin(&format!("CREATE DATABASE `{}_failing`", owner.database));
        owner
    }

    fn url_to(&self, database: &str, password: &str) -> String {
        format!("mysql://{}:{password}@127.0.0.1:3306/{database}", self.user)
    }

    fn url(&self) -> String {
        self.url_to(&self.database, &self.password)
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        let left = rt().block_on(async {
            let url = DatabaseUrl::parse(MY_ADMIN).ok()?;
            let mut c = Connection::connect(&url, Duration::from_secs(10)).await.ok()?;
            let names = c
                .query_strings(&format!(
                    "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE schema_name LIKE '{}%'",
                    self.database
                ))
                .await
                .ok();
            c.close().await;
            names
        });
        for db in left.unwrap_or_default() {
            admin(&format!("DROP DATABASE IF EXISTS `{db}`"));
        }
        for host in ["%", "localhost"] {
            admin(&format!("DROP USER IF EXISTS '{}'@'{host}'", self.user));
        }
    }
}

fn admin(sql: &str) {
    rt().block_on(async {
        let url = DatabaseUrl::parse(MY_ADMIN).unwrap_or_else(|e| panic!("{e}"));
        let mut c = Connection::connect(&url, Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        c.execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        c.close().await;
    });
}

/// Everything the command line printed, kept to be searched.
#[derive(Default)]
struct Printed(Vec<(String, Vec<u8>)>);

impl Printed {
    /// Runs `stratum --verbose --data-dir DATA ARGS` with the database in the environment (as
    /// the README advises), keeping what it printed; returns its output.
    fn stratum(&mut self, data: &Path, url: &str, project: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(stratum_bin());
        cmd.arg("--verbose")
            .arg("--data-dir")
            .arg(data)
            .arg("--project")
            .arg(project)
            .args(args)
            .env("STRATUM_DATABASE_URL", url)
            .env_remove("STRATUM_PROJECT");
        if url.is_empty() {
            cmd.env_remove("STRATUM_DATABASE_URL");
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run stratum: {e}"));
        let what = args.join(" ");
        self.0
            .push((format!("stdout of `{what}`"), out.stdout.clone()));
        self.0
            .push((format!("stderr of `{what}`"), out.stderr.clone()));
        out
    }

    /// `stratum ARGS` that must succeed.
    fn ok(&mut self, data: &Path, url: &str, project: &Path, args: &[&str]) -> String {
        let out = self.stratum(data, url, project, args);
        let said = both(&out);
        assert!(out.status.success(), "{args:?}: {said}");
        said
    }

    /// `stratum ARGS` that must fail with exit code 1.
    fn fails(&mut self, data: &Path, url: &str, project: &Path, args: &[&str]) -> String {
        let out = self.stratum(data, url, project, args);
        let said = both(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {said}");
        said
    }
}

fn both(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(d) = folders.pop() {
        for entry in std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The in-process log: every crate's events at trace level, into a file in the data folder.
fn log_everything_into(file: &Path) {
    use tracing_subscriber::prelude::*;
    let writer = std::fs::File::create(file).unwrap_or_else(|e| panic!("{e}"));
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(writer))
        .with_filter(tracing_subscriber::filter::LevelFilter::TRACE);
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_password_is_nowhere_after_every_operation() {
    if !server_available(Engine::MySql) {
        return;
    }
    let owner = Owner::create();
    let wrong = format!("{}Wr0ng", owner.password.chars().rev().collect::<String>());
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = home.path().join("data");
    std::fs::create_dir_all(data.join("logs")).unwrap_or_else(|e| panic!("{e}"));
    log_everything_into(&data.join("logs/test-process.log"));
    let sample = sample_project();
    let failing = repo().join("tests/fixtures/failing-project");
    let url = owner.url();
    let mut printed = Printed::default();

    // The command line on one database, as a script runs it.
    printed.ok(&data, &url, &sample, &["current"]);
    let backups = data.join("backups");
    let backups_arg = backups.display().to_string();
    printed.ok(
        &data,
        &url,
        &sample,
        &["upgrade", "003", "--backup", "--backup-dir", &backups_arg],
    );
    let said = printed.ok(&data, &url, &sample, &["upgrade", "head"]);
    assert!(said.contains("step finished"), "--verbose logs: {said}");
    let refused = printed.fails(
        &data,
        &owner.url_to(&owner.database, &wrong),
        &sample,
        &["upgrade", "head"],
    );
    assert!(refused.contains("connection failed"), "{refused}");
    let broken = printed.fails(
        &data,
        &owner.url_to(&format!("{}_failing", owner.database), &owner.password),
        &failing,
        &["upgrade", "head"],
    );
    assert!(broken.contains("legacy_customers"), "{broken}");
    let dump = backups.join("manual.sql");
    let dump_arg = dump.display().to_string();
    printed.ok(&data, &url, &sample, &["backup", "--out", &dump_arg]);
    printed.ok(&data, &url, &sample, &["verify", &dump_arg]);
    let restored_into = format!("{}_restored", owner.database);
    printed.ok(
        &data,
        &url,
        &sample,
        &["restore", &dump_arg, "--into", &restored_into],
    );
    printed.ok(&data, &url, &sample, &["restore", &dump_arg, "--yes"]);
    printed.ok(&data, &url, &sample, &["downgrade", "-1", "--dry-run"]);
    printed.stratum(&data, &url, &sample, &["rehearse", "heads", "--from-base"]);
    printed.stratum(&data, &url, &sample, &["checkup"]);
    printed.stratum(&data, &url, &sample, &["drift"]);
    printed.ok(&data, &url, &sample, &["schema"]);

    // The app's profiles from the command line: the password goes to the keychain, or, where
    // there is none (a CI machine), is not kept at all.
    let added = printed.ok(
        &data,
        "",
        &sample,
        &[
            "--json",
            "profile",
            "add",
            "leak-check",
            "--db",
            &url,
            "--dir",
            &sample.display().to_string(),
            "--environment",
            "staging",
        ],
    );
    let in_keychain = added.contains("\"keychain\"");
    println!(
        "the profile's password went to {}",
        if in_keychain {
            "the keychain"
        } else {
            "no keychain (none runs here): the command line's batch connects without it"
        }
    );
    printed.ok(&data, "", &sample, &["profile", "list"]);
    let csv = data.join("reports/cli-batch.csv").display().to_string();
    let html = data.join("reports/cli-batch.html").display().to_string();
    std::fs::create_dir_all(data.join("reports")).unwrap_or_else(|e| panic!("{e}"));
    let batch = printed.stratum(
        &data,
        "",
        &sample,
        &[
            "downgrade",
            "003",
            "--profiles",
            "leak-check",
            "--backup",
            "--report",
            &csv,
            "--report",
            &html,
        ],
    );
    assert_eq!(batch.status.success(), in_keychain, "{}", both(&batch));
    printed.stratum(&data, "", &sample, &["status", "--profiles", "leak-check"]);
    printed.stratum(&data, "", &sample, &["checkup", "--profiles", "leak-check"]);

    // The same through the library, as the desktop app calls it, with the password in hand.
    let in_process = rt().block_on(async {
        let store = Store::open(&data.join("stratum.db"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let secrets = Secrets::default();
        let profile = store
            .profiles()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .find(|p| p.name == "leak-check")
            .unwrap_or_else(|| panic!("the profile was added"));
        secrets.set(profile.id, &owner.password);
        let locked_out = store
            .add_profile(&NewProfile {
                name: "leak-check-wrong-password".into(),
                environment: "staging".into(),
                url: owner.url_to(&owner.database, "").replace(":@", "@"),
                project_dir: sample.display().to_string(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        secrets.set(locked_out.id, &wrong);
        let renders = RenderCache::default();
        let fleet = Fleet {
            store: &store,
            secrets: &secrets,
            data_dir: &data,
            renders: &renders,
        };
        let everyone: Vec<Profile> = vec![profile.clone(), locked_out.clone()];
        let read = status(
            &store,
            &secrets,
            everyone.clone(),
            &StatusOptions {
                concurrency: 2,
                timeout: Duration::from_secs(10),
            },
            |_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let mut reports = Vec::new();
        for op in [
            Operation::Downgrade("003".into()),
            Operation::Upgrade("heads".into()),
        ] {
            let report = run_batch(
                &fleet,
                everyone.clone(),
                &op,
                &BatchOptions {
                    concurrency: 2,
                    stop_on_failure: false,
                    backup_all: true,
                    ..BatchOptions::default()
                },
                &CancelToken::default(),
                Arc::new(|_| {}),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            let line = |name: &str| {
                report
                    .items
                    .iter()
                    .find(|i| i.profile_name == name)
                    .map(|i| (i.result.clone(), i.message.clone()))
                    .unwrap_or_default()
            };
            assert_eq!(line("leak-check").0, "succeeded", "{report:?}");
            let (result, message) = line("leak-check-wrong-password");
            assert!(
                result == "failed" && message.contains("Access denied"),
                "{message}"
            );
            reports.push(report);
        }
        for (i, r) in reports.iter().enumerate() {
            std::fs::write(data.join(format!("reports/batch-{i}.csv")), to_csv(r))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(data.join(format!("reports/batch-{i}.html")), to_html(r))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let mut target = Target::open(profile.clone(), &secrets).unwrap_or_else(|e| panic!("{e}"));
        let taken = stratum_operations::take(&store, &data, &target, "leak check")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let ran = run_checked(
            &store,
            &mut target,
            &renders,
            &Operation::Downgrade("-1".into()),
            &RunOptions::default(),
            Some(&taken),
            &GateAnswers::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let checked = checkup_profile(&store, &mut target, &renders).await;
        let mut refused =
            Target::open(locked_out.clone(), &secrets).unwrap_or_else(|e| panic!("{e}"));
        let refused_run = run_checked(
            &store,
            &mut refused,
            &renders,
            &Operation::Upgrade("heads".into()),
            &RunOptions::default(),
            Some(&taken),
            &GateAnswers::default(),
        )
        .await;
        secrets.delete(profile.id);
        secrets.delete(locked_out.id);
        format!(
            "{read:?}\n{reports:?}\n{ran:?}\n{}\n{checked:?}\n{refused_run:?}\n{}",
            ran.outcome
                .as_ref()
                .map(|_| String::new())
                .unwrap_or_else(|f| f.to_string()),
            refused_run
                .as_ref()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        )
    });
    assert!(
        in_process.contains("Access denied"),
        "the wrong password was refused: {in_process}"
    );
    printed.0.push((
        "the library's results and errors".into(),
        in_process.into_bytes(),
    ));

    // The logs are there to be searched: each run's steps, and the library's every crate.
    let logged = |name: &str| {
        files_under(&data.join("logs"))
            .iter()
            .filter(|f| f.display().to_string().contains(name))
            .map(|f| std::fs::read_to_string(f).unwrap_or_default())
            .collect::<String>()
    };
    let (cli_log, library_log) = (logged("stratum.log."), logged("test-process.log"));
    for said in [
        "step finished",
        "backup taken",
        "restore finished",
        "connection failed",
    ] {
        assert!(cli_log.contains(said), "the CLI's log file has no '{said}'");
    }
    for said in [
        "batch finished",
        "database finished",
        "step finished",
        "backup taken",
    ] {
        assert!(
            library_log.contains(said),
            "the library's log has no '{said}'"
        );
    }

    // Where a password could have gone: every file in the data folder, everything printed.
    let files = files_under(&data);
    let mut bytes = 0usize;
    let mut hits = Vec::new();
    let mut search = |name: String, body: &[u8]| {
        bytes += body.len();
        for (which, secret) in [
            ("the password", &owner.password),
            ("the wrong password", &wrong),
        ] {
            if contains(body, secret.as_bytes()) {
                hits.push(format!("{which} in {name}"));
            }
        }
    };
    for f in &files {
        let body = match std::fs::read(f) {
            Ok(body) => body,
            // SQLite removes the store's -shm/-wal files when its last connection closes, which
            // may be after the listing: gone, they hold nothing (the -wal was checkpointed into
            // the store file, which is searched).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", f.display()),
        };
        search(f.display().to_string(), &body);
    }
    for (name, body) in &printed.0 {
        search(name.clone(), body);
    }
    let kinds = |ext: &str| {
        files
            .iter()
            .filter(|f| f.display().to_string().contains(ext))
            .count()
    };
    println!(
        "searched {} files and {} outputs, {bytes} bytes: the store, {} log file(s), {} backup(s) with their manifests, {} report(s); {} hit(s)",
        files.len(),
        printed.0.len(),
        kinds("stratum.log"),
        kinds(".json"),
        kinds("reports/"),
        hits.len()
    );
    for must in [
        "stratum.db",
        "stratum.log.",
        "test-process.log",
        ".json",
        ".csv",
        ".html",
    ] {
        assert!(
            files.iter().any(|f| f.display().to_string().contains(must)),
            "nothing like {must} was written: {files:?}"
        );
    }
    assert!(hits.is_empty(), "a password leaked: {hits:#?}");
}
