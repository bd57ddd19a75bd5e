import { useCallback, useEffect, useState } from "react";
import type { TrustedFolder } from "../bindings";
import { call, commands, messageOf, trustChanged } from "../api";
import { useEscape } from "./useEscape";

/** The folders whose Alembic code Stratum may run, each revocable: revoked, it asks again. */
export function TrustedFolders({ onClose }: { onClose: () => void }) {
  const [folders, setFolders] = useState<TrustedFolder[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);

  const load = useCallback(() => {
    call(commands.listTrustedFolders())
      .then(setFolders)
      .catch((e) => setError(messageOf(e)));
  }, []);
  useEffect(load, [load]);

  const revoke = (path: string) => {
    setRevoking(path);
    setError(null);
    call(commands.revokeTrustedFolder(path))
      .then(() => {
        trustChanged();
        load();
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => setRevoking(null));
  };

  useEscape(onClose);

  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="trusted-title" data-testid="trusted-folders">
        <h2 id="trusted-title">Trusted folders</h2>
        <p className="muted">
          An Alembic project's <code>env.py</code> and revision files run only from these folders, with your rights. Revoke a folder and Stratum asks again before its code runs.
        </p>
        {error && <div className="banner error" role="alert">{error}</div>}
        {folders && folders.length === 0 && (
          <p data-testid="trusted-none">No folder is trusted yet: Stratum asks the first time an Alembic project's code would run.</p>
        )}
        {folders && folders.length > 0 && (
          <ul className="trusted-list">
            {folders.map((f) => (
              <li key={f.path} data-testid="trusted-folder" data-path={f.path}>
                <div>
                  <code>{f.path}</code>
                  <div className="muted">trusted {f.trusted_at}</div>
                </div>
                <button className="small" data-testid="revoke-folder" onClick={() => revoke(f.path)} disabled={revoking !== null} aria-label={`Revoke ${f.path}`}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="modal-actions">
          <button data-testid="trusted-close" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
