import { useEffect, useState } from "react";
import { commands, type ProfileView, type WrittenRevision } from "../bindings";
import { call, messageOf } from "../api";
import { Sql } from "./Sql";

type Props = { profile: ProfileView; heads: string[]; onClose: (written: WrittenRevision | null) => void };

/** Writes an empty revision after the head, then shows the file so the user knows where to edit. */
export function NewRevision({ profile, heads, onClose }: Props) {
  const [message, setMessage] = useState("");
  const [written, setWritten] = useState<WrittenRevision | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !busy) onClose(written);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [busy, written, onClose]);

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      setWritten(await call(commands.newRevision(profile.id, message.trim(), false)));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <form className="modal form" role="dialog" aria-modal="true" aria-labelledby="nr-title" data-testid="new-revision" onSubmit={(e) => { e.preventDefault(); if (!written) create(); }}>
        <h2 id="nr-title">New revision</h2>
        {!written ? (
          <>
            <p className="muted">
              {heads.length === 0
                ? "The project has no revision yet: this one will be its base."
                : heads.length === 1
                  ? `It follows the head, ${heads[0]}.`
                  : `The project has ${heads.length} heads (${heads.join(", ")}): merge them first, or the new revision cannot know which one it follows.`}
            </p>
            <label>
              What does it change?
              <input name="message" value={message} onChange={(e) => setMessage(e.target.value)} placeholder="e.g. add invoice notes" required autoFocus />
            </label>
            {error && <div className="banner error" role="alert" data-testid="new-revision-error">{error}</div>}
            <div className="modal-actions">
              <button type="submit" className="primary" data-testid="create-revision" disabled={busy || !message.trim()}>Create the file</button>
              <button type="button" onClick={() => onClose(null)}>Cancel</button>
            </div>
          </>
        ) : (
          <div className="written">
            <div className="banner ok" data-testid="revision-written">
              Wrote revision <code>{written.revision}</code>. Open the file and write its upgrade and downgrade SQL:
              <div className="path">{written.file}</div>
            </div>
            <Sql code={written.content} />
            <div className="modal-actions">
              <button type="button" className="primary" data-testid="close-new-revision" onClick={() => onClose(written)} autoFocus>Done</button>
            </div>
          </div>
        )}
      </form>
    </div>
  );
}
