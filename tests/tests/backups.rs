//! Backups on real PostgreSQL, MariaDB and SQLite: backup, change, restore gives back the same
//! schema and the same rows; damaged backups are refused; missing or old tools are explained.

use std::path::{Path, PathBuf};

use stratum_backup::{backup, restore, verify, BackupError, Manifest, RestoreTarget, Tools};
use stratum_db::{Connection, Engine, Operation, RunOptions, VersionTable};
use stratum_project::Project;
use stratum_tests::{rt, sample_project, server_available, ScratchDb};

const ENGINES: [Engine; 3] = [Engine::Postgres, Engine::MySql, Engine::Sqlite];

fn migrate(db: &ScratchDb, op: Operation) {
    let project = Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
    rt().block_on(async {
        let mut conn = db.connect().await;
        stratum_db::run(&mut conn, &project, &op, &RunOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        conn.close().await;
    });
}

fn exec(db: &ScratchDb, sql: &str) {
    rt().block_on(async {
        let mut conn: Connection = db.connect().await;
        conn.execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await;
    });
}

fn take(db: &ScratchDb, dir: &Path, tools: &Tools) -> Result<(PathBuf, Manifest), BackupError> {
    let out = dir.join(format!(
        "{}.{}",
        db.name,
        stratum_backup::extension(db.engine)
    ));
    rt().block_on(backup(&db.parsed(), &VersionTable::default(), tools, &out))
        .map(|m| (out, m))
}

/// A database at head with rows that are easy to get wrong: NULL, quotes, unicode, binary-ish.
fn populated(engine: Engine) -> ScratchDb {
    let db = ScratchDb::new(engine);
    migrate(&db, Operation::Upgrade("heads".into()));
    exec(
        &db,
        "CREATE TABLE probe (id INTEGER PRIMARY KEY, note VARCHAR(100), amount DECIMAL(10,2))",
    );
    exec(&db, "INSERT INTO probe (id, note, amount) VALUES (1, 'it''s', 10.50), (2, NULL, NULL), (3, 'blåbær — ✓', -3.25)");
    db
}

#[test]
fn backup_change_and_restore_gives_back_the_same_schema_and_rows() {
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = populated(engine);
        let schema = db.snapshot();
        let rows = db.row_checksums();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let tools = Tools::new(None);
        let (file, manifest) =
            take(&db, dir.path(), &tools).unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        assert_eq!(manifest.rows, vec!["007"], "{engine:?}");
        assert_eq!(
            manifest.size,
            std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0)
        );
        assert_eq!(manifest.sha256.len(), 64);
        assert!(!manifest.tool_version.is_empty());
        assert!(Manifest::path_for(&file).exists());

        // The change a backup protects against: two revisions down, rows edited, a new table.
        migrate(&db, Operation::Downgrade("003".into()));
        exec(&db, "UPDATE probe SET note = 'changed' WHERE id = 1");
        exec(&db, "DELETE FROM probe WHERE id = 2");
        exec(&db, "CREATE TABLE after_backup (id INTEGER)");
        assert_ne!(db.snapshot(), schema);

        let verified = rt()
            .block_on(verify(&file, &tools))
            .unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        assert!(verified.checks.len() >= 2, "{:?}", verified.checks);
        let restored = rt()
            .block_on(restore(&db.parsed(), &file, &tools, &RestoreTarget::Same))
            .unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        assert_eq!(restored.rows, vec!["007"]);
        assert_eq!(db.snapshot(), schema, "{engine:?}: the schema is back");
        assert_eq!(db.row_checksums(), rows, "{engine:?}: the rows are back");
        assert!(!db.tables().contains(&"after_backup".to_string()));

        // Into a new database, leaving the live one alone.
        let new_name = match engine {
            Engine::Sqlite => dir.path().join("copy.db").display().to_string(),
            _ => format!("{}_copy", db.name),
        };
        let copy = rt()
            .block_on(restore(
                &db.parsed(),
                &file,
                &tools,
                &RestoreTarget::New(new_name.clone()),
            ))
            .unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        assert!(
            copy.database.contains(if engine == Engine::Sqlite {
                "copy.db"
            } else {
                "_copy"
            }),
            "{}",
            copy.database
        );
        let probe = match engine {
            Engine::Postgres => format!("SELECT count(*)::text FROM pg_database WHERE datname = '{new_name}'"),
            Engine::MySql => format!("SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.schemata WHERE schema_name = '{new_name}'"),
            Engine::Sqlite => "SELECT '1'".into(),
        };
        assert_eq!(db.query(&probe), vec!["1"]);
        match engine {
            Engine::MySql => exec(&db, &format!("DROP DATABASE `{new_name}`")),
            Engine::Postgres => drop_pg(&new_name),
            Engine::Sqlite => assert!(Path::new(&new_name).exists()),
        }
    }
}

