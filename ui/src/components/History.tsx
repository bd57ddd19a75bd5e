import { useEffect, useState } from "react";
import type { AuditEntry } from "../bindings";
import { call, commands, messageOf } from "../api";

/** The audit log: this profile's operations, or every profile's. */
export function History({ profileId }: { profileId: number }) {
  const [all, setAll] = useState(false);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setEntries(null);
    call(commands.auditLog(all ? null : profileId)).then(setEntries).catch((e) => setError(messageOf(e)));
  }, [profileId, all]);
  const filter = (
    <div className="history-filter">
      <label className="choice">
        <input type="radio" name="scope" checked={!all} onChange={() => setAll(false)} /> This profile
      </label>
      <label className="choice">
        <input type="radio" name="scope" data-testid="history-all" checked={all} onChange={() => setAll(true)} /> All profiles
      </label>
    </div>
  );
  if (error) return <div className="banner error">{error}</div>;
  if (!entries) return <>{filter}<p className="muted pad">Loading…</p></>;
  if (entries.length === 0)
    return (
      <>
        {filter}
        <div className="empty"><h2>Nothing has run {all ? "from Stratum" : "on this database from Stratum"} yet</h2><p>Every upgrade, downgrade, stamp, backup and restore will be listed here, with who ran it and how it ended.</p></div>
      </>
    );
  return (
    <>
      {filter}
      <table className="history" data-testid="history">
        <thead>
          <tr><th>When</th><th>Who</th>{all && <th>Profile</th>}<th>Operation</th><th>From</th><th>To</th><th>Duration</th><th>Result</th></tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className={e.result}>
              <td className="nowrap">{e.at}</td>
              <td>{e.who}</td>
              {all && <td>{e.profile_name}</td>}
              <td>{e.operation} {e.target}</td>
              <td>{e.rows_before || "base"}</td>
              <td>{e.rows_after || "base"}</td>
              <td>{e.duration_ms} ms</td>
              <td title={[e.message, e.backup && `backup: ${e.backup}`].filter(Boolean).join("\n")}>
                {e.result}{e.backup ? " · backed up" : ""}
                {e.gate && <Gate gate={e.gate} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** What the release gate said; an override is what a reader of the log must not miss. */
function Gate({ gate }: { gate: string }) {
  const overridden = gate.startsWith("overridden");
  return (
    <div className={overridden ? "history-gate overridden" : "history-gate"} data-testid="history-gate" data-overridden={overridden}>
      {overridden && <span aria-hidden="true">⚠ </span>}Release gate {gate}
    </div>
  );
}
