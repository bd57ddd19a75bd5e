import { useState } from "react";
import type { DiscoverRequest, Found } from "../bindings";
import { call, commands, messageOf } from "../api";
import { ProjectFolderInput } from "./ProjectFolderInput";
import { useEscape } from "./useEscape";

/** A database, or `database.schema` for one tenant's schema. */
const placeOf = (f: Found) => (f.schema ? `${f.database}.${f.schema}` : f.database);

type Props = { onAdded: (count: number) => void; onClose: () => void };

/**
 * "Add databases from a server…": the server's databases matching a pattern, each with its
 * version rows, ticked for adding as profiles bound to one project. Those without a version
 * table (tenants not migrated yet) are listed apart and unticked.
 */
export function DiscoverDialog({ onAdded, onClose }: Props) {
  useEscape(onClose);
  const [req, setReq] = useState<DiscoverRequest>({
    server: "",
    password: null,
    from_profile: null,
    project_dir: "",
    databases: "",
    schemas: "",
    name_rule: "",
    client_rule: "",
    environment: "development",
    tags: "",
  });
  const [found, setFound] = useState<Found[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof DiscoverRequest) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setReq({ ...req, [k]: e.target.value });
    setFound(null);
  };

  const find = async () => {
    setBusy(true);
    setError(null);
    try {
      const f = await call(commands.discoverDatabases(req));
      setFound(f);
      setChosen(new Set(f.filter((x) => x.version_rows !== null && !x.existing_profile && !x.error).map(placeOf)));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    setBusy(true);
    setError(null);
    try {
      const added = await call(commands.addDiscovered(req, (found ?? []).filter((f) => chosen.has(placeOf(f)))));
      onAdded(added.added.length);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (db: string) =>
    setChosen((c) => {
      const next = new Set(c);
      if (next.has(db)) next.delete(db);
      else next.add(db);
      return next;
    });
  const versioned = (found ?? []).filter((f) => f.version_rows !== null);
  const unversioned = (found ?? []).filter((f) => f.version_rows === null);
  const row = (f: Found) => {
    const blocked = !!f.existing_profile || !!f.error;
    return (
      <li key={placeOf(f)}>
        <label className="choice">
          <input type="checkbox" data-testid={`found-${placeOf(f)}`} checked={chosen.has(placeOf(f))} disabled={blocked} onChange={() => toggle(placeOf(f))} />
          <code>{placeOf(f)}</code>
          {f.version_rows !== null && <span className="muted"> at {f.version_rows.length ? f.version_rows.join(", ") : "base"}</span>}
          <span> → {f.name}{f.client && <span className="muted"> ({f.client})</span>}</span>
          {f.unknown.length > 0 && <span className="warn"> not in the project: {f.unknown.join(", ")}</span>}
          {f.existing_profile && <span className="muted"> already the profile {f.existing_profile}</span>}
          {f.error && <span className="warn"> could not be read: {f.error}</span>}
        </label>
      </li>
    );
  };

  return (
    <div className="modal-backdrop">
      <form className="modal form discover" role="dialog" aria-modal="true" aria-labelledby="dd-title" data-testid="discover-dialog" onSubmit={(e) => { e.preventDefault(); find(); }}>
        <div className="modal-head">
          <h2 id="dd-title">Add databases from a server</h2>
        </div>
        <label>
          Server
          <input name="server" value={req.server} onChange={set("server")} placeholder="postgresql://user@host:5432/ or mysql://user@host:3306/" required autoFocus spellCheck={false} />
          <span className="help">A URL without a database (on PostgreSQL the list is read from its postgres database).</span>
        </label>
        <label>
          Password
          <input name="password" type="password" value={req.password ?? ""} onChange={set("password")} placeholder="kept in the keychain of each profile added" autoComplete="off" />
        </label>
        <label>
          Migration project folder
          <ProjectFolderInput value={req.project_dir} onChange={(dir) => {
            setReq((r) => ({ ...r, project_dir: dir }));
            setFound(null);
          }} onError={setError} />
        </label>
        <label>
          Databases
          <input name="databases" value={req.databases} onChange={set("databases")} placeholder="e.g. erp_*_prod (every database when empty)" spellCheck={false} />
          <span className="help">* matches any run of characters, ? one; what each matched is {"{1}"}, {"{2}"}… in the names below.</span>
        </label>
        <label>
          Schemas (PostgreSQL, one per tenant)
          <input name="schemas" value={req.schemas} onChange={set("schemas")} placeholder="e.g. tenant_* (whole databases when empty)" spellCheck={false} />
          <span className="help">Each matching schema becomes a profile of its own: its version table and its revisions stay in it. {"{schema}"} names it below.</span>
        </label>
        <div className="form-row">
          <label>Profile name<input name="name_rule" value={req.name_rule} onChange={set("name_rule")} placeholder={req.schemas ? "{database}.{schema}" : "{database}"} spellCheck={false} /></label>
          <label>Client<input name="client_rule" value={req.client_rule} onChange={set("client_rule")} placeholder="e.g. {1}" spellCheck={false} /></label>
        </div>
        <div className="form-row">
          <label>
            Environment
            <select name="environment" value={req.environment} onChange={set("environment")}>
              <option value="development">development</option>
              <option value="staging">staging</option>
              <option value="production">production</option>
            </select>
          </label>
          <label>Tags<input name="tags" value={req.tags} onChange={set("tags")} placeholder="comma separated" spellCheck={false} /></label>
        </div>
        {error && <div className="banner error" role="alert">{error}</div>}
        {found && (
          <div className="found" data-testid="found-list">
            <p>
              {found.length} {req.schemas ? "schema(s)" : "database(s)"} match: {versioned.length} with a version table, {unversioned.length} without.
            </p>
            <ul className="found-list">{versioned.map(row)}</ul>
            {unversioned.length > 0 && (
              <>
                <h3>Without a version table (not migrated yet)</h3>
                <ul className="found-list">{unversioned.map(row)}</ul>
              </>
            )}
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" data-testid="discover-find" disabled={busy}>{busy && !found ? "Looking…" : "Find databases"}</button>
          <button type="button" className="primary" data-testid="discover-add" disabled={busy || !found || chosen.size === 0} onClick={add}>
            Add {chosen.size} profile(s)
          </button>
        </div>
      </form>
    </div>
  );
}
