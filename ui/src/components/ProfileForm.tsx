import { useState } from "react";
import type { ConnectionTest, ProfileInput, ProfileView } from "../bindings";
import { call, commands, messageOf } from "../api";
import { ProjectFolderInput } from "./ProjectFolderInput";

type Props = { editing: ProfileView | null; onSaved: (p: ProfileView, note: string | null) => void; onClose: () => void };

/** Create or edit a profile; "Test connection" tries what the form holds without saving. */
export function ProfileForm({ editing, onSaved, onClose }: Props) {
  const [form, setForm] = useState<ProfileInput>({
    id: editing?.id ?? null,
    name: editing?.name ?? "",
    client: editing?.client ?? "",
    environment: editing?.environment ?? "development",
    url: editing ? "" : "",
    password: null,
    project_dir: editing?.project_dir ?? "",
    auto_backup: editing ? editing.auto_backup : null,
    backup_keep: editing ? editing.backup_keep : null,
    python: editing?.python ?? "",
    version_table: editing?.version_table ?? "",
    version_table_schema: editing?.version_table_schema ?? "",
    alembic_values: editing?.alembic_values ?? "",
    // Sent back whole: a profile saved without its tags would lose them.
    tags: editing ? (editing.tags ?? []).join(", ") : "",
    release_gate: editing ? editing.release_gate : null,
    maintenance_window: editing?.maintenance_window ?? "",
  });
  // The Alembic settings stay folded away unless the profile already uses one of them.
  const [alembicOpen] = useState(() => !!(editing && (editing.python || editing.version_table || editing.version_table_schema || editing.alembic_values)));
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notes, setNotes] = useState<string[]>([]);
  const set = (k: keyof ProfileInput) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => setForm({ ...form, [k]: e.target.value });

  const run = async (what: "test" | "save") => {
    setBusy(true);
    setError(null);
    setTest(null);
    try {
      if (what === "test") setTest(await call(commands.testConnection(form)));
      else {
        const saved = await call(commands.saveProfile(form));
        const note = saved.password_storage === "memory" ? "No keychain service is running: the password is kept in memory until Stratum closes." : null;
        onSaved(saved.profile, note);
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  // The ini's URL, password and project folder fill the form; nothing is saved until "Save".
  const fromAlembicIni = async () => {
    setError(null);
    setNotes([]);
    try {
      const path = await call(commands.chooseAlembicIni(form.project_dir || null));
      if (!path) return;
      const draft = await call(commands.readAlembicIni(path));
      setForm((f) => ({
        ...f,
        name: f.name || draft.name,
        url: draft.url ?? f.url,
        password: draft.password ?? f.password,
        project_dir: draft.project_dir ?? f.project_dir,
      }));
      setNotes([`Filled from ${path}.`, ...draft.notes]);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <div className="modal-backdrop">
      <form className="modal form" role="dialog" aria-modal="true" aria-labelledby="pf-title" data-testid="profile-form" onSubmit={(e) => { e.preventDefault(); run("save"); }}>
        <div className="modal-head">
          <h2 id="pf-title">{editing ? `Edit ${editing.name}` : "New profile"}</h2>
          <button type="button" className="small" data-testid="from-alembic-ini" onClick={fromAlembicIni} title="Take the database URL and project folder from a team's alembic.ini (or its pyproject.toml with [tool.alembic])">
            Fill from alembic.ini…
          </button>
        </div>
        <label>Name<input name="name" value={form.name} onChange={set("name")} required autoFocus /></label>
        <label>Client<input name="client" value={form.client} onChange={set("client")} placeholder="e.g. Acme AS" /></label>
        <label>
          Tags
          <input name="tags" data-testid="profile-tags" value={form.tags ?? ""} onChange={set("tags")} placeholder="e.g. erp, eu-west, nightly" spellCheck={false} />
          <span className="help">Comma separated; the fleet view filters by them.</span>
        </label>
        <label>
          Environment
          <select name="environment" value={form.environment} onChange={set("environment")}>
            <option value="development">development</option>
            <option value="staging">staging</option>
            <option value="production">production (changes need the database name typed)</option>
          </select>
        </label>
        <label>
          Database URL
          <input name="url" value={form.url} onChange={set("url")} placeholder={editing ? editing.database : "postgresql://user@host:5432/db, mysql://…, sqlite:///file.db"} required />
        </label>
        <label>
          Password
          <input name="password" type="password" value={form.password ?? ""} onChange={set("password")} placeholder="kept in the system keychain, never in a file" autoComplete="off" />
        </label>
        <label>
          Migration project folder
          <ProjectFolderInput value={form.project_dir} onChange={(dir) => setForm((f) => ({ ...f, project_dir: dir }))} onError={setError} />
        </label>
        <div className="form-row">
          <label className="choice">
            <input
              type="checkbox"
              name="auto_backup"
              checked={form.auto_backup ?? form.environment === "production"}
              onChange={(e) => setForm({ ...form, auto_backup: e.target.checked })}
            />
            Back up before every upgrade and downgrade
          </label>
          <label className="inline">
            Keep
            <input type="number" name="backup_keep" min={1} max={1000} value={form.backup_keep ?? 10} onChange={(e) => setForm({ ...form, backup_keep: Math.max(1, Number(e.target.value) || 1) })} />
            backups
          </label>
        </div>
        <label className="choice">
          <input
            type="checkbox"
            name="release_gate"
            checked={form.release_gate ?? form.environment === "production"}
            onChange={(e) => setForm({ ...form, release_gate: e.target.checked })}
          />
          <span className="choice-text">
            Release gate
            <span className="help">
              Upgrades and downgrades need the release checklist: the same revisions run on staging, a passing rehearsal, a backup, the maintenance
              window, a code review.
            </span>
          </span>
        </label>
        <label>
          Maintenance window
          <input name="maintenance_window" value={form.maintenance_window ?? ""} onChange={set("maintenance_window")} placeholder="Sat-Sun 22:00-06:00 Europe/Berlin" spellCheck={false} />
          <span className="help">Days, hours and a time zone; empty: none scheduled.</span>
        </label>
        <details className="settings" data-testid="alembic-settings" open={alembicOpen}>
          <summary data-testid="alembic-settings-toggle">Alembic project settings</summary>
          <p className="muted small-help">For a project with an <code>alembic.ini</code>: Stratum reads its revisions itself and runs them through the project's own Alembic.</p>
          <label>
            Python
            <input name="python" value={form.python ?? ""} onChange={set("python")} placeholder="found in the project's virtualenv, or python3 on PATH" />
          </label>
          <div className="form-cols">
            <label>
              Version table
              <input name="version_table" value={form.version_table ?? ""} onChange={set("version_table")} placeholder="alembic_version" />
            </label>
            <label>
              Version table schema
              <input name="version_table_schema" value={form.version_table_schema ?? ""} onChange={set("version_table_schema")} placeholder="the connection's default schema" />
            </label>
          </div>
          <label>
            Values the revision files compute
            <textarea
              name="alembic_values"
              rows={3}
              value={form.alembic_values ?? ""}
              onChange={set("alembic_values")}
              placeholder="1b4c6e320f79_x.py: branch_labels = expand"
              spellCheck={false}
            />
            <span className="help">One per line, <code>FILE: NAME = VALUE</code>; several values separated by commas, <code>None</code> for none.</span>
          </label>
        </details>
        {notes.length > 0 && (
          <ul className="banner info notes" data-testid="form-notes">
            {notes.map((n) => <li key={n}>{n}</li>)}
          </ul>
        )}
        {test && (
          <div className="banner ok" data-testid="connection-ok">
            Connected in {test.latency_ms} ms: {test.server}. {test.rows.length ? `At ${test.rows.join(", ")}.` : "No revision applied yet."}
          </div>
        )}
        {error && <div className="banner error" role="alert" data-testid="form-error">{error}</div>}
        <div className="modal-actions">
          <button type="button" data-testid="test-connection" disabled={busy || !form.url} onClick={() => run("test")}>Test connection</button>
          <button type="submit" className="primary" data-testid="save-profile" disabled={busy}>Save</button>
          <button type="button" data-testid="cancel-profile" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
