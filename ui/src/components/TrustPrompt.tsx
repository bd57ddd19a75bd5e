import { useCallback, useEffect, useState } from "react";
import type { UntrustedFolder } from "../bindings";
import { setTrustAsker } from "../api";
import { useEscape } from "./useEscape";

type Question = { folder: UntrustedFolder; answer: (yes: boolean) => void };

/**
 * Asks before an Alembic project's own code runs for the first time from a folder, as code
 * editors ask before trusting a workspace. Mounted once; every command refused for an untrusted
 * folder comes here through `api.ts`, and runs again once the folder is trusted.
 */
export function TrustPrompt() {
  // Folders asked about at the same time wait their turn, one dialog at a time.
  const [questions, setQuestions] = useState<Question[]>([]);

  useEffect(
    () =>
      setTrustAsker(
        (folder) =>
          new Promise<boolean>((answer) => {
            setQuestions((qs) => [...qs, { folder, answer }]);
          }),
      ),
    [],
  );

  const current = questions[0] ?? null;
  const reply = useCallback(
    (yes: boolean) => {
      if (!current) return;
      current.answer(yes);
      setQuestions((qs) => qs.slice(1));
    },
    [current],
  );
  const cancel = useCallback(() => reply(false), [reply]);
  // Above another dialog (a preview, a check-up): Escape cancels this question only.
  useEscape(cancel, current !== null, { above: true });

  if (!current) return null;
  const { folder, env_py } = current.folder;
  const envInside = env_py !== null && env_py.startsWith(folder);
  return (
    <div className="modal-backdrop above">
      <div className="modal narrow" role="alertdialog" aria-modal="true" aria-labelledby="trust-title" aria-describedby="trust-what" data-testid="trust-prompt">
        <h2 id="trust-title">Run this project's code?</h2>
        <p id="trust-what">
          This is an Alembic project: to go on, Stratum starts its own Python, and the folder's <code>env.py</code> and revision files run with your rights. They can read and change anything
          you can, not only the database.
        </p>
        <dl className="about">
          <dt>Folder</dt>
          <dd>
            <code data-testid="trust-folder">{folder}</code>
          </dd>
          {env_py !== null && !envInside && (
            <>
              <dt>Runs first</dt>
              <dd>
                <code data-testid="trust-env-py">{env_py}</code>
              </dd>
            </>
          )}
        </dl>
        <p className="muted">
          Trust it only if you know where it comes from. Nothing of it has run yet: Stratum reads the project and its timeline without it. Stratum remembers the folder;
          More → Trusted folders… revokes it.
        </p>
        <div className="modal-actions">
          <button data-testid="trust-cancel" onClick={cancel} autoFocus>
            Cancel
          </button>
          <button className="primary" data-testid="trust-continue" onClick={() => reply(true)}>
            Trust and continue
          </button>
        </div>
      </div>
    </div>
  );
}
