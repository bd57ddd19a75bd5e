//! Connection failures say what is wrong, quickly, and never show the password.

use std::time::{Duration, Instant};

use stratum_db::{Connection, DatabaseUrl, DbError, Engine};
use stratum_tests::{rt, server_available, stratum, text, MY_ADMIN};

async fn connect(url: &str, timeout: Duration) -> Result<Connection, DbError> {
    Connection::connect(
        &DatabaseUrl::parse(url).unwrap_or_else(|e| panic!("{e}")),
        timeout,
    )
    .await
}

#[test]
fn nothing_listening_is_reported_as_such() {
    let e = rt()
        .block_on(connect(
            "postgresql://postgres@127.0.0.1:1/x",
            Duration::from_secs(10),
        ))
        .err();
    let msg = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("nothing is listening on 127.0.0.1:1"), "{msg}");
}

#[test]
fn a_server_that_never_answers_times_out_with_a_clear_message() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let started = Instant::now();
    let e = rt()
        .block_on(connect(
            &format!("postgresql://postgres@127.0.0.1:{port}/x"),
            Duration::from_secs(2),
        ))
        .err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let msg = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("could not reach") && msg.contains("within 2 seconds"),
        "{msg}"
    );
    drop(listener);
}

#[test]
fn an_unknown_postgres_database_is_named() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let e = rt()
        .block_on(connect(
            "postgresql://postgres@127.0.0.1:5432/no_such_db_here",
            Duration::from_secs(10),
        ))
        .err();
    let msg = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("the database 'no_such_db_here' does not exist"),
        "{msg}"
    );
}

#[test]
fn a_wrong_mysql_password_is_reported_without_the_password() {
    if !server_available(Engine::MySql) {
        return;
    }
    let user = format!("stratum_pw_{}", std::process::id());
    let admin = |sql: String| {
        rt().block_on(async {
            let mut c = connect(MY_ADMIN, Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            c.execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            c.close().await;
        })
    };
    admin(format!(
        "CREATE USER '{user}'@'%' IDENTIFIED BY 'right-one'"
    ));
    admin(format!(
        "CREATE USER '{user}'@'localhost' IDENTIFIED BY 'right-one'"
    ));
    let e = rt()
        .block_on(connect(
            &format!("mysql://{user}:Secret-Wrong@127.0.0.1:3306/"),
            Duration::from_secs(10),
        ))
        .err();
    admin(format!("DROP USER '{user}'@'%'"));
    admin(format!("DROP USER '{user}'@'localhost'"));
    let msg = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("wrong password or user name"), "{msg}");
    assert!(!msg.contains("Secret-Wrong"), "{msg}");
}

#[test]
fn the_cli_exits_1_when_the_database_cannot_be_reached() {
    let project = stratum_tests::sample_project();
    let out = stratum(&[
        "--project",
        &project.to_string_lossy(),
        "--url",
        "postgresql://u:pw@127.0.0.1:1/x",
        "current",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("nothing is listening"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(":pw@"), "{}", text(&out));
}

#[test]
fn a_wrong_postgres_password_is_reported_without_the_password() {
    if !server_available(Engine::Postgres) {
        return;
    }
    // scripts/services.sh makes PostgreSQL check passwords for this one role.
    let hba_ready = rt().block_on(async {
        let mut c = connect(stratum_tests::PG_ADMIN, Duration::from_secs(10)).await.ok()?;
        let rows = c
            .query_strings("SELECT 'yes' FROM pg_hba_file_rules WHERE 'stratum_pw_test' = ANY(user_name) AND auth_method = 'scram-sha-256'")
            .await
            .ok()?;
        c.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stratum_pw_test') THEN CREATE ROLE stratum_pw_test LOGIN PASSWORD 'right-one'; END IF; END $$")
            .await
            .ok()?;
        c.close().await;
        Some(!rows.is_empty())
    });
    if hba_ready != Some(true) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run scripts/services.sh first"
        );
        eprintln!("SKIPPED: run scripts/services.sh to let PostgreSQL check a password");
        return;
    }
    let started = Instant::now();
    let e = rt()
        .block_on(connect(
            "postgresql://stratum_pw_test:Secret-Wrong@127.0.0.1:5432/postgres",
            Duration::from_secs(10),
        ))
        .err();
    assert!(started.elapsed() < Duration::from_secs(10));
    let msg = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("wrong password or user name"), "{msg}");
    assert!(!msg.contains("Secret-Wrong"), "{msg}");
    let ok = rt().block_on(connect(
        "postgresql://stratum_pw_test:right-one@127.0.0.1:5432/postgres",
        Duration::from_secs(10),
    ));
    assert!(ok.is_ok(), "the right password works: {:?}", ok.err());
}
