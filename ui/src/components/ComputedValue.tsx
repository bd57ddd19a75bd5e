import { useState } from "react";
import type { ComputedValue, ProfileView } from "../bindings";
import { call, commands, messageOf } from "../api";

const EXAMPLES: Record<string, string> = {
  revision: "e.g. 1b4c6e320f79",
  down_revision: "e.g. a1b2c3, or a1b2c3, d4e5f6 for several",
  branch_labels: "e.g. expand",
  depends_on: "e.g. a1b2c3, or a1b2c3, d4e5f6 for several",
};

/**
 * A revision file computes a value Stratum reads (Alembic runs Python, Stratum does not): ask for
 * it, keep it in the profile, and let the caller read the project again.
 */
export function ComputedValuePanel({ profile, value, onSupplied }: { profile: ProfileView; value: ComputedValue; onSupplied: (p: ProfileView) => void }) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const p = await call(commands.supplyValue(profile.id, value.file, value.name, text.trim()));
      setText("");
      onSupplied(p);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="banner warn computed"
      data-testid="computed-value"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() && !busy) save();
      }}
    >
      <strong>Stratum cannot read this project without one value.</strong>
      <p data-testid="computed-value-message">{value.message}</p>
      <label className="computed-ask">
        <span>
          What is the value of <code>{value.name}</code> in <code className="path">{value.file}</code>
          {value.line ? ` (line ${value.line})` : ""}?
        </span>
        <span className="with-button">
          <input
            data-testid="computed-value-input"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={EXAMPLES[value.name] ?? "e.g. expand, or a1b2c3, d4e5f6 for several"}
            spellCheck={false}
            autoFocus
          />
          <button type="submit" className="primary" data-testid="computed-value-save" disabled={busy || !text.trim()}>
            Use this value
          </button>
        </span>
      </label>
      <p className="muted">
        The value is kept in this profile (Edit → Alembic project settings) and used each time the project is read; the file itself is not changed. Type <code>None</code> for none.
      </p>
      {error && <p className="error-text" role="alert" data-testid="computed-value-error">{error}</p>}
    </form>
  );
}
