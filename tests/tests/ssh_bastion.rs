//! A database reached only through an SSH bastion, as consultants reach their clients': a real
//! `sshd` started by the test on loopback, a key pair of the test's own, and a home folder
//! whose `~/.ssh/known_hosts` starts empty. The first connection is refused with the bastion's
//! fingerprint, which is then trusted; a run, a status, the schema and a backup with `pg_dump` go through
//! the tunnel (the bastion's log shows the forwarded connections); a bastion whose host key
//! changed is refused and nothing is sent.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use stratum_db::Engine;
use stratum_tests::{sample_project, server_available, stratum_bin, text, ScratchDb};

const SSHD: &str = "/usr/sbin/sshd";

/// An `sshd` of the test's own, on a free loopback port, stopped when dropped.
struct Bastion {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
    log: PathBuf,
}

impl Bastion {
    fn start(dir: &Path) -> Option<Bastion> {
        if !Path::new(SSHD).exists() {
            assert!(
                std::env::var("CI").is_err(),
                "CI: {SSHD} is missing (scripts/system-deps.sh installs openssh-server)"
            );
            eprintln!("SKIPPED: no {SSHD} here");
            return None;
        }
        keygen(&dir.join("host_key"));
        keygen(&dir.join("client_key"));
        std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys"))
            .unwrap_or_else(|e| panic!("{e}"));
        // sshd's privilege separation wants its empty folder.
        let _ = std::fs::create_dir_all("/run/sshd");
        let mut b = Bastion {
            dir: dir.to_path_buf(),
            port: free_port(),
            child: None,
            log: dir.join("sshd.log"),
        };
        b.run();
        Some(b)
    }

    fn run(&mut self) {
        let config = self.dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin yes\nAllowTcpForwarding yes\nLogLevel DEBUG1\n",
                self.port,
                self.dir.join("host_key").display(),
                self.dir.join("authorized_keys").display(),
                self.dir.join("sshd.pid").display(),
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{SSHD}: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The same bastion reinstalled: a new host key on the same address.
    fn new_host_key(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(self.dir.join("host_key"));
        let _ = std::fs::remove_file(self.dir.join("host_key.pub"));
        keygen(&self.dir.join("host_key"));
        self.run();
    }

    fn fingerprint(&self) -> String {
        let out = Command::new("ssh-keygen")
            .args(["-l", "-E", "sha256", "-f"])
            .arg(self.dir.join("host_key.pub"))
            .output()
            .unwrap_or_else(|e| panic!("ssh-keygen: {e}"));
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The database's URL as seen from the bastion, reached through it.
    fn url_to(&self, db: &ScratchDb) -> String {
        format!(
            "{}?ssh=root@127.0.0.1:{}&ssh_key={}",
            db.url,
            self.port,
            self.dir.join("client_key").display()
        )
    }
}

impl Drop for Bastion {
    fn drop(&mut self) {
        self.stop();
    }
}

fn keygen(file: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("ssh-keygen: {e}"));
    assert!(out.status.success(), "{}", text(&out));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Stratum with a home folder of the test's own (its `~/.ssh/known_hosts`) and no SSH agent.
fn stratum(home: &Path, args: &[&str]) -> Output {
    Command::new(stratum_bin())
        .arg("--project")
        .arg(sample_project())
        .args(args)
        .env("HOME", home)
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("STRATUM_DATABASE_URL")
        .env_remove("STRATUM_PROJECT")
        .output()
        .unwrap_or_else(|e| panic!("stratum: {e}"))
}

#[test]
fn a_database_behind_a_bastion_is_upgraded_backed_up_and_read_through_the_tunnel() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(mut bastion) = Bastion::start(dir.path()) else {
        return;
    };
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = ScratchDb::new(Engine::Postgres);
    let url = bastion.url_to(&db);

    // A first connection: refused, with the fingerprint to compare, and nothing ran.
    let first = stratum(home.path(), &["--url", &url, "upgrade", "head"]);
    let said = text(&first);
    assert!(!first.status.success(), "{said}");
    let fingerprint = bastion.fingerprint();
    assert!(
        said.contains("is not known yet") && said.contains(&fingerprint),
        "{said}\nexpected {fingerprint}"
    );
    assert!(db.version_rows().is_empty());

    // A wrong fingerprint trusts nothing; the right one is written to known_hosts.
    let wrong = stratum(
        home.path(),
        &["--url", &url, "ssh-trust", "SHA256:not-the-key"],
    );
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("nothing was trusted"),
        "{}",
        text(&wrong)
    );
    let trusted = stratum(home.path(), &["--url", &url, "ssh-trust", &fingerprint]);
    assert!(trusted.status.success(), "{}", text(&trusted));
    assert!(home.path().join(".ssh/known_hosts").exists());

    // A run, a status and a backup with pg_dump, each through the tunnel.
    let up = stratum(home.path(), &["--url", &url, "upgrade", "head"]);
    assert!(up.status.success(), "{}", text(&up));
    assert_eq!(db.version_rows(), ["007"]);
    let current = stratum(home.path(), &["--url", &url, "current"]);
    assert!(current.status.success(), "{}", text(&current));
    assert!(text(&current).contains("007"), "{}", text(&current));
    let schema = stratum(home.path(), &["--url", &url, "--json", "schema"]);
    assert!(schema.status.success(), "{}", text(&schema));
    assert!(
        String::from_utf8_lossy(&schema.stdout).contains("vendor_invoices"),
        "the schema explorer reads through the tunnel too"
    );
    let file = dir.path().join("through-the-bastion.dump");
    let backup = stratum(
        home.path(),
        &["--url", &url, "backup", "--out", &file.to_string_lossy()],
    );
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(std::fs::metadata(&file)
        .map(|m| m.len() > 1000)
        .unwrap_or(false));
    let log = bastion.log();
    let forwarded = log.matches("direct-tcpip").count();
    assert!(
        forwarded >= 4 && log.contains("port 5432"),
        "the bastion forwarded {forwarded} connection(s) to the database:\n{log}"
    );

    // Reinstalled, with a new host key: refused outright, nothing sent.
    bastion.new_host_key();
    let down = stratum(home.path(), &["--url", &url, "downgrade", "base"]);
    let said = text(&down);
    assert!(!down.status.success(), "{said}");
    assert!(
        said.contains("has CHANGED") && said.contains(&bastion.fingerprint()),
        "{said}"
    );
    assert_eq!(db.version_rows(), ["007"], "nothing ran");
    let retrust = stratum(
        home.path(),
        &["--url", &url, "ssh-trust", &bastion.fingerprint()],
    );
    assert!(
        !retrust.status.success(),
        "a changed key is never replaced by ssh-trust"
    );
}
