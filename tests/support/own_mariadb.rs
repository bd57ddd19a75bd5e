//! A MariaDB server of the test's own, on a data folder the test chooses: a fault test may
//! crash it, restart it or fill its disk without touching the machine's shared server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use stratum_db::{Connection, DatabaseUrl};

use crate::{rt, unique, ScratchDb};

pub struct OwnMariaDb {
    data: PathBuf,
    pub port: u16,
    server: Option<Child>,
}

impl OwnMariaDb {
    /// Sets up a data folder in `data` (which must be empty) and starts a server on it, on a
    /// free port; `None` when MariaDB is not installed here (CI has it: the test script
    /// installs it).
    pub fn start(data: &Path) -> Option<OwnMariaDb> {
        if !Path::new("/usr/sbin/mariadbd").exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI: /usr/sbin/mariadbd is missing"
            );
            eprintln!("SKIPPED: no /usr/sbin/mariadbd for a server of the test's own");
            return None;
        }
        let install = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--user=root", "--skip-test-db"])
            .args([
                "--auth-root-authentication-method=normal",
                "--innodb-log-file-size=4M",
            ])
            .arg(format!("--datadir={}", data.display()))
            .output()
            .unwrap_or_else(|e| panic!("mariadb-install-db: {e}"));
        assert!(
            install.status.success(),
            "mariadb-install-db: {}",
            String::from_utf8_lossy(&install.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("a free port: {e}"));
        let mut own = OwnMariaDb {
            data: data.to_path_buf(),
            port,
            server: None,
        };
        own.spawn();
        Some(own)
    }

    fn spawn(&mut self) {
        let child = Command::new("/usr/sbin/mariadbd")
            .args(["--no-defaults", "--user=root", "--bind-address=127.0.0.1"])
            .args(["--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M"])
            .args([
                "--innodb-temp-data-file-path=ibtmp1:4M:autoextend",
                "--skip-log-bin",
            ])
            .arg(format!("--port={}", self.port))
            .arg(format!("--datadir={}", self.data.display()))
            .arg(format!("--socket={}/mysqld.sock", self.data.display()))
            .arg(format!("--pid-file={}/mysqld.pid", self.data.display()))
            .arg(format!("--log-error={}/server.log", self.data.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("mariadbd: {e}"));
        self.server = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = self.admin_url();
        while rt()
            .block_on(Connection::connect(&url, Duration::from_secs(2)))
            .map(|c| rt().block_on(c.close()))
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "the test's MariaDB did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn admin_url(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&format!("mysql://root@127.0.0.1:{}/", self.port))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The server's own log, for a failure's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
    }

    /// A new database on this server.
    pub fn scratch(&self) -> ScratchDb {
        let name = unique("stratum_own");
        rt().block_on(async {
            let mut c = Connection::connect(&self.admin_url(), Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            c.execute(&format!("CREATE DATABASE `{name}`"))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            c.close().await;
        });
        ScratchDb::on_own_server(format!("mysql://root@127.0.0.1:{}/{name}", self.port), name)
    }

    /// The server stops as in a power cut (SIGKILL to its process): InnoDB recovers on start.
    pub fn crash(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server shuts down as a service manager stops it (SIGTERM to its process).
    pub fn shut_down(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same data.
    pub fn start_again(&mut self) {
        if self.server.is_none() {
            self.spawn();
        }
    }
}

impl Drop for OwnMariaDb {
    fn drop(&mut self) {
        self.crash();
    }
}
