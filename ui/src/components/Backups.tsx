import { useCallback, useEffect, useState } from "react";
import type { BackupView, ProfileView } from "../bindings";
import { call, commands, messageOf } from "../api";
import { rowsWords, storedRows } from "./format";

export function size(bytes: number | null): string {
  if (bytes === null) return "?";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

type Props = { profile: ProfileView; onRestored: () => void };

/** The profile's backups: take one, verify, restore (same database or a new one), reveal, delete. */
export function Backups({ profile, onRestored }: Props) {
  const [backups, setBackups] = useState<BackupView[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [restoring, setRestoring] = useState<BackupView | null>(null);

  const load = useCallback(() => {
    call(commands.listBackups(profile.id)).then(setBackups).catch((e) => setNote({ ok: false, text: messageOf(e) }));
  }, [profile.id]);
  useEffect(load, [load]);

  const act = async (what: string, f: () => Promise<string>) => {
    setBusy(what);
    setNote(null);
    try {
      setNote({ ok: true, text: await f() });
    } catch (e) {
      setNote({ ok: false, text: messageOf(e) });
    } finally {
      setBusy(null);
      load();
    }
  };

  const takeNow = () =>
    act("backup", async () => {
      const b = await call(commands.takeBackup(profile.id, "manual"));
      return `Backed up ${size(b.size)} in ${b.duration_ms} ms to ${b.path}.`;
    });
  const verify = (b: BackupView) =>
    act(`verify-${b.id}`, async () => {
      const v = await call(commands.verifyBackup(b.id));
      return `The backup of ${b.at} is good: ${v.join("; ")}.`;
    });
  const remove = (b: BackupView) => {
    if (!window.confirm(`Delete the backup of ${b.at}? Its file is removed from disk.`)) return;
    act(`delete-${b.id}`, async () => {
      await call(commands.deleteBackup(b.id));
      return `Deleted the backup of ${b.at}.`;
    });
  };
  const reveal = (b: BackupView) => act(`reveal-${b.id}`, async () => {
    await call(commands.revealBackup(b.id));
    return `Opened ${b.path} in the file manager.`;
  });

  return (
    <div className="backups" data-testid="backups">
      <div className="backups-head">
        <p className="muted">
          {profile.auto_backup ? "A backup is taken before every upgrade and downgrade of this database." : "Backups are taken when you ask for them (switch on automatic backups in the profile)."}{" "}
          The newest {profile.backup_keep} are kept.
        </p>
        <button className="primary" data-testid="backup-now" disabled={busy !== null} onClick={takeNow}>
          {busy === "backup" ? "Backing up…" : "Back up now"}
        </button>
      </div>
      {note && (
        <div className={`banner ${note.ok ? "ok" : "error"}`} role={note.ok ? "status" : "alert"} data-testid="backup-note">
          {note.text}
        </div>
      )}
      {backups === null ? (
        <p className="muted pad">Loading…</p>
      ) : backups.length === 0 ? (
        <div className="empty">
          <h2>No backup of this database yet</h2>
          <p>Take one now with <strong>Back up now</strong>; it is catalogued here with its checksum and where the database stood.</p>
        </div>
      ) : (
        <table className="history" data-testid="backup-list">
          <thead>
            <tr><th>Taken</th><th>Why</th><th>Database at</th><th>Size</th><th>Tool</th><th /></tr>
          </thead>
          <tbody>
            {backups.map((b) => (
              <tr key={b.id} data-testid={`backup-${b.id}`} className={b.present ? "" : "missing"}>
                <td className="nowrap" title={b.path}>{b.at}</td>
                <td>{b.reason}</td>
                <td>{rowsWords(storedRows(b.rows))}</td>
                <td className="nowrap">{b.present ? size(b.size) : "file missing"}</td>
                <td className="muted">{b.tool_version}</td>
                <td className="row-actions">
                  <button className="small" disabled={busy !== null || !b.present} onClick={() => verify(b)}>Verify</button>
                  <button className="small" data-testid="restore-backup" disabled={busy !== null || !b.present} onClick={() => setRestoring(b)}>Restore…</button>
                  <button className="small" disabled={busy !== null || !b.present} onClick={() => reveal(b)}>Show file</button>
                  <button className="small" disabled={busy !== null} onClick={() => remove(b)}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {restoring && (
        <RestoreDialog
          profile={profile}
          backup={restoring}
          onClose={(text) => {
            setRestoring(null);
            if (text) {
              setNote({ ok: true, text });
              onRestored();
            }
            load();
          }}
        />
      )}
    </div>
  );
}

function RestoreDialog({ profile, backup, onClose }: { profile: ProfileView; backup: BackupView; onClose: (done: string | null) => void }) {
  const [mode, setMode] = useState<"same" | "new">("same");
  const [into, setInto] = useState("");
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmName = profile.database.split("/").pop() ?? profile.name;
  const production = profile.environment === "production";
  const ready = mode === "new" ? into.trim() !== "" : !production || typed === confirmName;

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await call(commands.restoreBackup(backup.id, mode === "new" ? into.trim() : null));
      const safety = r.safety_backup ? ` The database as it was is kept in the backup of ${r.safety_backup.at}.` : "";
      onClose(`Restored the backup of ${backup.at} into ${r.database} in ${r.duration_ms} ms; it is at ${r.rows.join(", ") || "base"}.${safety}`);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <div className="modal form" role="dialog" aria-modal="true" aria-labelledby="rs-title" data-testid="restore-dialog">
        <h2 id="rs-title">Restore the backup of {backup.at}</h2>
        <p className="muted">Taken {backup.reason ? `(${backup.reason}) ` : ""}when the database was at {rowsWords(storedRows(backup.rows))}.</p>
        <label className="choice">
          <input type="radio" name="mode" checked={mode === "same"} onChange={() => setMode("same")} />
          Replace everything in {profile.database} with it. A safety backup of the database as it is now is taken first.
        </label>
        <label className="choice">
          <input type="radio" name="mode" checked={mode === "new"} onChange={() => setMode("new")} />
          Restore it into a new {profile.engine === "sqlite" ? "file" : "database"}, leaving this one alone:
        </label>
        {mode === "new" && (
          <input name="into" value={into} onChange={(e) => setInto(e.target.value)} placeholder={profile.engine === "sqlite" ? "/path/to/copy.db" : `${confirmName}_restored`} autoFocus />
        )}
        {mode === "same" && production && (
          <label className="confirm">
            This is a production database. Type <code>{confirmName}</code> to confirm:
            <input name="confirm" value={typed} onChange={(e) => setTyped(e.target.value)} />
          </label>
        )}
        {error && <div className="banner error" role="alert">{error}</div>}
        <div className="modal-actions">
          <button className="primary" data-testid="confirm-restore" disabled={!ready || busy} onClick={run}>{busy ? "Restoring…" : "Restore"}</button>
          <button disabled={busy} onClick={() => onClose(null)}>Cancel</button>
        </div>
      </div>
    </div>
  );
}
