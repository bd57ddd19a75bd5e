import { useEffect, useRef, useState } from "react";
import type { ConnectField, ConnectionProblem, ConnectionTest, ProfileInput, ProfileView } from "../bindings";
import { call, CommandError, commands, messageOf } from "../api";
import { composeUrl, DEFAULT_PORT, emptyFields, parseUrl, TLS_MODES, withoutPassword, type ConnectionFields, type Engine } from "../connectionUrl";
import { ProjectFolderInput } from "./ProjectFolderInput";

type Props = { editing: ProfileView | null; onSaved: (p: ProfileView, note: string | null) => void; onClose: () => void };

/** The fields and URL box of the form: the URL as written, and the fields it was read into. */
type Connection = { fields: ConnectionFields; url: string; urlError: string | null };

/** A URL as typed or pasted: the fields follow it, and a password in it goes to `onPassword`. */
function fromUrl(url: string, keep: ConnectionFields, onPassword: (p: string) => void): Connection {
  // An emptied URL box starts over (with the engine chosen), before the next URL is typed.
  if (!url.trim()) return { fields: emptyFields(keep.engine), url, urlError: null };
  const parsed = parseUrl(url);
  if ("error" in parsed) return { fields: keep, url, urlError: parsed.error };
  if (parsed.password !== null) {
    onPassword(parsed.password);
    url = withoutPassword(url);
  }
  return { fields: parsed.fields, url, urlError: null };
}

const ENGINES: [Engine, string][] = [["postgres", "PostgreSQL"], ["mysql", "MySQL / MariaDB"], ["sqlite", "SQLite"]];
const FIELD_LABEL: Record<ConnectField, string> = {
  host: "Host", port: "Port", database: "Database", user: "User", password: "Password", tls: "TLS mode", schema: "Schema", file: "Database file",
  ssh: "SSH bastion",
};
/** The input a problem field's mark and focus go to. */
const INPUT_OF: Partial<Record<ConnectField, string>> = { ssh: "ssh_host" };

type SshKey = "sshHost" | "sshPort" | "sshUser" | "sshKey";
const hasBastion = (f: ConnectionFields) => !!(f.sshHost || f.sshUser);

/** What a failed connection points at, when the backend names it: the field, and an SSH bastion's key not trusted yet. */
function problemOf(e: unknown): { field: ConnectField | null; fingerprint: string | null } {
  if (!(e instanceof CommandError) || e.error.kind !== "connection") return { field: null, fingerprint: null };
  const problem: ConnectionProblem = e.error.message;
  const fingerprint = problem.ssh_fingerprint ?? null;
  // A key to trust is the bastion's, whichever field the backend named.
  return { field: fingerprint ? "ssh" : problem.field, fingerprint };
}

