//! Database passwords: in the operating system's keychain (the Secret Service on Linux, the
//! Credential Manager on Windows, the login keychain on macOS), or,
//! where no keychain service runs, in memory for this session only. Never in the store's file,
//! never in logs or messages.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::Serialize;

const SERVICE: &str = "stratum";

/// Where a password ended up, so the window can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SecretStorage {
    Keychain,
    /// No keychain service: kept in memory until the app closes.
    Memory,
}

#[derive(Default)]
pub struct Secrets {
    memory: Mutex<HashMap<i64, String>>,
    /// The keychain service answered that it is not there: not asked again by this process.
    /// Without it, each of a fleet's thousand lookups waited for the session bus to say so.
    unavailable: AtomicBool,
}

fn entry(profile_id: i64) -> Option<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("profile-{profile_id}")).ok()
}

impl Secrets {
    pub fn set(&self, profile_id: i64, password: &str) -> SecretStorage {
        if let Some(e) = self.keychain(profile_id) {
            match e.set_password(password) {
                Ok(()) => {
                    self.forget_memory(profile_id);
                    return SecretStorage::Keychain;
                }
                Err(e) => self.note(&e),
            }
        }
        if let Ok(mut m) = self.memory.lock() {
            m.insert(profile_id, password.to_string());
        }
        SecretStorage::Memory
    }

    pub fn get(&self, profile_id: i64) -> Option<String> {
        if let Some(p) = self
            .memory
            .lock()
            .ok()
            .and_then(|m| m.get(&profile_id).cloned())
        {
            return Some(p);
        }
        match self.keychain(profile_id)?.get_password() {
            Ok(p) => Some(p),
            Err(e) => {
                self.note(&e);
                None
            }
        }
    }

    pub fn delete(&self, profile_id: i64) {
        self.forget_memory(profile_id);
        if let Some(e) = self.keychain(profile_id) {
            if let Err(e) = e.delete_credential() {
                self.note(&e);
            }
        }
    }

    fn keychain(&self, profile_id: i64) -> Option<keyring::Entry> {
        if self.unavailable.load(Ordering::Relaxed) {
            return None;
        }
        entry(profile_id)
    }

    /// A keychain without a service behind it stays so for this process; a missing entry is
    /// only that.
    fn note(&self, e: &keyring::Error) {
        let no_service = matches!(
            e,
            keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_)
        );
        if no_service && !self.unavailable.swap(true, Ordering::Relaxed) {
            tracing::info!(error = %e, "no keychain service: passwords are kept in memory for this session");
        }
    }

    fn forget_memory(&self, profile_id: i64) {
        if let Ok(mut m) = self.memory.lock() {
            m.remove(&profile_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_kept_somewhere_safe_and_can_be_forgotten() {
        let s = Secrets::default();
        let id = 900_000 + i64::from(std::process::id() % 1000);
        let storage = s.set(id, "s3cret");
        assert_eq!(
            s.get(id).as_deref(),
            Some("s3cret"),
            "stored in {storage:?}"
        );
        s.delete(id);
        assert_eq!(s.get(id), None);
    }
}
