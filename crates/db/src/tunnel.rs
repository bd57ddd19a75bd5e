//! SSH bastions: a database reached through an SSH server (`?ssh=user@bastion:22`, with
//! `&ssh_key=PATH` or the SSH agent), as every database client offers. One tunnel per bastion
//! and database server, opened on first use and shared by every connection and tool of the
//! process (the engine's own `pg_dump`, an Alembic project's Python): each gets a port on
//! this machine's loopback that leads, through the bastion, to the database.
//!
//! The bastion's host key is checked against `~/.ssh/known_hosts`, as `ssh` does: an unknown
//! one is refused with its fingerprint (to be trusted with [`trust_host_key`] once a person
//! has compared it), a changed one refused outright.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use tokio::net::TcpListener;

pub use crate::ssh::SshSettings;
use crate::{DatabaseUrl, DbError};

/// The known-hosts file `ssh` uses.
pub fn known_hosts_file() -> PathBuf {
    crate::ssh::home()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".ssh")
        .join("known_hosts")
}

/// `url` as this process reaches it: through its bastion's tunnel when it names one (the
/// host and port then this machine's end of the tunnel), else as it is.
pub async fn reachable(url: &DatabaseUrl) -> Result<DatabaseUrl, DbError> {
    let Some(ssh) = &url.ssh else {
        return Ok(url.clone());
    };
    let target = (url.host.clone(), url.port.unwrap_or(url.default_port()));
    let key = (ssh.clone(), target.0.clone(), target.1);
    let open = tunnels()
        .lock()
        .ok()
        .and_then(|t| t.get(&key).filter(|t| !t.is_closed()).map(|t| t.local));
    let local = match open {
        Some(local) => local,
        None => {
            let tunnel = Tunnel::open(ssh, &target.0, target.1).await?;
            let local = tunnel.local;
            if let Ok(mut t) = tunnels().lock() {
                t.insert(key, Arc::new(tunnel));
            }
            local
        }
    };
    let mut through = url.clone();
    through.ssh = None;
    through.host = local.ip().to_string();
    through.port = Some(local.port());
    through.socket = None;
    Ok(through)
}

type TunnelKey = (SshSettings, String, u16);

fn tunnels() -> &'static Mutex<HashMap<TunnelKey, Arc<Tunnel>>> {
    static TUNNELS: OnceLock<Mutex<HashMap<TunnelKey, Arc<Tunnel>>>> = OnceLock::new();
    TUNNELS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A local port forwarded through the bastion to the database server.
struct Tunnel {
    local: SocketAddr,
    session: Arc<russh::client::Handle<HostCheck>>,
    accepting: tokio::task::JoinHandle<()>,
}

impl Tunnel {
    fn is_closed(&self) -> bool {
        self.session.is_closed() || self.accepting.is_finished()
    }

