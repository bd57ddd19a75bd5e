import { useEffect, useState } from "react";
import type { OperationRequest, ProfileView, ReleaseGate as Gate } from "../bindings";
import { call, commands, messageOf } from "../api";

/** What the gate lets the run do, and the answers the run carries to the engine. */
export type GateAnswer = { ready: boolean; reviewer: string; overrideReason: string };

type Props = {
  profile: ProfileView;
  request: OperationRequest;
  backupFirst: boolean;
  /** Bumped when new evidence may exist (a rehearsal just ended). */
  refresh: number;
  onAnswer: (a: GateAnswer) => void;
};

/**
 * The seed's release checklist before a production change, each item ticked from evidence the
 * engine holds; the code review is the one item a person confirms, by name. An unmet item holds
 * the run unless overridden with a typed reason, which the audit log keeps.
 */
export function ReleaseGate({ profile, request, backupFirst, refresh, onAnswer }: Props) {
  const [gate, setGate] = useState<Gate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reviewer, setReviewer] = useState("");
  const [overriding, setOverriding] = useState(false);
  const [reason, setReason] = useState("");

  useEffect(() => {
    setError(null);
    // The review is answered here, as typed; the engine only needs it at run time.
    call(commands.releaseGateOf(profile.id, request, backupFirst, ""))
      .then(setGate)
      .catch((e) => setError(messageOf(e)));
  }, [profile.id, request, backupFirst, refresh]);

  const items = (gate?.items ?? []).map((i) =>
    i.key === "review" ? { ...i, met: reviewer.trim() !== "", evidence: reviewer.trim() ? `reviewed by ${reviewer.trim()}` : i.evidence } : i,
  );
  const unmet = items.filter((i) => !i.met);
  const ready = gate !== null && (!gate.applies || unmet.length === 0 || (overriding && reason.trim() !== ""));

  useEffect(() => {
    onAnswer({ ready, reviewer: reviewer.trim(), overrideReason: overriding && unmet.length > 0 ? reason.trim() : "" });
  }, [ready, reviewer, reason, overriding, unmet.length, onAnswer]);

  if (error) return <div className="banner error" role="alert" data-testid="gate">The release gate could not be read: {error}</div>;
  if (!gate) return <p className="muted" data-testid="gate-loading">Reading the release checklist…</p>;
  if (!gate.applies) return null;
  return (
    <section className="gate" data-testid="gate" data-ready={ready ? "yes" : "no"}>
      <h3>
        Release gate: {unmet.length === 0 ? "every item met" : `${unmet.length} of ${items.length} item(s) not met`}
      </h3>
      <ul className="gate-items">
        {items.map((i) => (
          <li key={i.key} className={i.met ? "met" : "unmet"} data-testid={`gate-item-${i.key}`} data-met={i.met ? "yes" : "no"}>
            <span className="mark" aria-hidden="true">{i.met ? "✓" : "✗"}</span>
            <div>
              <strong>{i.title}</strong> <span className="sr-only">{i.met ? "met" : "not met"}</span>
              <div className="muted">{i.evidence}</div>
              {i.key === "review" && (
                <label className="inline">
                  Reviewed by{" "}
                  <input name="reviewer" data-testid="gate-reviewer" value={reviewer} placeholder="the reviewer's name" onChange={(e) => setReviewer(e.target.value)} />
                </label>
              )}
              {!i.met && i.key !== "review" && i.action && <div className="action">{i.action}</div>}
            </div>
          </li>
        ))}
      </ul>
      {unmet.length > 0 && (
        <div className="gate-override">
          <label className="choice">
            <input type="checkbox" data-testid="gate-override" checked={overriding} onChange={(e) => setOverriding(e.target.checked)} /> Override the gate for this run
          </label>
          {overriding && (
            <label>
              Why (kept in the audit log and reports):
              <textarea data-testid="gate-override-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. emergency fix for ticket 4711, approved by the client" />
            </label>
          )}
        </div>
      )}
    </section>
  );
}
