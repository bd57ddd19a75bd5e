import { useEffect, useRef, useState } from "react";
import { Channel } from "@tauri-apps/api/core";
import { commands, type OperationRequest, type PlanView, type ProfileView, type ProgressEvent, type RunOutcome } from "../bindings";
import { call, messageOf } from "../api";
import { Sql } from "./Sql";

type Stage = "planning" | "review" | "running" | "done";

type Props = { profile: ProfileView; request: OperationRequest; onClose: () => void };

/** Plan and SQL preview, confirm, progress per revision and statement with Cancel, result. */
export function OperationFlow({ profile, request, onClose }: Props) {
  const [stage, setStage] = useState<Stage>("planning");
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const [progress, setProgress] = useState<{ step: number; total: number; revision: string; statement: string }>({ step: 0, total: 0, revision: "", statement: "" });
  const [outcome, setOutcome] = useState<RunOutcome | null>(null);
  const opId = useRef(`op-${Date.now()}-${Math.random().toString(16).slice(2)}`);

  useEffect(() => {
    call(commands.planOperation(profile.id, request))
      .then((p) => {
        setPlan(p);
        setStage("review");
      })
      .catch((e) => {
        setError(messageOf(e));
        setStage("review");
      });
  }, [profile.id, request]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && stage !== "running") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [stage, onClose]);

  const production = profile.environment === "production";
  const confirmName = profile.database.split("/").pop() ?? profile.name;
  const canRun = plan !== null && plan.steps.length > 0 && (!production || typed === confirmName);

  const start = () => {
    setStage("running");
    const channel = new Channel<ProgressEvent>();
    channel.onmessage = (e) => {
      if (e.event === "step_started") setProgress((p) => ({ ...p, step: e.index + 1, total: e.total, revision: e.revision, statement: "" }));
      if (e.event === "statement") setProgress((p) => ({ ...p, statement: e.sql }));
    };
    call(commands.runOperation(profile.id, request, opId.current, channel))
      .then((o) => setOutcome(o))
      .catch((e) => setError(messageOf(e)))
      .finally(() => setStage("done"));
  };

  const verb = request.kind === "upgrade" ? "Upgrade" : request.kind === "downgrade" ? "Downgrade" : "Stamp";
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="op-title" data-testid="operation">
        <h2 id="op-title">
          {verb} {profile.name} to <code>{request.target}</code>
        </h2>
        {stage === "planning" && <p className="muted">Working out the steps…</p>}
        {stage === "review" && error && <div className="banner error" role="alert">{error}</div>}
        {stage === "review" && plan && (
          <>
            {plan.steps.length === 0 ? (
              <div className="banner ok">Nothing to do: the database is already there.</div>
            ) : (
              <>
                <p>
                  From <strong>{plan.rows_before.join(", ") || "base"}</strong> to <strong>{plan.rows_after.join(", ") || "base"}</strong> in {plan.steps.length} step(s):
                </p>
                <ol className="steps" data-testid="plan-steps">
                  {plan.steps.map((s, i) => (
                    <li key={i}>
                      <span className="badge">{s.direction}</span> <code>{s.revision}</code> {s.message}
                    </li>
                  ))}
                </ol>
                <details open>
                  <summary>SQL that will run</summary>
                  <Sql code={plan.sql} className="preview" testId="sql-preview" />
                </details>
                {production && (
                  <label className="confirm">
                    This is a production database. Type <code>{confirmName}</code> to confirm:
                    <input value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
                  </label>
                )}
              </>
            )}
          </>
        )}
        {stage === "running" && (
          <div className="running" data-testid="progress">
            <progress max={progress.total || 1} value={Math.max(progress.step - 1, 0)} />
            <p>
              Step {progress.step} of {progress.total}: <code>{progress.revision}</code>
            </p>
            <pre className="sql small">{progress.statement}</pre>
          </div>
        )}
        {stage === "done" && (
          <div data-testid="result">
            {error && <div className="banner error" role="alert">{error}</div>}
            {outcome && outcome.succeeded && <div className="banner ok">Done. {outcome.summary}</div>}
            {outcome && !outcome.succeeded && outcome.failure && (
              <div className="banner error" role="alert">
                <strong>Revision {outcome.failure.revision} failed</strong>
                {outcome.failure.line !== null && ` at line ${outcome.failure.line} of ${outcome.failure.file}`}.
                <p>The database said: {outcome.failure.message}</p>
                {outcome.failure.statement && <Sql code={outcome.failure.statement} className="small" />}
                <p>{outcome.failure.rolled_back ? "Everything was rolled back: the database is as it was before." : `The database is now at ${outcome.failure.rows_now.join(", ") || "base"}.`}</p>
              </div>
            )}
          </div>
        )}
        <div className="modal-actions">
          {stage === "review" && plan && plan.steps.length > 0 && (
            <button className="primary" data-testid="confirm-run" disabled={!canRun} onClick={start}>
              {verb} now
            </button>
          )}
          {stage === "running" && <button onClick={() => call(commands.cancelOperation(opId.current))}>Cancel</button>}
          {stage !== "running" && (
            <button data-testid="close-operation" onClick={onClose}>
              {stage === "done" ? "Close" : "Cancel"}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