    async fn open(ssh: &SshSettings, host: &str, port: u16) -> Result<Tunnel, DbError> {
        let session = Arc::new(connect(ssh).await?);
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| ssh_error(ssh, format!("cannot listen on this machine: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| ssh_error(ssh, e.to_string()))?;
        let (for_task, to_host) = (session.clone(), host.to_string());
        let accepting = tokio::spawn(async move {
            while let Ok((mut socket, from)) = listener.accept().await {
                let (session, host) = (for_task.clone(), to_host.clone());
                tokio::spawn(async move {
                    let _ = socket.set_nodelay(true);
                    let channel = session
                        .channel_open_direct_tcpip(
                            host.clone(),
                            u32::from(port),
                            from.ip().to_string(),
                            u32::from(from.port()),
                        )
                        .await;
                    match channel {
                        Ok(channel) => {
                            let mut stream = channel.into_stream();
                            let _ = tokio::io::copy_bidirectional(&mut socket, &mut stream).await;
                        }
                        // The client sees its connection closed and says it could not connect.
                        Err(e) => {
                            tracing::warn!(%host, port, error = %e, "the bastion would not open a way to the database");
                        }
                    }
                });
            }
        });
        tracing::info!(bastion = %ssh, to = %format!("{host}:{port}"), local = %local, "SSH tunnel open");
        Ok(Tunnel {
            local,
            session,
            accepting,
        })
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

fn ssh_error(ssh: &SshSettings, reason: String) -> DbError {
    DbError::Ssh {
        bastion: ssh.to_string(),
        reason,
    }
}

/// What the host-key check found, kept for the error after a refused handshake.
#[derive(Debug, Clone)]
enum Seen {
    Trusted,
    Unknown { fingerprint: String },
    Changed { fingerprint: String, line: usize },
    Unreadable(String),
}

/// What the bastion offered, and what `known_hosts` says of it.
type Offered = Arc<Mutex<Option<(Option<PublicKey>, Seen)>>>;

struct HostCheck {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    seen: Offered,
}

impl russh::client::Handler for HostCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        offered: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = offered else {
            self.record(
                None,
                Seen::Unreadable(
                    "the bastion offered a certificate; Stratum checks plain host keys".into(),
                ),
            );
            return Ok(false);
        };
        let seen = check(&self.host, self.port, key, &self.known_hosts);
        let trusted = matches!(seen, Seen::Trusted);
        self.record(Some(key.clone()), seen);
        Ok(trusted)
    }
}

impl HostCheck {
    fn record(&self, key: Option<PublicKey>, seen: Seen) {
        if let Ok(mut s) = self.seen.lock() {
            *s = Some((key, seen));
        }
    }
}

fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

fn check(host: &str, port: u16, key: &PublicKey, file: &PathBuf) -> Seen {
    match russh::keys::check_known_hosts_path(host, port, key, file) {
        Ok(true) => Seen::Trusted,
        Ok(false) => Seen::Unknown {
            fingerprint: fingerprint(key),
        },
        Err(russh::keys::Error::KeyChanged { line }) => Seen::Changed {
            fingerprint: fingerprint(key),
            line,
        },
        Err(e) => Seen::Unreadable(format!("{}: {e}", file.display())),
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The SSH handshake, the bastion's key checked; with what it offered, also when refused.
async fn handshake(
    ssh: &SshSettings,
) -> (
    Result<russh::client::Handle<HostCheck>, DbError>,
    Option<(Option<PublicKey>, Seen)>,
) {
    let seen: Offered = Arc::new(Mutex::new(None));
    let check = HostCheck {
        host: ssh.host.clone(),
        port: ssh.port,
        known_hosts: known_hosts_file(),
        seen: seen.clone(),
    };
    let config = Arc::new(russh::client::Config {
        nodelay: true,
        keepalive_interval: Some(Duration::from_secs(30)),
        ..Default::default()
    });
    let connecting = russh::client::connect(config, (ssh.host.as_str(), ssh.port), check);
    let result = tokio::time::timeout(CONNECT_TIMEOUT, connecting).await;
    let offered = seen.lock().ok().and_then(|s| s.clone());
    let result = match result {
        Ok(Ok(handle)) => Ok(handle),
        Err(_) => Err(ssh_error(
            ssh,
            format!(
                "no answer within {} seconds; check the bastion's host and port",
                CONNECT_TIMEOUT.as_secs()
            ),
        )),
        Ok(Err(e)) => Err(match offered.clone().map(|(_, seen)| seen) {
            Some(Seen::Unknown { fingerprint }) => DbError::SshUnknownHost {
                bastion: ssh.to_string(),
                fingerprint,
            },
            Some(Seen::Changed { fingerprint, line }) => DbError::SshHostKeyChanged {
                bastion: ssh.to_string(),
                fingerprint,
                file: known_hosts_file().display().to_string(),
                line,
            },
            Some(Seen::Unreadable(why)) => ssh_error(ssh, why),
            Some(Seen::Trusted) | None => ssh_error(ssh, e.to_string()),
        }),
    };
    (result, offered)
}

async fn connect(ssh: &SshSettings) -> Result<russh::client::Handle<HostCheck>, DbError> {
    let mut handle = handshake(ssh).await.0?;
    let authenticated = match &ssh.key {
        Some(file) => {
            let key = russh::keys::load_secret_key(file, None).map_err(|e| {
                ssh_error(
                    ssh,
                    format!(
                        "the key {} cannot be used ({e}); a key with a passphrase belongs in the SSH agent",
                        file.display()
                    ),
                )
            })?;
            let hash = rsa_hash(&handle).await;
            handle
                .authenticate_publickey(
                    ssh.user.clone(),
                    PrivateKeyWithHashAlg::new(Arc::new(key), hash),
                )
                .await
                .map_err(|e| ssh_error(ssh, e.to_string()))?
                .success()
        }
        None => by_agent(ssh, &mut handle).await?,
    };
    if !authenticated {
        return Err(ssh_error(
            ssh,
            format!(
                "the bastion refused {} with {}",
                ssh.user,
                ssh.key
                    .as_ref()
                    .map(|k| format!("the key {}", k.display()))
                    .unwrap_or_else(|| "the SSH agent's keys".into())
            ),
        ));
    }
    Ok(handle)
}

/// The strongest RSA signature hash the bastion says it takes; none (SHA-1) when it says
/// nothing, as older servers do, and for keys that are not RSA it is not used.
async fn rsa_hash(handle: &russh::client::Handle<HostCheck>) -> Option<HashAlg> {
    handle
        .best_supported_rsa_hash()
        .await
        .ok()
        .flatten()
        .flatten()
}

async fn by_agent(
    ssh: &SshSettings,
    handle: &mut russh::client::Handle<HostCheck>,
) -> Result<bool, DbError> {
    let mut agent = russh::keys::agent::client::AgentClient::connect_env()
        .await
        .map_err(|e| {
            ssh_error(
                ssh,
                format!("no key file is given and no SSH agent answers ({e}): set ssh_key, or start ssh-agent and ssh-add the key"),
            )
        })?;
    let identities = agent
        .request_identities()
        .await
        .map_err(|e| ssh_error(ssh, format!("the SSH agent: {e}")))?;
    for identity in identities {
        let key = identity.public_key().into_owned();
        let hash = rsa_hash(handle).await;
        let result = handle
            .authenticate_publickey_with(ssh.user.clone(), key, hash, &mut agent)
            .await;
        if result.is_ok_and(|r| r.success()) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Records the bastion's host key in `~/.ssh/known_hosts`, when it is the one whose
/// `fingerprint` the person compared; a changed key is never replaced here.
pub async fn trust_host_key(ssh: &SshSettings, compared: &str) -> Result<(), DbError> {
    let (connected, offered) = handshake(ssh).await;
    if let Ok(handle) = connected {
        let _ = handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }
    let (key, seen) = match offered {
        Some((Some(key), seen)) => (key, seen),
        Some((None, Seen::Unreadable(why))) => return Err(ssh_error(ssh, why)),
        _ => return Err(ssh_error(ssh, "it offered no host key".into())),
    };
    let offered = fingerprint(&key);
    if offered != compared.trim() {
        return Err(ssh_error(
            ssh,
            format!(
                "it offers the key {offered}, not {}: nothing was trusted",
                compared.trim()
            ),
        ));
    }
    let file = known_hosts_file();
    match seen {
        Seen::Trusted => Ok(()),
        Seen::Changed { line, .. } => Err(DbError::SshHostKeyChanged {
            bastion: ssh.to_string(),
            fingerprint: offered,
            file: file.display().to_string(),
            line,
        }),
        Seen::Unknown { .. } | Seen::Unreadable(_) => {
            russh::keys::known_hosts::learn_known_hosts_path(&ssh.host, ssh.port, &key, &file)
                .map_err(|e| ssh_error(ssh, format!("writing {}: {e}", file.display())))
        }
    }
}
