import { useCallback, useEffect, useRef, useState } from "react";
import type { Checkup as Report, CheckupItem, ProfileView, Verdict } from "../bindings";
import { call, commands, messageOf } from "../api";
import { plural, rowsWords, VERDICT_MARK } from "./format";
import { useEscape } from "./useEscape";

const BANNER: Record<Verdict, string> = { passed: "ok", warning: "warn", failed: "error" };

/** "7 passed", or "5 passed, 1 warning, 1 failed": counts of none are left out. */
export function checkupSummary(items: CheckupItem[]): string {
  const count = (v: Verdict) => items.filter((i) => i.verdict === v).length;
  const parts = [
    [count("passed"), "passed"],
    [count("warning"), count("warning") === 1 ? "warning" : "warnings"],
    [count("failed"), "failed"],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`).join(", ") || "Nothing to check";
}

type Props = { profile: ProfileView; onClose: () => void };

/**
 * Where the profile's database stands (heads, version rows, drift, tenant audit, safety checks,
 * backup, rehearsal): each item passed, a warning or failed, with what to do about it. The engine
 * keeps the result, so the fleet view shows it too.
 */
export function Checkup({ profile, onClose }: Props) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Only the latest check counts: a slow answer from before "Check again" is dropped.
  const runs = useRef(0);

  const check = useCallback(() => {
    const run = ++runs.current;
    setBusy(true);
    setReport(null);
    setError(null);
    call(commands.checkupProfile(profile.id))
      .then((r) => {
        if (run === runs.current) setReport(r);
      })
      .catch((e) => {
        if (run === runs.current) setError(messageOf(e));
      })
      .finally(() => {
        if (run === runs.current) setBusy(false);
      });
  }, [profile.id]);

  useEffect(check, [check]);

  useEscape(onClose);

  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="checkup-title" data-testid="checkup">
        <h2 id="checkup-title">Check-up of {profile.name}</h2>
        {busy && (
          <p data-testid="checkup-progress">
            <span className="spinner" aria-hidden /> Checking up… (the drift check builds a scratch database: a second or two)
          </p>
        )}
        {error && <div className="banner error" role="alert" data-testid="checkup-error">The check-up failed: {error}</div>}
        {report && (
          <>
            <div className={`banner ${BANNER[report.verdict]}`} role="status" data-testid="checkup-summary" data-verdict={report.verdict}>
              <strong>{checkupSummary(report.items)}</strong>
              <p className="checkup-at">
                Database at <code>{rowsWords(report.rows)}</code>
                {report.pending.length > 0 ? `; ${plural(report.pending.length, "revision")} pending (${report.pending.join(", ")})` : "; nothing pending"}.
              </p>
            </div>
            <ul className="checkup-items">
              {report.items.map((i) => (
                <li key={i.key} className={`checkup-item verdict-${i.verdict}`} data-testid={`checkup-item-${i.key}`} data-verdict={i.verdict}>
                  <span className="checkup-verdict">
                    <span aria-hidden="true">{VERDICT_MARK[i.verdict]}</span> {i.verdict}
                  </span>
                  <div>
                    <strong>{i.title}</strong>
                    <div className="checkup-detail">{i.detail}</div>
                    {i.verdict !== "passed" && i.action && <div className="muted checkup-action">{i.action}</div>}
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
        <div className="modal-actions">
          <button data-testid="checkup-again" onClick={check} disabled={busy}>Check again</button>
          <button data-testid="checkup-close" onClick={onClose} autoFocus>Close</button>
        </div>
      </div>
    </div>
  );
}
