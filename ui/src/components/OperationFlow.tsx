import { useEffect, useRef, useState } from "react";
import { Channel } from "@tauri-apps/api/core";
import type { BackupView, DryRunView, OperationRequest, PlanView, ProfileView, Progress, RunOutcome } from "../bindings";
import { call, commands, messageOf } from "../api";
import { Sql } from "./Sql";
import { size } from "./Backups";
import { Findings } from "./Findings";
import { Rehearse } from "./Rehearse";
import { ReleaseGate, type GateAnswer } from "./ReleaseGate";
import { rowsWords, storedRows } from "./format";
import { useEscape } from "./useEscape";

type Stage = "planning" | "review" | "backing-up" | "running" | "done";

/** Lines of an Alembic project's own output kept for the log; older ones are dropped. */
export const MAX_OUTPUT_LINES = 2000;

type Props = { profile: ProfileView; request: OperationRequest; onClose: () => void };

/** Plan and SQL preview, confirm, progress per revision and statement with Cancel, result. */
export function OperationFlow({ profile, request, onClose }: Props) {
  const [stage, setStage] = useState<Stage>("planning");
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const [progress, setProgress] = useState<{ step: number; total: number; revision: string; statement: string; lockHolder: string }>({ step: 0, total: 0, revision: "", statement: "", lockHolder: "" });
  const [outcome, setOutcome] = useState<RunOutcome | null>(null);
  const opId = useRef(`op-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const changes = request.kind !== "stamp";
  // A profile that backs up before every change always does; others may opt in for this run.
  const [wantBackup, setWantBackup] = useState(profile.auto_backup);
  const [backup, setBackup] = useState<BackupView | null>(null);
  const [dry, setDry] = useState<DryRunView | null>(null);
  const [dryBusy, setDryBusy] = useState(false);
  const [rehearsing, setRehearsing] = useState(false);
  const [rehearsals, setRehearsals] = useState(0);
  const [gate, setGate] = useState<GateAnswer>({ ready: !profile.release_gate, reviewer: "", overrideReason: "" });
  const [restored, setRestored] = useState<string | null>(null);
  const [savedSql, setSavedSql] = useState<{ ok: boolean; text: string } | null>(null);
  // An Alembic project's own output: collected as it streams, shown a few times a second.
  const [output, setOutput] = useState<{ lines: string[]; dropped: number }>({ lines: [], dropped: 0 });
  const outputBuffer = useRef<{ lines: string[]; dropped: number }>({ lines: [], dropped: 0 });
  const outputTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flushOutput = () => {
    if (outputTimer.current !== null) clearTimeout(outputTimer.current);
    outputTimer.current = null;
    setOutput({ lines: outputBuffer.current.lines.slice(), dropped: outputBuffer.current.dropped });
  };
  const addOutput = (line: string) => {
    const b = outputBuffer.current;
    b.lines.push(line);
    if (b.lines.length > MAX_OUTPUT_LINES) {
      const extra = b.lines.length - MAX_OUTPUT_LINES;
      b.lines.splice(0, extra);
      b.dropped += extra;
    }
    if (outputTimer.current === null) outputTimer.current = setTimeout(flushOutput, 50);
  };
  useEffect(() => () => {
    if (outputTimer.current !== null) clearTimeout(outputTimer.current);
  }, []);

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

  // The rehearsal's own dialog, stacked on top, takes Escape for itself.
  useEscape(onClose, stage !== "running" && !rehearsing);

  const production = profile.environment === "production";
  const confirmName = profile.database.split("/").pop() ?? profile.name;
  const blocking = plan?.findings.filter((f) => f.blocks) ?? [];
  const gated = changes && profile.release_gate;
  const canRun = plan !== null && plan.steps.length > 0 && blocking.length === 0 && (!gated || gate.ready) && (!production || typed === confirmName);

  const start = async () => {
    let taken: BackupView | null = null;
    if (changes && (wantBackup || profile.auto_backup)) {
      setStage("backing-up");
      try {
        taken = await call(commands.takeBackup(profile.id, `before ${request.kind} to ${request.target}`));
        setBackup(taken);
      } catch (e) {
        setError(`The backup failed, so nothing was run: ${messageOf(e)}`);
        setStage("done");
        return;
      }
    }
    setStage("running");
    const channel = new Channel<Progress>();
    channel.onmessage = (e) => {
      if (e.event === "lock_wait") setProgress((p) => ({ ...p, lockHolder: e.holder }));
      if (e.event === "planned") setProgress((p) => ({ ...p, lockHolder: "" }));
      if (e.event === "step_started") setProgress((p) => ({ ...p, step: e.index + 1, total: e.total, revision: e.revision, statement: "", lockHolder: "" }));
      if (e.event === "statement") setProgress((p) => ({ ...p, statement: e.sql }));
      if (e.event === "output") addOutput(e.line);
    };
    call(commands.runOperation(profile.id, request, opId.current, taken?.id ?? null, gate.reviewer, gate.overrideReason, channel))
      .then((o) => setOutcome(o))
      .catch((e) => setError(messageOf(e)))
      .finally(() => {
        flushOutput();
        setStage("done");
      });
  };

  const saveSql = () => {
    setSavedSql(null);
    call(commands.saveOperationSql(profile.id, request))
      .then((path) => path && setSavedSql({ ok: true, text: `Saved the SQL to ${path}.` }))
      .catch((e) => setSavedSql({ ok: false, text: `The SQL could not be saved: ${messageOf(e)}` }));
  };

  const dryRun = () => {
    setDryBusy(true);
    setDry(null);
    call(commands.dryRunOperation(profile.id, request))
      .then(setDry)
      .catch((e) => setDry({ method: "", succeeded: false, rows_after: [], failure: { revision: "", file: null, line: null, statement: null, message: messageOf(e), rolled_back: true, statements_done: 0, committed: [], rows_now: [], resumable: false } }))
      .finally(() => setDryBusy(false));
  };

  const restoreBackup = () => {
    if (!backup) return;
    if (!window.confirm(`Restore the backup taken at ${backup.at}? The database goes back to ${rowsWords(storedRows(backup.rows))}; its present state is backed up first.`)) return;
    setRestored("Restoring…");
    call(commands.restoreBackup(backup.id, null))
      .then((r) => setRestored(`Restored: the database is back at ${r.rows.join(", ") || "base"}.`))
      .catch((e) => setRestored(`The restore failed: ${messageOf(e)}`));
  };

  const verb = request.kind === "upgrade" ? "Upgrade" : request.kind === "downgrade" ? "Downgrade" : "Stamp";
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="op-title" data-testid="operation">
        <h2 id="op-title">
          {request.resume ? "Resume" : verb} {profile.name} to <code>{request.target}</code>
        </h2>
        {request.resume && (
          <p className="banner info" data-testid="resuming">
            Finishing the interrupted revision: the statements that ran are skipped, the rest run, then its version row is written. The SQL below is the whole revision.
          </p>
        )}
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
                {plan.findings.length > 0 && (
                  <>
                    <h3 className="findings-title">Safety checks: {plan.findings.length} finding(s){blocking.length > 0 ? `, ${blocking.length} blocking` : ""}</h3>
                    {blocking.length > 0 && (
                      <p className="banner error" data-testid="blocking-note">
                        The run waits until each blocking finding is fixed, or acknowledged in its file with <code>-- stratum: allow RULE REASON</code> on the line above the statement.
                      </p>
                    )}
                    <Findings findings={plan.findings} testId="plan-findings" />
                  </>
                )}
                <details open>
                  <summary>SQL that will run</summary>
                  <Sql code={plan.sql} className="preview" testId="sql-preview" />
                </details>
                <div className="sql-actions">
                  <button className="small" data-testid="save-sql" onClick={saveSql} title="Save this SQL to a file: what alembic … --sql > preview.sql gave">
                    Save SQL…
                  </button>
                  {savedSql && (
                    <span className={savedSql.ok ? "muted" : "error-text"} data-testid="saved-sql" role={savedSql.ok ? undefined : "alert"}>
                      {savedSql.text}
                    </span>
                  )}
                </div>
                <div className="dry-run">
                  <button data-testid="dry-run" disabled={dryBusy} onClick={dryRun} title="Run it for real and roll it back, or rehearse it on a scratch copy">
                    {dryBusy ? "Trying it…" : "Dry run"}
                  </button>{" "}
                  {request.kind === "upgrade" && (
                    <button data-testid="open-rehearse" onClick={() => setRehearsing(true)} title="Upgrade, downgrade and upgrade again each revision on a scratch database, and check that each downgrade puts the schema back">
                      Rehearse…
                    </button>
                  )}
                  {dry && dry.succeeded && (
                    <div className="banner ok" data-testid="dry-run-result">The dry run succeeded ({dry.method}); nothing was changed.</div>
                  )}
                  {dry && !dry.succeeded && dry.failure && (
                    <div className="banner error" data-testid="dry-run-result">
                      <strong>The dry run failed{dry.failure.revision ? ` at revision ${dry.failure.revision}` : ""}{dry.failure.line !== null ? `, line ${dry.failure.line} of ${dry.failure.file}` : ""}.</strong>
                      <p>The database said: {dry.failure.message}</p>
                      {dry.failure.statement && <Sql code={dry.failure.statement} className="small" />}
                      {dry.method && <p>Nothing was changed: it {dry.method}.</p>}
                    </div>
                  )}
                </div>
                {changes && (
                  profile.auto_backup ? (
                    <p className="backup-step" data-testid="backup-step">A backup is taken first: this profile backs up before every change.</p>
                  ) : (
                    <label className="choice backup-step">
                      <input type="checkbox" checked={wantBackup} onChange={(e) => setWantBackup(e.target.checked)} /> Back up the database first
                    </label>
                  )
                )}
                {gated && (
                  <ReleaseGate profile={profile} request={request} backupFirst={wantBackup || profile.auto_backup} refresh={rehearsals} onAnswer={setGate} />
                )}
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
        {stage === "backing-up" && (
          <div className="running" data-testid="progress">
            <progress />
            <p>Backing up {profile.database} before the {request.kind}…</p>
          </div>
        )}
        {stage === "running" && backup && <p className="muted">Backed up first ({size(backup.size)}, {backup.duration_ms} ms).</p>}
        {stage === "running" && (
          <div className="running" data-testid="progress">
            {progress.lockHolder && (
              <p className="banner warn" data-testid="lock-wait">
                Waiting for the migration lock, held by {progress.lockHolder}. This run starts when that one ends, or gives up after a minute.
              </p>
            )}
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
                {backup && !restored && (
                  <button data-testid="restore-after-failure" onClick={restoreBackup}>Restore the backup taken before</button>
                )}
                {restored && <p data-testid="restored">{restored}</p>}
              </div>
            )}
            {backup && <p className="muted" data-testid="backup-taken">Backup taken before the run: {backup.path}</p>}
          </div>
        )}
        {(stage === "running" || stage === "done") && output.lines.length > 0 && <OutputLog lines={output.lines} dropped={output.dropped} />}
        <div className="modal-actions">
          {stage === "review" && plan && plan.steps.length > 0 && (
            <button className="primary" data-testid="confirm-run" disabled={!canRun} onClick={start}>
              {request.resume ? "Resume" : verb} now
            </button>
          )}
          {stage === "running" && <button onClick={() => call(commands.cancelOperation(opId.current))}>Cancel</button>}
          {stage !== "running" && stage !== "backing-up" && (
            <button data-testid="close-operation" onClick={onClose}>
              {stage === "done" ? "Close" : "Cancel"}
            </button>
          )}
        </div>
      </div>
      {rehearsing && (
        <Rehearse
          profile={profile}
          target={request.target}
          onClose={() => {
            setRehearsing(false);
            setRehearsals((n) => n + 1);
          }}
        />
      )}
    </div>
  );
}

/** The project's own output (Alembic's log), following the end unless the user scrolls up. */
function OutputLog({ lines, dropped }: { lines: string[]; dropped: number }) {
  const ref = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  const onScroll = () => {
    const el = ref.current;
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  return (
    <details className="run-output" open>
      <summary>Alembic's output{dropped > 0 ? ` (the last ${lines.length} lines; ${dropped} earlier ones are not shown)` : ""}</summary>
      <pre ref={ref} className="output-log" data-testid="run-output" onScroll={onScroll} tabIndex={0} aria-label="Alembic's output">
        {lines.join("\n")}
      </pre>
    </details>
  );
}
