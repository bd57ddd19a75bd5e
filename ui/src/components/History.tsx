import { useEffect, useState } from "react";
import { commands, type AuditView } from "../bindings";
import { call, messageOf } from "../api";

export function History({ profileId }: { profileId: number }) {
  const [entries, setEntries] = useState<AuditView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call(commands.auditLog(profileId)).then(setEntries).catch((e) => setError(messageOf(e)));
  }, [profileId]);
  if (error) return <div className="banner error">{error}</div>;
  if (!entries) return <p className="muted pad">Loading…</p>;
  if (entries.length === 0) return <div className="empty"><h2>Nothing has run on this database from Stratum yet</h2><p>Every upgrade, downgrade and stamp will be listed here, with who ran it and how it ended.</p></div>;
  return (
    <table className="history" data-testid="history">
      <thead>
        <tr><th>When</th><th>Who</th><th>Operation</th><th>From</th><th>To</th><th>Duration</th><th>Result</th></tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id} className={e.result}>
            <td>{e.at}</td>
            <td>{e.who}</td>
            <td>{e.operation} {e.target}</td>
            <td>{e.rows_before || "base"}</td>
            <td>{e.rows_after || "base"}</td>
            <td>{e.duration_ms} ms</td>
            <td title={e.message}>{e.result}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