/** Create or edit a profile; "Test connection" tries what the form holds without saving. */
export function ProfileForm({ editing, onSaved, onClose }: Props) {
  const [form, setForm] = useState<ProfileInput>({
    id: editing?.id ?? null,
    name: editing?.name ?? "",
    client: editing?.client ?? "",
    environment: editing?.environment ?? "development",
    url: "",
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
  // Editing: the stored URL (never with a password) fills the fields.
  const [conn, setConn] = useState<Connection>(() => fromUrl(editing?.url ?? "", emptyFields(), () => {}));
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [problem, setProblem] = useState<ConnectField | null>(null);
  // The key an SSH bastion offers that is not trusted yet, while its problem is marked.
  const [fingerprint, setFingerprint] = useState<string | null>(null);
  // The SSH tunnel's section is open when the profile has a bastion, or a pasted URL or a problem names one.
  const [sshOpen, setSshOpen] = useState(() => hasBastion(conn.fields));
  const [busy, setBusy] = useState(false);
  const [notes, setNotes] = useState<string[]>([]);
  const formRef = useRef<HTMLFormElement>(null);
  const set = (k: keyof ProfileInput) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    if (k === problem) setProblem(null);
    setForm({ ...form, [k]: e.target.value });
  };
  const setPassword = (password: string) => setForm((f) => ({ ...f, password }));

  // What is sent: the URL the fields make; a URL that does not read as given, for the backend to say why.
  const url = !conn.url.trim() ? "" : conn.urlError ? conn.url : composeUrl(conn.fields);
  const { fields } = conn;
  const sqlite = fields.engine === "sqlite";

  /** A field changed: the URL box shows the URL the fields now make. */
  const setField = <K extends keyof ConnectionFields>(k: K, v: ConnectionFields[K]) => {
    if (k === problem || (problem === "ssh" && k.startsWith("ssh"))) setProblem(null);
    setConn((c) => {
      const next = { ...c.fields, [k]: v };
      if (k === "engine" && v !== c.fields.engine) {
        // A driver is one engine's; a port left at the old engine's default is not the new one's.
        next.driver = "";
        if (next.port === DEFAULT_PORT[c.fields.engine]) next.port = "";
      }
      return { fields: next, url: composeUrl(next), urlError: null };
    });
  };
  const onField = (k: "host" | "database" | "user" | "schema" | "file" | Exclude<SshKey, "sshPort">) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setField(k, e.target.value);
  const typeUrl = (typed: string) => {
    setProblem(null);
    const next = fromUrl(typed, conn.fields, setPassword);
    if (!next.urlError && next.fields.engine !== "sqlite" && hasBastion(next.fields)) setSshOpen(true);
    setConn(next);
  };

  // The field a failed connection names gets the focus.
  useEffect(() => {
    if (problem) formRef.current?.querySelector<HTMLElement>(`[name="${INPUT_OF[problem] ?? problem}"]`)?.focus();
  }, [problem]);

  const run = async (what: "test" | "save") => {
    setBusy(true);
    setError(null);
    setProblem(null);
    setFingerprint(null);
    setTest(null);
    const input = { ...form, url };
    try {
      if (what === "test") setTest(await call(commands.testConnection(input)));
      else {
        const saved = await call(commands.saveProfile(input));
        const note = saved.password_storage === "memory" ? "No keychain service is running: the password is kept in memory until Stratum closes." : null;
        onSaved(saved.profile, note);
      }
    } catch (e) {
      setError(messageOf(e));
      const found = problemOf(e);
      if (found.field === "ssh") setSshOpen(true);
      setProblem(found.field);
      setFingerprint(found.fingerprint);
    } finally {
      setBusy(false);
    }
  };

  /** The bastion's key, compared by the person, goes into known_hosts; then the connection is tried again. */
  const trustKey = async (shown: string) => {
    setBusy(true);
    try {
      await call(commands.trustSshHost(url, shown));
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
      return;
    }
    setError(null);
    setProblem(null);
    setFingerprint(null);
    await run("test");
  };

  /** Marks the field a failed connection names: outlined, described, announced as invalid. */
  const marked = (f: ConnectField) =>
    problem === f ? { "aria-invalid": true as const, "aria-describedby": `pf-problem-${f}`, className: "invalid" } : {};
  const lookHere = (f: ConnectField) =>
    // The words go where the person looks: the focused field, which the form scrolls to.
    problem === f && <span className="help field-problem" id={`pf-problem-${f}`} data-testid={`problem-${f}`}>{error}</span>;

  // The ini's URL, password and project folder fill the form; nothing is saved until "Save".
  const fromAlembicIni = async () => {
    setError(null);
    setNotes([]);
    try {
      const path = await call(commands.chooseAlembicIni(form.project_dir || null));
      if (!path) return;
      const draft = await call(commands.readAlembicIni(path));
      if (draft.url) typeUrl(draft.url);
      setForm((f) => ({
        ...f,
        name: f.name || draft.name,
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
      <form ref={formRef} className="modal form" role="dialog" aria-modal="true" aria-labelledby="pf-title" data-testid="profile-form" onSubmit={(e) => { e.preventDefault(); run("save"); }}>
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
        <fieldset className="connection" data-testid="connection-fields">
          <legend>Connection</legend>
          <label>
            Engine
            <select name="engine" value={fields.engine} onChange={(e) => setField("engine", e.target.value as Engine)}>
              {ENGINES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </label>
          {sqlite ? (
            <label>
              Database file
              <input name="file" value={fields.file} onChange={onField("file")} placeholder="/srv/app/app.db" spellCheck={false} {...marked("file")} />
              {lookHere("file")}
              <span className="help">The path of the SQLite file; a relative one is read from the folder Stratum runs in.</span>
            </label>
          ) : (
            <>
              <div className="form-cols host-port">
                <label>
                  Host
                  <input name="host" value={fields.host} onChange={onField("host")} placeholder="localhost" spellCheck={false} autoCapitalize="off" {...marked("host")} />
                  {lookHere("host")}
                  {fields.params.some((p) => /^host=(\/|%2F)/i.test(p)) && <span className="help">Connects through the Unix socket named in the URL.</span>}
                </label>
                <label>
                  Port
                  <input
                    name="port"
                    inputMode="numeric"
                    value={fields.port}
                    onChange={(e) => setField("port", e.target.value.replace(/\D/g, ""))}
                    placeholder={DEFAULT_PORT[fields.engine]}
                    {...marked("port")}
                  />
                  {lookHere("port")}
                </label>
              </div>
              <label>
                Database
                <input name="database" value={fields.database} onChange={onField("database")} placeholder="e.g. erp" spellCheck={false} autoCapitalize="off" {...marked("database")} />
                {lookHere("database")}
              </label>
              <div className="form-cols">
                <label>
                  User
                  <input name="user" value={fields.user} onChange={onField("user")} spellCheck={false} autoCapitalize="off" autoComplete="off" {...marked("user")} />
                  {lookHere("user")}
                </label>
                <label>
                  Password
                  <input
                    name="password"
                    type="password"
                    value={form.password ?? ""}
                    onChange={set("password")}
                    placeholder={editing ? "unchanged unless typed" : "kept in the system keychain"}
                    autoComplete="off"
                    {...marked("password")}
                  />
                  {lookHere("password")}
                  <span className="help">Kept in the system keychain, never in a file or the URL.</span>
                </label>
              </div>
              <div className="form-cols">
                <label>
                  TLS mode
                  <select name="tls" value={fields.tls} onChange={(e) => setField("tls", e.target.value as ConnectionFields["tls"])} {...marked("tls")}>
                    <option value="">prefer (default)</option>
                    {TLS_MODES.map((m) => <option key={m} value={m}>{m}</option>)}
                  </select>
                  {lookHere("tls")}
                </label>
                {fields.engine === "postgres" && (
                  <label>
                    Schema
                    <input name="schema" value={fields.schema} onChange={onField("schema")} spellCheck={false} autoCapitalize="off" {...marked("schema")} />
                    {lookHere("schema")}
                    <span className="help">One tenant's schema; empty for the whole database.</span>
                  </label>
                )}
              </div>
              <details className="settings ssh" data-testid="ssh-tunnel" open={sshOpen} onToggle={(e) => setSshOpen(e.currentTarget.open)}>
                <summary data-testid="ssh-tunnel-toggle">
                  SSH tunnel: connect through an SSH bastion
                  {!sshOpen && hasBastion(fields) && <span className="muted"> ({fields.sshUser}@{fields.sshHost}{fields.sshPort ? `:${fields.sshPort}` : ""})</span>}
                </summary>
                <p className="muted small-help">The host and port above are then the database as the bastion reaches it.</p>
                <div className="form-cols host-port">
                  <label>
                    Bastion host
                    <input
                      name="ssh_host"
                      value={fields.sshHost}
                      onChange={onField("sshHost")}
                      placeholder="e.g. bastion.example.com"
                      spellCheck={false}
                      autoCapitalize="off"
                      {...marked("ssh")}
                    />
                    {lookHere("ssh")}
                  </label>
                  <label>
                    Port
                    <input name="ssh_port" inputMode="numeric" value={fields.sshPort} onChange={(e) => setField("sshPort", e.target.value.replace(/\D/g, ""))} placeholder="22" />
                  </label>
                </div>
                {problem === "ssh" && fingerprint && (
                  <div className="ssh-trust" data-testid="ssh-trust">
                    <span className="help">
                      The bastion offers the key <code data-testid="ssh-fingerprint">{fingerprint}</code>
                    </span>
                    <span className="help">Compare it with the fingerprint the bastion's administrator gives you.</span>
                    <button type="button" className="small" data-testid="trust-ssh-key" disabled={busy} onClick={() => trustKey(fingerprint)}>
                      Trust this key
                    </button>
                  </div>
                )}
                <div className="form-cols">
                  <label>
                    User
                    <input
                      name="ssh_user"
                      value={fields.sshUser}
                      onChange={onField("sshUser")}
                      spellCheck={false}
                      autoCapitalize="off"
                      autoComplete="off"
                    />
                  </label>
                  <label>
                    Private key file
                    <input name="ssh_key" value={fields.sshKey} onChange={onField("sshKey")} placeholder="empty: the SSH agent's keys" spellCheck={false} autoCapitalize="off" />
                    <span className="help">The key stays where it is; Stratum reads it when it connects.</span>
                  </label>
                </div>
              </details>
            </>
          )}
          <label>
            Connection URL
            <input
              name="url"
              className={conn.urlError ? "url invalid" : "url"}
              value={conn.url}
              onChange={(e) => typeUrl(e.target.value)}
              placeholder={editing && !editing.url ? editing.database : "postgresql://user@host:5432/db, mysql://…, sqlite:///file.db"}
              aria-invalid={conn.urlError ? true : undefined}
              aria-describedby="pf-url-help"
              spellCheck={false}
              autoCapitalize="off"
              required
            />
            <span className="help" id="pf-url-help" data-testid="url-help">
              {conn.urlError ? <span className="field-problem">{conn.urlError}</span> : "Made from the fields above; or paste a URL here to fill them in (a password in it moves to the Password field)."}
            </span>
          </label>
        </fieldset>
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
        {error && (
          <div className="banner error" role="alert" data-testid="form-error">
            {error}
            {problem && <span className="problem-field"> Look at the field {FIELD_LABEL[problem]}.</span>}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" data-testid="test-connection" disabled={busy || !url} onClick={() => run("test")}>Test connection</button>
          <button type="submit" className="primary" data-testid="save-profile" disabled={busy}>Save</button>
          <button type="button" data-testid="cancel-profile" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
