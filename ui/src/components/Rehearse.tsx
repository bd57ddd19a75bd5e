import { useEffect, useRef, useState } from "react";
import { Channel } from "@tauri-apps/api/core";
import type { BackupView, ProfileView, Rehearsal, RehearsedStep } from "../bindings";
import { call, commands, messageOf } from "../api";
import { duration, plural, rowsWords } from "./format";
import { useEscape } from "./useEscape";

/** Whether a step's rehearsal got as far as `phase`: a failed upgrade stops before the downgrade. */
function reached(s: RehearsedStep, phase: "downgrade" | "upgrade again"): boolean {
  const stopped = (kinds: string[]) => s.problems.some((p) => kinds.includes(p.kind));
  if (stopped(["upgrade-failed"])) return false;
  return phase === "downgrade" || !stopped(["downgrade-failed", "not-isolated"]);
}

type Props = {
  profile: ProfileView;
  /** Where to rehearse to; the toolbar's upgrade goes to "heads". */
  target?: string;
  onClose: () => void;
};

/**
 * Proves the seed's "upgrade and downgrade both work" before the real run: on a scratch database
 * each step is upgraded, downgraded back to exactly the schema it started from, and upgraded
 * again. The scratch database is dropped afterwards; the profile's database is never touched.
 */
export function Rehearse({ profile, target = "heads", onClose }: Props) {
  const production = profile.environment === "production";
  const [from, setFrom] = useState<"live" | "base" | "backup">("live");
  const fromBase = from === "base";
  // The newest backup that is still on disk: its rows prove a production downgrade's data
  // without copying the live database.
  const [backup, setBackup] = useState<BackupView | null>(null);
  useEffect(() => {
    call(commands.listBackups(profile.id))
      .then((all) => setBackup(all.find((b) => b.present) ?? null))
      .catch(() => setBackup(null));
  }, [profile.id]);
  const [withData, setWithData] = useState(false);
  const [steps, setSteps] = useState<RehearsedStep[]>([]);
  const [done, setDone] = useState<Rehearsal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const opId = useRef(`rehearse-${profile.id}-${Date.now()}`);

  useEscape(onClose, !running);

  const start = () => {
    setRunning(true);
    setSteps([]);
    setDone(null);
    setError(null);
    const channel = new Channel<RehearsedStep>();
    channel.onmessage = (s: RehearsedStep) => setSteps((seen) => [...seen, s]);
    const fromBackup = from === "backup" && backup ? backup.id : null;
    call(commands.rehearseProfile(profile.id, target, fromBase, withData && !production && fromBackup === null, fromBackup, opId.current, channel))
      .then((r) => {
        setSteps(r.steps);
        setDone(r);
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => setRunning(false));
  };

  const failed = steps.filter((s) => s.result === "failed").length;
  const passed = done !== null && failed === 0 && done.not_rehearsed.length === 0;

  return (
    <div className="modal-backdrop">
      <div className="modal wide" role="dialog" aria-modal="true" aria-labelledby="rehearse-title" data-testid="rehearse">
        <h2 id="rehearse-title">
          Rehearse the upgrade of {profile.name} to <code>{target}</code>
        </h2>
        <p className="muted">
          Each revision is upgraded, downgraded and upgraded again on a scratch database beside this one; after each downgrade the schema must be
          exactly what it was before (tables, columns, keys, indexes, foreign keys, views, sequences, enum types). The scratch database is dropped
          afterwards. {profile.name} itself is not changed.
        </p>
        {!running && !done && (
          <div className="rehearse-options">
            <label className="choice">
              <input type="radio" name="start" checked={from === "live"} onChange={() => setFrom("live")} data-testid="rehearse-from-live" />
              From the database as it is (a copy of its schema at its version rows)
            </label>
            <label className="choice">
              <input type="radio" name="start" checked={fromBase} onChange={() => setFrom("base")} data-testid="rehearse-from-base" />
              From an empty database (every revision from the first)
            </label>
            {backup && (
              <label className="choice">
                <input type="radio" name="start" checked={from === "backup"} onChange={() => setFrom("backup")} data-testid="rehearse-from-backup" />
                From the latest backup ({backup.at}, at {rowsWords(backup.rows ? backup.rows.split(",") : [])}), rows included: each downgrade must also keep the rows
              </label>
            )}
            {!production && from !== "backup" && (
              <label className="choice">
                <input type="checkbox" checked={withData} onChange={(e) => setWithData(e.target.checked)} data-testid="rehearse-with-data" />
                With its rows: each downgrade must also keep the rows that were there before (row counts and checksums)
              </label>
            )}
          </div>
        )}
        {running && (
          <p data-testid="rehearse-progress">
            <span className="spinner" aria-hidden /> Rehearsing… {plural(steps.length, "step")} done
            {failed > 0 ? `, ${failed} failed` : ""}.
          </p>
        )}
        {done && (
          <div className={`banner ${passed ? "ok" : "error"}`} data-testid="rehearse-summary" role={passed ? "status" : "alert"}>
            {passed ? (
              <>
                <strong>Every step passed.</strong> {plural(done.steps.length, "revision")} from {rowsWords(done.rows_before)} upgrade, downgrade back to
                the schema they started from, and upgrade again ({done.scratch}, {duration(done.millis)}).
              </>
            ) : (
              <>
                <strong>The rehearsal failed:</strong> {plural(failed, "step")} of {done.steps.length + done.not_rehearsed.length}
                {done.not_rehearsed.length > 0 ? `; not rehearsed after that: ${done.not_rehearsed.join(", ")}` : ""}. Fix the revisions before running
                them here.
              </>
            )}
          </div>
        )}
        {error && <div className="banner error" role="alert" data-testid="rehearse-error">{error}</div>}
        {steps.length > 0 && (
          <table className="history rehearse-steps" data-testid="rehearse-steps">
            <thead>
              <tr><th>Revision</th><th>Result</th><th>Upgrade</th><th>Downgrade</th><th>Upgrade again</th></tr>
            </thead>
            <tbody>
              {steps.map((s) => (
                <tr key={s.revision} data-testid={`rehearse-step-${s.revision}`} data-result={s.result}>
                  <td><code>{s.revision}</code></td>
                  <td className={`strong ${s.result === "passed" ? "result-succeeded" : "result-failed"}`}>
                    {s.result}
                    {s.problems.length > 0 && (
                      <ul className="problems">
                        {s.problems.map((p, i) => (
                          <li key={i} className="error-text" data-kind={p.kind}>{p.message}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="nowrap">{duration(s.upgrade_ms)}</td>
                  <td className="nowrap">{reached(s, "downgrade") ? duration(s.downgrade_ms) : "—"}</td>
                  <td className="nowrap">{reached(s, "upgrade again") ? duration(s.upgrade_again_ms) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="modal-actions">
          {!running && !done && (
            <button className="primary" data-testid="rehearse-start" onClick={start} autoFocus>Rehearse</button>
          )}
          {running && <button data-testid="rehearse-cancel" onClick={() => call(commands.cancelOperation(opId.current))}>Cancel</button>}
          {!running && <button data-testid="rehearse-close" onClick={onClose}>{done ? "Close" : "Cancel"}</button>}
        </div>
      </div>
    </div>
  );
}
