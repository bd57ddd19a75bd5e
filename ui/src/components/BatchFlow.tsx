import { useEffect, useMemo, useRef, useState } from "react";
import { Channel } from "@tauri-apps/api/core";
import type { BatchEvent, BatchItem, BatchReportView, BatchRequest, ProfileView } from "../bindings";
import { call, commands, messageOf } from "../api";
import { duration, plural, resultClass, rowsWords, stateText, storedRows, type FleetRow } from "./format";

type Kind = "upgrade" | "downgrade";
type Stage = "setup" | "running" | "done";

/** Each phase of a database in words, and whether it is still under way. */
export const PHASES: Record<string, { text: string; active?: boolean; final?: boolean }> = {
  queued: { text: "Waiting" },
  checking: { text: "Checking", active: true },
  backing_up: { text: "Backing up", active: true },
  running: { text: "Running", active: true },
  verifying: { text: "Verifying", active: true },
  succeeded: { text: "Succeeded", final: true },
  up_to_date: { text: "Already up to date", final: true },
  failed: { text: "Failed", final: true },
  skipped: { text: "Skipped", final: true },
  cancelled: { text: "Cancelled", final: true },
};

type Line = { position: number; profile_id: number; name: string; client: string; environment: string; phase: string; detail: string };

const MAX_CONCURRENCY = 32;

