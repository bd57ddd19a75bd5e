import { useState } from "react";
import type { Imported, PasswordSource, ProfilesFileView } from "../bindings";
import { call, commands, messageOf } from "../api";
import { useEscape } from "./useEscape";

/** Where an imported profile's password came from, in words. */
export function passwordSourceText(p: PasswordSource): string {
  switch (p.from) {
    case "given":
      return "password typed";
    case "profile":
      return `password from the profile ${p.name} of the same server`;
    case "client_file":
      return "password from ~/.pgpass or ~/.my.cnf";
    case "none":
      return "no password";
    case "not_needed":
      return "SQLite file";
  }
}

type Props = {
  /** The file chosen in the system dialog, and what it holds. */
  file: ProfilesFileView;
  /** Closed after importing: the app reads its profiles again. */
  onImported: (added: number) => void;
  /** Closed before importing anything. */
  onClose: () => void;
};

/**
 * "Import profiles…": the profiles of an exported file (those whose name is taken here are
 * skipped), a password for each of its servers whose password is not known here, and then what
 * was added, with where each password came from, and what was skipped.
 */
export function ImportProfilesDialog({ file, onImported, onClose }: Props) {
  const [passwords, setPasswords] = useState<string[]>(() => file.servers_wanting_a_password.map(() => ""));
  const [result, setResult] = useState<Imported | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const taken = new Set(file.taken);
  const count = file.profiles.filter((name) => !taken.has(name)).length;
  const close = () => (result ? onImported(result.added.length) : onClose());
  // Not while importing: the profiles may be added by then, and the list must be read again.
  useEscape(close, !busy);

  const importNow = async () => {
    setBusy(true);
    setError(null);
    try {
      // Only what was typed: an empty field leaves the server to its other sources.
      const given: { [server: string]: string } = {};
      file.servers_wanting_a_password.forEach((server, i) => {
        if (passwords[i]) given[server] = passwords[i];
      });
      setResult(await call(commands.importProfiles(file.path, given)));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal form import-profiles"
        role="dialog"
        aria-modal="true"
        aria-labelledby="ip-title"
        data-testid="import-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!result && !busy && count > 0) importNow();
        }}
      >
        <div className="modal-head">
          <h2 id="ip-title">Import profiles</h2>
        </div>
        <p className="muted">
          From <code>{file.path}</code>
        </p>
        {result ? (
          <div data-testid="import-result">
            <p>
              Added {result.added.length} profile(s){result.skipped.length > 0 && `, skipped ${result.skipped.length}`}.
            </p>
            {result.added.length > 0 && (
              <ul className="found-list">
                {result.added.map((a, i) => (
                  <li key={i}>
                    <code>{a.name}</code> <span className="muted">{a.server}</span> — {passwordSourceText(a.password)}
                  </li>
                ))}
              </ul>
            )}
            {result.skipped.length > 0 && (
              <>
                <h3>Skipped</h3>
                <ul className="found-list">
                  {result.skipped.map(([name, why], i) => (
                    <li key={i}>
                      <code>{name}</code>: <span className="warn">{why}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        ) : (
          <>
            <p>
              {file.profiles.length} profile(s) in the file
              {file.taken.length > 0 && `, ${file.taken.length} already here`}.
            </p>
            <ul className="found-list" data-testid="import-profiles-list">
              {file.profiles.map((name, i) => (
                <li key={i}>
                  <code>{name}</code>
                  {taken.has(name) && <span className="muted"> already here: skipped</span>}
                </li>
              ))}
            </ul>
            {file.servers_wanting_a_password.length > 0 && (
              <fieldset className="import-passwords">
                <legend>Passwords</legend>
                {file.servers_wanting_a_password.map((server, i) => (
                  <label key={server}>
                    {server}
                    <input
                      type="password"
                      name={`password-${i}`}
                      data-testid={`import-password-${i}`}
                      value={passwords[i]}
                      onChange={(e) => {
                        const value = e.target.value;
                        setPasswords((ps) => ps.map((p, j) => (j === i ? value : p)));
                      }}
                      autoComplete="off"
                      autoFocus={i === 0}
                    />
                  </label>
                ))}
                <span className="help">Kept in the system keychain; leave empty if the server needs none or ~/.pgpass / ~/.my.cnf has it.</span>
              </fieldset>
            )}
          </>
        )}
        {error && <div className="banner error" role="alert">{error}</div>}
        <div className="actions">
          {result ? (
            <button type="button" className="primary" data-testid="import-close" onClick={close} autoFocus>
              Close
            </button>
          ) : (
            <>
              <button type="button" onClick={onClose} disabled={busy}>Cancel</button>
              <button type="submit" className="primary" data-testid="import-confirm" disabled={busy || count === 0}>
                {busy ? "Importing…" : `Import ${count} profile(s)`}
              </button>
            </>
          )}
        </div>
      </form>
    </div>
  );
}
