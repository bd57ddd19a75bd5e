//! Database URLs as people write them. A URL or an error, never a panic or a hang; and the form
//! a profile stores (everything but the password) reads back as the same database.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// stratum-db's URL parser, compiled here on its own (see Cargo.toml).
#[path = "../../crates/db/src/url.rs"]
#[allow(dead_code)]
mod db_url;

/// The modules `url.rs` reads a URL's parts with: the libpq service file's lookup, quoting a
/// schema's name, and the SSH bastion's settings (without the tunnel, which needs an SSH library).
#[path = "../../crates/db/src/client_files.rs"]
#[allow(dead_code)]
mod client_files;
#[path = "../../crates/db/src/ident.rs"]
#[allow(dead_code)]
mod ident;
#[path = "../../crates/db/src/ssh.rs"]
#[allow(dead_code)]
mod ssh;

/// What `url.rs` needs of stratum-db's error type.
#[derive(Debug)]
enum DbError {
    Url(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Url(m) => f.write_str(m),
        }
    }
}

use db_url::{DatabaseUrl, Engine};

fuzz_target!(|raw: &str| {
    let Ok(url) = DatabaseUrl::parse(raw) else {
        return;
    };
    let _ = format!("{url} {url:?}");
    let _ = url.sqlalchemy(None);
    let stored = url.without_password();
    let back = match DatabaseUrl::parse(&stored) {
        Ok(back) => back,
        Err(e) => panic!("the stored form {stored:?} of {raw:?} does not read back: {e}"),
    };
    assert_eq!(
        (
            back.engine,
            &back.host,
            back.port,
            &back.user,
            &back.database,
            &back.path,
            back.tls
        ),
        (
            url.engine,
            &url.host,
            url.port,
            &url.user,
            &url.database,
            &url.path,
            url.tls
        ),
        "the stored form {stored:?} of {raw:?} reads back as another database"
    );
});
