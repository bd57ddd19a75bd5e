//! A backup of a profile's database into the catalogue: taken with the engine's own tools,
//! recorded with its manifest, the profile's retention applied, and audited.

use std::path::{Path, PathBuf};

use stratum_db::VersionTable;
use stratum_store::{AuditEntry, BackupEntry, Profile, Store};

use crate::who::whoami;
use crate::{OperationError, Target};

/// Where a profile's backups go: its own folder, else `data_dir/backups/<profile id>`.
pub fn backups_dir(data_dir: &Path, profile: &Profile) -> PathBuf {
    match &profile.backup_dir {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => data_dir.join("backups").join(profile.id.to_string()),
    }
}

/// Deletes a backup file and its manifest.
pub fn remove_files(path: &str) {
    let p = Path::new(path);
    let _ = std::fs::remove_file(p);
    let _ = std::fs::remove_file(stratum_backup::Manifest::path_for(p));
}

/// One audit record of something that does not change the version rows.
pub async fn audit_plain(
    store: &Store,
    profile: &Profile,
    operation: &str,
    target: &str,
    rows: &[String],
    ms: u64,
    result: Result<&str, String>,
) {
    let (result, message) = match result {
        Ok(m) => ("succeeded", m.to_string()),
        Err(m) => ("failed", m),
    };
    // The audit log must not stop the work it describes.
    let _ = store
        .record(&AuditEntry {
            id: 0,
            at: Store::now(),
            who: whoami(),
            profile_id: Some(profile.id),
            profile_name: profile.name.clone(),
            operation: operation.into(),
            target: target.into(),
            rows_before: rows.join(","),
            rows_after: rows.join(","),
            duration_ms: i64::try_from(ms).unwrap_or(i64::MAX),
            result: result.into(),
            message,
            backup: String::new(),
            files: String::new(),
            gate: String::new(),
        })
        .await;
}

/// Takes a backup of the target's database, catalogues it and applies the retention.
pub async fn take(
    store: &Store,
    data_dir: &Path,
    target: &Target,
    reason: &str,
) -> Result<BackupEntry, OperationError> {
    let profile = &target.profile;
    let out = stratum_backup::backup_path(&backups_dir(data_dir, profile), &target.url, "");
    let taken = stratum_backup::backup(
        &target.url,
        &VersionTable::from_config(&target.project.config),
        &target.tools(),
        &out,
    )
    .await;
    let m = match taken {
        Ok(m) => m,
        Err(e) => {
            audit_plain(store, profile, "backup", reason, &[], 0, Err(e.to_string())).await;
            return Err(e.into());
        }
    };
    let (saved, expired) = store
        .add_backup(&BackupEntry {
            id: 0,
            profile_id: Some(profile.id),
            at: m.taken_at.clone(),
            path: out.display().to_string(),
            engine: m.engine.clone(),
            rows: m.rows.join(","),
            size: i64::try_from(m.size).unwrap_or(i64::MAX),
            sha256: m.sha256.clone(),
            duration_ms: i64::try_from(m.duration_ms).unwrap_or(i64::MAX),
            tool_version: m.tool_version.clone(),
            reason: reason.into(),
        })
        .await?;
    tracing::info!(
        profile = %profile.name,
        file = %saved.path,
        bytes = m.size,
        ms = m.duration_ms,
        expired = expired.len(),
        %reason,
        "backup catalogued"
    );
    for old in expired {
        remove_files(&old.path);
    }
    audit_plain(
        store,
        profile,
        "backup",
        reason,
        &m.rows,
        m.duration_ms,
        Ok(&saved.path),
    )
    .await;
    Ok(saved)
}
