//! Profiles for a team: exported to a file without a secret and imported on another machine
//! (another data folder), their project found beside the file wherever it was checked out,
//! each server's password typed, found in this keychain or in the engine's own files; and the
//! ecosystem's files honoured where a URL has no password: `~/.pgpass` / `PGPASSFILE`,
//! `pg_service.conf` services, MySQL's `~/.my.cnf`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use stratum_db::{DatabaseUrl, Engine};
use stratum_operations::profile_file::{import, ImportOptions, PasswordSource};
use stratum_store::{NewProfile, Secrets, Store};
use stratum_tests::{
    admin, copy_dir, rt, sample_project, server_available, stratum_bin, text, ScratchDb, MY_ADMIN,
};

fn stratum(data: &Path, env: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut c = Command::new(stratum_bin());
    c.arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("STRATUM_DATABASE_URL")
        .env_remove("STRATUM_PROJECT")
        .env_remove("PGPASSFILE")
        .env_remove("PGSERVICEFILE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap_or_else(|e| panic!("stratum: {e}"))
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", text(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

#[test]
fn exported_profiles_hold_no_password_and_import_on_another_machine_beside_their_project() {
    let team = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = team.path().join("erp-repo");
    copy_dir(&sample_project(), &repo);
    let here = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let secret = "Sh4redNowhere";
    let add = stratum(
        here.path(),
        &[],
        &[
            "profile",
            "add",
            "acme-prod",
            "--db",
            &format!("postgresql://ops:{secret}@db.acme.example:6543/erp?sslmode=require"),
            "--dir",
            &repo.to_string_lossy(),
            "--client",
            "Acme",
            "--environment",
            "production",
            "--tags",
            "erp,eu",
        ],
    );
    assert!(add.status.success(), "{}", text(&add));
    let lite = stratum(
        here.path(),
        &[],
        &[
            "profile",
            "add",
            "acme-dev",
            "--db",
            &format!("sqlite:///{}", team.path().join("dev.db").display()),
            "--dir",
            &repo.to_string_lossy(),
            "--client",
            "Acme",
        ],
    );
    assert!(lite.status.success(), "{}", text(&lite));

    // The file sits in the team's folder, beside the repository.
    let file = team.path().join("profiles.json");
    let out = stratum(
        here.path(),
        &[],
        &["profile", "export", &file.to_string_lossy()],
    );
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(!written.contains(secret), "{written}");
    assert!(
        written.contains("\"project_dir\": \"erp-repo\""),
        "{written}"
    );

    // A colleague's machine: the folder checked out elsewhere, another data folder.
    let colleague = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let moved = colleague.path().join("work");
    copy_dir(team.path(), &moved);
    let theirs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let done = json(&stratum(
        theirs.path(),
        &[],
        &[
            "--json",
            "profile",
            "import",
            &moved.join("profiles.json").to_string_lossy(),
        ],
    ));
    assert_eq!(done["added"].as_array().map(Vec::len), Some(2), "{done}");
    let how = |name: &str| {
        done["added"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == name)
            .map(|p| p["password"]["from"].clone())
    };
    // No terminal to ask at, and nothing here knows the server's password.
    assert_eq!(how("acme-prod"), Some("none".into()), "{done}");
    assert_eq!(how("acme-dev"), Some("not_needed".into()), "{done}");
    let listed = json(&stratum(theirs.path(), &[], &["--json", "profile", "list"]));
    let prod = listed
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "acme-prod")
        .cloned()
        .unwrap_or_default();
    assert_eq!(prod["client"], "Acme");
    assert_eq!(prod["environment"], "production");
    assert_eq!(prod["tags"], serde_json::json!(["erp", "eu"]));
    assert_eq!(
        prod["database"],
        "postgresql://ops@db.acme.example:6543/erp"
    );
    let bound = std::fs::canonicalize(moved.join("erp-repo")).unwrap_or_default();
    assert_eq!(prod["project_dir"], bound.display().to_string());

    // Imported again: the names are taken, nothing is added twice.
    let again = json(&stratum(
        theirs.path(),
        &[],
        &[
            "--json",
            "profile",
            "import",
            &moved.join("profiles.json").to_string_lossy(),
        ],
    ));
    assert_eq!(again["added"].as_array().map(Vec::len), Some(0));
    assert_eq!(again["skipped"].as_array().map(Vec::len), Some(2));

    // A file that is not one says so, and adds nothing.
    let bogus = colleague.path().join("bogus.json");
    std::fs::write(&bogus, "{\"profiles\": 3}").unwrap_or_else(|e| panic!("{e}"));
    let out = stratum(
        theirs.path(),
        &[],
        &["profile", "import", &bogus.to_string_lossy()],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not a Stratum profiles file"),
        "{}",
        text(&out)
    );
}

/// The importing person's keychain already knows the server (another profile of the same
/// server and user): its password is used; a password typed for a server is kept for it.
#[test]
fn an_imported_profile_takes_its_password_from_the_keychain_or_from_what_was_typed() {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = data.path().join("profiles.json");
    let project = sample_project().display().to_string();
    let shared = serde_json::json!({
        "stratum_profiles": 1,
        "profiles": [
            { "name": "north", "environment": "staging", "url": "postgresql://ops@db.north.example/erp",
              "project_dir": project, "auto_backup": false, "backup_keep": 10 },
            { "name": "south", "environment": "staging", "url": "mysql://ops@db.south.example/erp",
              "project_dir": project, "auto_backup": false, "backup_keep": 10 },
        ]
    });
    std::fs::write(&file, shared.to_string()).unwrap_or_else(|e| panic!("{e}"));
    rt().block_on(async {
        let store = Store::open(&data.path().join("store.db"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let secrets = Secrets::default();
        let known = store
            .add_profile(&NewProfile {
                name: "north-old".into(),
                environment: "staging".into(),
                url: "postgresql://ops@db.north.example:5432/erp_old".into(),
                project_dir: project.clone(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        secrets.set(known.id, "from-the-keychain");
        let typed = BTreeMap::from([(
            "mysql://ops@db.south.example:3306".to_string(),
            "typed-on-import".to_string(),
        )]);
        let done = import(
            &store,
            &secrets,
            &file,
            &ImportOptions {
                passwords: typed,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            done.added
                .iter()
                .map(|p| (p.name.as_str(), p.password.clone()))
                .collect::<Vec<_>>(),
            [
                (
                    "north",
                    PasswordSource::Profile {
                        name: "north-old".into()
                    }
                ),
                ("south", PasswordSource::Given)
            ]
        );
        let profiles = store.profiles().await.unwrap_or_else(|e| panic!("{e}"));
        let id = |name: &str| {
            profiles
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.id)
                .unwrap_or_default()
        };
        assert_eq!(
            secrets.get(id("north")).as_deref(),
            Some("from-the-keychain")
        );
        assert_eq!(secrets.get(id("south")).as_deref(), Some("typed-on-import"));
        drop(store);
    });
    // Nothing of a password in the store's file.
    let stored = std::fs::read(data.path().join("store.db")).unwrap_or_default();
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains("from-the-keychain") && !stored.contains("typed-on-import"));
}

/// A MariaDB user with a password, written only in `~/.my.cnf`: a URL without one connects,
/// as the mysql client would; without the file the failure says the password is missing.
#[test]
fn a_mysql_option_file_gives_the_password_a_url_leaves_out() {
    if !server_available(Engine::MySql) {
        return;
    }
    let user = format!("stm_cnf_{}", std::process::id());
    let password = format!("Cnf{}Pw", std::process::id());
    for host in ["%", "localhost"] {
        admin(
            MY_ADMIN,
            &format!("CREATE USER '{user}'@'{host}' IDENTIFIED BY '{password}'"),
        );
        admin(
            MY_ADMIN,
            &format!("GRANT ALL PRIVILEGES ON `{user}`.* TO '{user}'@'{host}'"),
        );
    }
    admin(MY_ADMIN, &format!("CREATE DATABASE `{user}`"));
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        home.path().join(".my.cnf"),
        format!("[client]\nuser={user}\npassword=\"{password}\"\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("mysql://{user}@127.0.0.1:3306/{user}");
    let project = sample_project();
    let args = [
        "--project",
        &*project.to_string_lossy(),
        "--url",
        &url,
        "upgrade",
        "head",
    ];
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let without = stratum(data.path(), &[("HOME", empty.path())], &args);
    let with = stratum(data.path(), &[("HOME", home.path())], &args);
    admin(MY_ADMIN, &format!("DROP DATABASE IF EXISTS `{user}`"));
    for host in ["%", "localhost"] {
        admin(MY_ADMIN, &format!("DROP USER IF EXISTS '{user}'@'{host}'"));
    }
    let said = text(&without);
    assert!(!without.status.success(), "{said}");
    assert!(
        said.contains("wants a password") && !said.contains(&password),
        "{said}"
    );
    let said = text(&with);
    assert!(with.status.success(), "{said}");
    assert!(!said.contains(&password), "{said}");
}

/// `pg_service.conf`: a URL naming a service connects where the service says; the profile keeps
/// the service's name, not a copy of its settings. `PGPASSFILE`: the password libpq would use
/// is found for the URL's host, port, database and user, and a file others can read is ignored.
#[test]
fn postgres_services_and_password_files_are_honoured() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let db = ScratchDb::new(Engine::Postgres);
    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let services = files.path().join("pg_service.conf");
    std::fs::write(
        &services,
        format!(
            "[other]\nhost=elsewhere.example\n\n[st_erp]\nhost=127.0.0.1\nport=5432\ndbname={}\nuser=postgres\n",
            db.name
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let project = sample_project();
    let env = [("PGSERVICEFILE", services.as_path())];
    let up = stratum(
        data.path(),
        &env,
        &[
            "--project",
            &project.to_string_lossy(),
            "--url",
            "postgresql:///?service=st_erp",
            "upgrade",
            "head",
        ],
    );
    assert!(up.status.success(), "{}", text(&up));
    assert_eq!(db.version_rows(), ["007"]);
    let add = stratum(
        data.path(),
        &env,
        &[
            "profile",
            "add",
            "erp-by-service",
            "--db",
            "postgresql:///?service=st_erp",
            "--dir",
            &project.to_string_lossy(),
        ],
    );
    assert!(add.status.success(), "{}", text(&add));
    let exported = data.path().join("p.json");
    let out = stratum(
        data.path(),
        &env,
        &["profile", "export", &exported.to_string_lossy()],
    );
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&exported).unwrap_or_default();
    assert!(
        written.contains("\"url\": \"postgresql:///?service=st_erp&sslmode=disable\""),
        "{written}"
    );
    let unknown = stratum(
        data.path(),
        &env,
        &[
            "--project",
            &project.to_string_lossy(),
            "--url",
            "postgresql:///?service=nope",
            "current",
        ],
    );
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("the PostgreSQL service 'nope' is in none of"),
        "{}",
        text(&unknown)
    );

    // libpq's password file, read by this process (the server here trusts every login, so
    // the lookup itself is what can be seen).
    let pgpass = files.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("# team\nother.example:*:*:*:no\n127.0.0.1:5432:{}:postgres:from\\:pgpass\n*:*:*:*:fallback\n", db.name),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    set_mode(&pgpass, 0o600);
    std::env::set_var("PGPASSFILE", &pgpass);
    let found = |url: &str| {
        stratum_db::client_files::password_for(
            &DatabaseUrl::parse(url).unwrap_or_else(|e| panic!("{e}")),
        )
    };
    assert_eq!(found(&db.url).as_deref(), Some("from:pgpass"));
    assert_eq!(
        found("postgresql://postgres@127.0.0.1:5432/another").as_deref(),
        Some("fallback")
    );
    set_mode(&pgpass, 0o644);
    assert_eq!(found(&db.url), None, "a file others can read is ignored");
    std::env::remove_var("PGPASSFILE");
}

fn set_mode(file: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("{e}"));
}