fn drop_pg(name: &str) {
    rt().block_on(async {
        let url = stratum_db::DatabaseUrl::parse(stratum_tests::PG_ADMIN)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut c = Connection::connect(&url, std::time::Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        c.execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        c.close().await;
    });
}

#[test]
fn a_damaged_backup_is_refused_by_verify_and_by_restore_and_nothing_changes() {
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = populated(engine);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let tools = Tools::new(None);
        let (file, manifest) = take(&db, dir.path(), &tools).unwrap_or_else(|e| panic!("{e}"));
        exec(&db, "CREATE TABLE after_backup (id INTEGER)");
        let before = db.snapshot();

        // One byte flipped in the middle: the checksum catches it.
        let mut bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let err = rt()
            .block_on(verify(&file, &tools))
            .map(|_| ())
            .expect_err("it is refused");
        assert!(
            matches!(err, BackupError::ChecksumMismatch { .. }),
            "{engine:?}: {err}"
        );
        assert!(err.to_string().contains("damaged"), "{err}");
        let err = rt()
            .block_on(restore(&db.parsed(), &file, &tools, &RestoreTarget::Same))
            .map(|_| ())
            .expect_err("it is refused");
        assert!(
            err.to_string().contains("does not match its checksum"),
            "{engine:?}: {err}"
        );
        assert_eq!(
            db.snapshot(),
            before,
            "{engine:?}: a refused restore changes nothing"
        );

        // Cut short, with a manifest that agrees: the engine's own reading catches it.
        let cut = &bytes[..bytes.len() / 3];
        std::fs::write(&file, cut).unwrap_or_else(|e| panic!("{e}"));
        let (sha256, size) = rt()
            .block_on(stratum_backup::checksum(&file))
            .unwrap_or_else(|e| panic!("{e}"));
        Manifest {
            sha256,
            size,
            ..manifest.clone()
        }
        .write(&file)
        .unwrap_or_else(|e| panic!("{e}"));
        let err = rt()
            .block_on(verify(&file, &tools))
            .map(|_| ())
            .expect_err("it is refused");
        assert!(
            matches!(err, BackupError::Corrupt { .. }),
            "{engine:?}: {err}"
        );
        assert!(
            err.to_string().contains(&file.display().to_string()),
            "{err}"
        );
        assert_eq!(db.snapshot(), before);
    }
}

#[test]
fn a_missing_pg_dump_or_one_older_than_the_server_is_explained() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let db = ScratchDb::new(Engine::Postgres);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let nowhere = Tools {
        dir: Some(empty.path().to_path_buf()),
        use_path: false,
    };
    let err = take(&db, dir.path(), &nowhere)
        .map(|_| ())
        .expect_err("it is refused")
        .to_string();
    assert!(err.contains("pg_dump was not found"), "{err}");
    assert!(
        err.contains("tools_dir") && err.contains("postgresql-client"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "nothing written"
    );

    // An old client install: a pg_dump that reports version 9.6.
    let old = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = old.path().join("pg_dump");
    std::fs::write(&fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        .unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let old_tools = Tools {
        dir: Some(old.path().to_path_buf()),
        use_path: false,
    };
    let err = take(&db, dir.path(), &old_tools)
        .map(|_| ())
        .expect_err("it is refused")
        .to_string();
    assert!(err.contains("older than the server"), "{err}");
    assert!(
        err.contains("Install pg_dump 15 or newer") || err.contains("or newer"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "nothing written"
    );
}

#[test]
fn a_wrong_password_fails_the_backup_without_showing_the_password() {
    if !server_available(Engine::MySql) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = stratum_db::DatabaseUrl::parse("mysql://root:sekrit-pw@127.0.0.1:3306/mysql")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("x.sql");
    let err = rt()
        .block_on(backup(
            &url,
            &VersionTable::default(),
            &Tools::new(None),
            &out,
        ))
        .map(|_| ())
        .expect_err("it is refused")
        .to_string();
    assert!(!err.contains("sekrit-pw"), "{err}");
    assert!(!out.exists());
}

/// A 16 KiB tmpfs: a disk that fills up during a backup. `None` where this process may not
/// mount one (not root), which outside CI skips the test with a reason.
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount() -> Option<TinyDisk> {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(TinyDisk { dir });
        }
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI runs as root and must be able to mount a tmpfs for the full-disk test");
        }
        eprintln!("SKIPPED: cannot mount a tmpfs here (not root?); the full-disk test needs one");
        None
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_disk_fails_the_backup_says_so_leaves_no_partial_file_and_the_upgrade_does_not_run() {
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let Some(disk) = TinyDisk::mount() else {
            return;
        };
        let db = ScratchDb::new(engine);
        db.upgrade_sample("003");
        // Far more than the disk holds, whatever the engine's dump format.
        exec(
            &db,
            "CREATE TABLE ballast (id INTEGER PRIMARY KEY, filler VARCHAR(200))",
        );
        for chunk in 0..10 {
            let values: Vec<String> = (0..200)
                .map(|i| format!("({}, '{}')", chunk * 200 + i, "x".repeat(180)))
                .collect();
            exec(
                &db,
                &format!(
                    "INSERT INTO ballast (id, filler) VALUES {}",
                    values.join(", ")
                ),
            );
        }
        let before = db.snapshot();
        let o = std::process::Command::new(stratum_tests::stratum_bin())
            .args([
                "--project",
                &sample_project().display().to_string(),
                "--url",
                &db.url,
            ])
            .args(["upgrade", "heads", "--backup", "--backup-dir"])
            .arg(disk.dir.path())
            .env_remove("STRATUM_DATABASE_URL")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let said = stratum_tests::text(&o);
        assert!(!o.status.success(), "{engine:?}: {said}");
        assert!(
            said.contains("disk is full"),
            "{engine:?} says what: {said}"
        );
        assert!(
            said.contains(&disk.dir.path().display().to_string()),
            "{engine:?} says where: {said}"
        );
        assert_eq!(db.snapshot(), before, "{engine:?}: the upgrade did not run");
        assert_eq!(db.version_rows(), ["003"], "{engine:?}");
        let left: Vec<_> = std::fs::read_dir(disk.dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(
            left.is_empty(),
            "{engine:?}: no half-written backup is left: {left:?}"
        );
    }
}