function batchKey(): string {
  return `batch-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/** The rest of an interrupted batch: its operation and target (not to be changed), and its id. */
export type BatchPreset = { kind: Kind; target: string; restOf: number };

type Props = {
  /** The chosen databases, in the order they run. */
  chosen: FleetRow[];
  profiles: ProfileView[];
  /** Running what an interrupted batch left: the operation and target are that batch's. */
  preset?: BatchPreset;
  /** `ran`: a batch ran (the fleet is read again). */
  onClose: (ran: boolean) => void;
};

/** A batch: choose the operation and options, confirm production, watch each database, read the report. */
export function BatchFlow({ chosen, profiles, preset, onClose }: Props) {
  const [stage, setStage] = useState<Stage>("setup");
  const [kind, setKind] = useState<Kind>(preset?.kind ?? "upgrade");
  const [target, setTarget] = useState(preset?.target ?? "heads");
  const [concurrency, setConcurrency] = useState("4");
  const [stop, setStop] = useState(true);
  const [backupAll, setBackupAll] = useState(false);
  const [typed, setTyped] = useState("");
  const [reviewer, setReviewer] = useState("");
  const [overrideReason, setOverrideReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [report, setReport] = useState<BatchReportView | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [ran, setRan] = useState(false);
  const key = useRef(batchKey());

  const production = chosen.filter((r) => r.environment === "production");
  const autoBackup = useMemo(() => new Set(profiles.filter((p) => p.auto_backup).map((p) => p.id)), [profiles]);
  const backsUp = chosen.filter((r) => autoBackup.has(r.profile_id)).length;
  const gatedIds = useMemo(() => new Set(profiles.filter((p) => p.release_gate).map((p) => p.id)), [profiles]);
  const gated = chosen.filter((r) => gatedIds.has(r.profile_id));
  const unreadable = chosen.filter((r) => r.state === "unreachable" || r.state === "invalid");
  const n = Number(concurrency);
  const concurrencyOk = Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY;
  const confirmed = production.length === 0 || typed.trim() === String(production.length);
  const canStart = chosen.length > 0 && target.trim() !== "" && concurrencyOk && confirmed;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && stage !== "running") onClose(ran);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [stage, ran, onClose]);

  const changeKind = (k: Kind) => {
    setKind(k);
    // The obvious target for each: every head up, one step down.
    if (k === "downgrade" && target.trim() === "heads") setTarget("-1");
    if (k === "upgrade" && target.trim() === "-1") setTarget("heads");
  };

  const start = () => {
    if (!canStart) return;
    const request: BatchRequest = {
      profile_ids: chosen.map((r) => r.profile_id),
      kind,
      target: target.trim(),
      concurrency: n,
      stop_on_failure: stop,
      backup_all: backupAll,
      production_confirmation: production.length > 0 ? typed.trim() : null,
      reviewer: gated.length > 0 ? reviewer.trim() : "",
      override_reason: gated.length > 0 ? overrideReason.trim() : "",
      // Only a rest says so: an ordinary batch's request is as it always was.
      ...(preset ? { rest_of: preset.restOf } : {}),
    };
    key.current = batchKey();
    setError(null);
    setCancelling(false);
    setReport(null);
    setLines(chosen.map((r, position) => ({ position, profile_id: r.profile_id, name: r.name, client: r.client, environment: r.environment, phase: "queued", detail: "" })));
    setStage("running");
    let heard = false;
    const channel = new Channel<BatchEvent>();
    channel.onmessage = (e: BatchEvent) => {
      heard = true;
      setLines((ls) => {
        const next = ls.slice();
        const at = next.findIndex((l) => l.position === e.position);
        if (at >= 0) next[at] = { ...next[at], phase: e.phase, detail: e.detail };
        else next.push({ position: e.position, profile_id: e.profile_id, name: `profile ${e.profile_id}`, client: "", environment: "", phase: e.phase, detail: e.detail });
        return next;
      });
    };
    call(commands.runBatchOperation(request, key.current, channel))
      .then((r) => {
        setReport(r);
        setRan(true);
        setStage("done");
      })
      .catch((e) => {
        setError(messageOf(e));
        // Refused before anything ran (production not confirmed, a bad target): back to the options.
        if (heard) {
          setRan(true);
          setStage("done");
        } else setStage("setup");
      });
  };

  const cancel = () => {
    setCancelling(true);
    call(commands.cancelOperation(key.current)).catch((e) => {
      setCancelling(false);
      setError(`The batch could not be cancelled: ${messageOf(e)}`);
    });
  };

  const done = lines.filter((l) => PHASES[l.phase]?.final).length;
  const failed = lines.filter((l) => l.phase === "failed").length;
  const verb = kind === "upgrade" ? "Upgrade" : "Downgrade";

  return (
    <div className="modal-backdrop">
      <div className="modal wide" role="dialog" aria-modal="true" aria-labelledby="batch-title" data-testid="batch" data-stage={stage}>
        <h2 id="batch-title">
          {stage === "done" && report ? `Batch #${report.batch.id}: ${report.batch.operation} to ` : `${verb} ${plural(chosen.length, "database")} to `}
          <code>{report ? report.batch.target : target.trim() || "…"}</code>
        </h2>
        {error && (
          <div className="banner error" role="alert" data-testid="batch-error">
            {error}
          </div>
        )}
        {stage === "setup" && (
          <>
            {preset && (
              <p className="banner info" data-testid="batch-rest-of">
                The rest of batch #{preset.restOf}: the {plural(chosen.length, "database")} it did not run, with its operation and target. Batch #{preset.restOf} then says which batch ran them.
              </p>
            )}
            <ChosenList chosen={chosen} autoBackup={autoBackup} />
            {unreadable.length > 0 && (
              <p className="banner warn" data-testid="batch-unreadable">
                {plural(unreadable.length, "database")} could not be read just now ({unreadable.map((r) => r.name).join(", ")}): {unreadable.length === 1 ? "it" : "they"} will fail unless the server answers by then.
              </p>
            )}
            <div className="batch-options form">
              <label>
                Operation
                <select data-testid="batch-kind" value={kind} disabled={preset !== undefined} onChange={(e) => changeKind(e.target.value as Kind)}>
                  <option value="upgrade">Upgrade</option>
                  <option value="downgrade">Downgrade</option>
                </select>
              </label>
              <label>
                Target
                <input
                  data-testid="batch-target"
                  value={target}
                  readOnly={preset !== undefined}
                  onChange={(e) => setTarget(e.target.value)}
                  placeholder={kind === "upgrade" ? "heads, a revision id, +1, label@head" : "-1, a revision id, base"}
                  spellCheck={false}
                />
              </label>
              <label>
                At a time
                <input
                  data-testid="batch-concurrency"
                  type="number"
                  min={1}
                  max={MAX_CONCURRENCY}
                  value={concurrency}
                  onChange={(e) => setConcurrency(e.target.value)}
                  aria-invalid={!concurrencyOk}
                  title={`How many databases are worked on at once (1 to ${MAX_CONCURRENCY})`}
                />
              </label>
            </div>
            {!concurrencyOk && <p className="error-text small-help">Work on 1 to {MAX_CONCURRENCY} databases at a time.</p>}
            <p className="small-help">Each database goes through the same steps as a single run: where it stands and the safety checks, a backup, the {kind}, and its version rows read back.</p>
            <label className="choice batch-choice">
              <input type="checkbox" data-testid="batch-stop" checked={stop} onChange={(e) => setStop(e.target.checked)} />
              <span>
                Stop at the first failure
                <span className="help"> Databases not started yet are skipped; those already running finish.</span>
              </span>
            </label>
            <label className="choice batch-choice">
              <input type="checkbox" data-testid="batch-backup-all" checked={backupAll} onChange={(e) => setBackupAll(e.target.checked)} />
              <span>
                Back up every database first
                <span className="help">
                  {" "}Otherwise each profile's own policy decides: profiles that back up before every change always do
                  {backsUp > 0 ? ` (${backsUp} of these ${chosen.length})` : " (none of these)"}.
                </span>
              </span>
            </label>
            {production.length > 0 && (
              <div className="batch-production" data-testid="batch-production">
                <p>
                  <strong>{plural(production.length, "production database")}</strong> in this batch:
                </p>
                <ul>
                  {production.map((r) => (
                    <li key={r.profile_id}>
                      {r.name} <span className="muted">{r.client ? `(${r.client}) ` : ""}{r.database}</span>
                    </li>
                  ))}
                </ul>
                <label className="confirm">
                  Type how many production databases this batch changes ({production.length}) to confirm:
                  <input data-testid="batch-production-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" autoComplete="off" />
                </label>
              </div>
            )}
            {gated.length > 0 && (
              <div className="batch-gate" data-testid="batch-gate">
                <p>
                  <strong>{plural(gated.length, "database")}</strong> with a release gate: each is held to its own checklist (the same revisions run on its client's staging, a passing rehearsal, a backup, its maintenance window, a code review) and fails without running where one is not met.
                </p>
                <label>
                  Code reviewed by
                  <input data-testid="batch-reviewer" value={reviewer} onChange={(e) => setReviewer(e.target.value)} placeholder="the reviewer's name" />
                </label>
                <label>
                  Override unmet items, because (optional; kept in the audit log and the report)
                  <input data-testid="batch-override-reason" value={overrideReason} onChange={(e) => setOverrideReason(e.target.value)} placeholder="leave empty to hold each gate" />
                </label>
              </div>
            )}
          </>
        )}
        {(stage === "running" || (stage === "done" && !report)) && (
          <>
            <div className="batch-overall" data-testid="batch-overall">
              <progress max={lines.length || 1} value={done} />
              <span>
                <strong>{done} of {lines.length} done</strong>
                {failed > 0 && <span className="error-text">, {failed} failed</span>}
                {stage === "running" && cancelling && <span className="muted"> · cancelling: running databases stop after their current statement, the others do not start</span>}
              </span>
            </div>
            <Progress lines={lines} />
          </>
        )}
        {stage === "done" && report && <Report report={report} />}
        <div className="modal-actions">
          {stage === "setup" && (
            <button className="primary" data-testid="batch-start" disabled={!canStart} onClick={start} title={confirmed ? undefined : "Type the number of production databases first"}>
              Start
            </button>
          )}
          {stage === "running" && (
            <button data-testid="batch-cancel" disabled={cancelling} onClick={cancel}>
              {cancelling ? "Cancelling…" : "Cancel"}
            </button>
          )}
          {stage !== "running" && (
            <button data-testid="batch-close" onClick={() => onClose(ran)}>
              {stage === "done" ? "Close" : "Cancel"}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function ChosenList({ chosen, autoBackup }: { chosen: FleetRow[]; autoBackup: Set<number> }) {
  return (
    <div className="batch-table-wrap short" data-testid="batch-chosen">
      <table className="history batch-table">
        <thead>
          <tr><th>#</th><th>Database</th><th>Client</th><th>Now</th><th>Backup</th></tr>
        </thead>
        <tbody>
          {chosen.map((r, i) => {
            const s = stateText(r);
            return (
              <tr key={r.profile_id} data-testid={`batch-chosen-${r.profile_id}`}>
                <td className="muted">{i + 1}</td>
                <td>
                  <span className="batch-name">{r.name}</span> <span className={`env-tag env-${r.environment}`}>{r.environment}</span>
                  <div className="muted small-text ellipsis" title={r.database}>{r.database}</div>
                </td>
                <td>{r.client || <span className="muted">—</span>}</td>
                <td title={s.title}>
                  <span className="fleet-state"><span className={`dot dot-${s.dot}`} aria-hidden /> <span className="ellipsis">{s.text}</span></span>
                </td>
                <td className="muted">{autoBackup.has(r.profile_id) ? "before every change" : "if asked"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Progress({ lines }: { lines: Line[] }) {
  return (
    <div className="batch-table-wrap" data-testid="batch-progress">
      <table className="history batch-table">
        <thead>
          <tr><th>#</th><th>Database</th><th>Phase</th><th>Detail</th></tr>
        </thead>
        <tbody>
          {lines.map((l) => {
            const p = PHASES[l.phase] ?? { text: l.phase };
            return (
              <tr key={l.position} data-testid={`batch-row-${l.position}`} data-phase={l.phase} className={`phase-${l.phase}`}>
                <td className="muted">{l.position + 1}</td>
                <td>
                  <span className="batch-name">{l.name}</span>{" "}
                  {l.environment && <span className={`env-tag env-${l.environment}`}>{l.environment}</span>}
                  {l.client && <div className="muted small-text">{l.client}</div>}
                </td>
                <td className="nowrap">
                  <span className="fleet-state">
                    {p.active ? <span className="spinner" aria-hidden /> : <span className={`phase-mark phase-mark-${l.phase}`} aria-hidden />}
                    <span className={`phase-text ${resultClass(l.phase)}`}>{p.text}</span>
                  </span>
                </td>
                <td className={l.phase === "failed" ? "error-text detail-cell" : "muted detail-cell"}>{l.detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A backup's file name, with its folder below in small print. */
function BackupPath({ path }: { path: string }) {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const name = cut >= 0 ? path.slice(cut + 1) : path;
  const folder = cut >= 0 ? path.slice(0, cut + 1) : "";
  return (
    <>
      <div className="ellipsis">{name}</div>
      {folder && <div className="ellipsis muted small-text">{folder}</div>}
    </>
  );
}

/** Rows in words; "—" when the database was never read (empty rows are then unknown, not base). */
function fromTo(item: BatchItem, rows: string): string {
  return item.rows_read ? rowsWords(storedRows(rows)) : "—";
}

/** A batch's report: what happened to each database; saved as CSV or HTML. */
export function Report({ report }: { report: BatchReportView }) {
  const [saved, setSaved] = useState<{ ok: boolean; text: string } | null>(null);
  const count = (result: string) => report.items.filter((i) => i.result === result).length;
  const failed = count("failed");
  const unfinished = count("cancelled") + count("skipped") + count("pending");
  const save = (format: "csv" | "html") => {
    setSaved(null);
    call(commands.saveBatchReport(report.batch.id, format))
      .then((path) => path && setSaved({ ok: true, text: `Saved the ${format.toUpperCase()} report to ${path}.` }))
      .catch((e) => setSaved({ ok: false, text: `The report could not be saved: ${messageOf(e)}` }));
  };
  return (
    <div className="batch-report" data-testid="batch-report">
      <div className={`banner ${failed > 0 ? "error" : unfinished > 0 ? "warn" : "ok"}`} data-testid="batch-summary">
        <strong>{report.summary}.</strong>
      </div>
      <p className="muted small-help" data-testid="batch-meta">
        Started {report.batch.at} by {report.batch.who}; {report.batch.options};{" "}
        {report.batch.finished_at ? `took ${duration(report.batch.duration_ms)}` : "it did not finish (the app closed while it ran)"}. Also in the audit log (History, all profiles).
      </p>
      <div className="batch-table-wrap">
        <table className="history batch-table">
          <thead>
            <tr><th>#</th><th>Database</th><th>From</th><th>To</th><th>Backup</th><th>Duration</th><th>Result</th><th>Error</th></tr>
          </thead>
          <tbody>
            {report.items.map((i) => (
              <tr key={i.position} data-testid={`batch-report-row-${i.position}`} data-result={i.result}>
                <td className="muted">{i.position + 1}</td>
                <td>
                  <span className="batch-name">{i.profile_name}</span>{" "}
                  {i.environment && <span className={`env-tag env-${i.environment}`}>{i.environment}</span>}
                  {i.client && <div className="muted small-text">{i.client}</div>}
                </td>
                <td><code>{fromTo(i, i.rows_before)}</code></td>
                <td><code>{fromTo(i, i.rows_after)}</code></td>
                <td className="path-cell" title={i.backup || undefined}>
                  {i.backup ? <BackupPath path={i.backup} /> : <span className="muted">none</span>}
                </td>
                <td className="nowrap">{duration(i.duration_ms)}</td>
                <td className={`nowrap strong ${resultClass(i.result === "pending" ? "skipped" : i.result)}`}>{i.result === "pending" ? "not run" : i.result}</td>
                <td className={i.result === "failed" ? "error-text detail-cell" : "muted detail-cell"}>{i.result === "pending" ? "the batch was interrupted" : i.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="sql-actions">
        <button className="small" data-testid="batch-save-csv" onClick={() => save("csv")} title="Save the report as a CSV file (a spreadsheet)">
          Save CSV…
        </button>
        <button className="small" data-testid="batch-save-html" onClick={() => save("html")} title="Save the report as a readable HTML page">
          Save HTML…
        </button>
        {saved && (
          <span className={saved.ok ? "muted" : "error-text"} data-testid="batch-saved" role={saved.ok ? "status" : "alert"}>
            {saved.text}
          </span>
        )}
      </div>
    </div>
  );
}

/** A past batch's report, read-only, in the same layout. */
export function BatchReportDialog({ report, onClose }: { report: BatchReportView; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop">
      <div className="modal wide" role="dialog" aria-modal="true" aria-labelledby="batch-past-title" data-testid="batch-past">
        <h2 id="batch-past-title">
          Batch #{report.batch.id}: {report.batch.operation} to <code>{report.batch.target}</code>
        </h2>
        <Report report={report} />
        <div className="modal-actions">
          <button data-testid="batch-close" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}
