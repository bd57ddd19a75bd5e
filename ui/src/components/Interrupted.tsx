import type { Interruption, JournaledStatement, OperationRequest, RevisionRow } from "../bindings";

/**
 * A revision an earlier run left half-done (its statements commit as they run): what ran, what
 * did not, and the way to finish it. Nothing else runs on the database until it is finished.
 */
export function Interrupted({ interruption, rows, onResume }: { interruption: Interruption; rows: RevisionRow[]; onResume: (r: OperationRequest) => void }) {
  const i = interruption;
  const downgrade = i.direction === "downgrade";
  const inDoubt = i.statements.find((s) => s.state.state === "in_doubt");
  const resume = (doubtful_ran: boolean | null) => {
    const parent = rows.find((r) => r.revision === i.revision)?.down_revisions[0];
    onResume({
      kind: downgrade ? "downgrade" : "upgrade",
      target: downgrade ? (parent ?? "base") : i.revision,
      resume: { doubtful_ran },
    });
  };
  return (
    <div className="banner error interrupted" role="alert" data-testid="interrupted">
      <strong>
        Revision <code>{i.revision}</code> was interrupted while {downgrade ? "downgrading" : "upgrading"}.
      </strong>{" "}
      <span className="muted">
        Started {i.started_at} by {i.started_by}.
      </span>
      <p>Its statements commit as they run, so part of it is in the database. Nothing else runs on this database until it is finished.</p>
      <ol className="journal">
        {i.statements.map((s) => (
          <li key={s.number} className={`journal-${s.state.state}`} data-testid={`journal-${s.number}`}>
            <div className="journal-row">
              <span className="journal-state">
                {stateWord(s)}
                {s.settled_by_catalog && s.state.state !== "invalid_index" && (
                  <>
                    {" "}
                    <span className="journal-how">(the catalog shows it)</span>
                  </>
                )}
              </span>{" "}
              <span className="journal-sql">
                {s.sql ? <code title={s.sql}>{oneLine(s.sql)}</code> : <span className="muted">statement {s.number} its Python sent</span>}
                {s.line !== null && <span className="muted journal-line"> line {s.line}</span>}
              </span>
            </div>
          </li>
        ))}
        {i.open_ended && (
          <li className="journal-not_ran" data-testid="journal-rest">
            <div className="journal-row">
              <span className="journal-state">did not run</span> <span className="muted">whatever its {downgrade ? "downgrade()" : "upgrade()"} sends after that</span>
            </div>
          </li>
        )}
      </ol>
      {i.edited ? (
        <p>The statements that ran were edited since the revision started, so it cannot be resumed from the file: put the file back as it was, or repair the database by hand.</p>
      ) : inDoubt ? (
        <>
          <p>
            Statement {inDoubt.number} may or may not have run, and the database's catalog cannot tell. Check the database, then say which: resuming runs the statements after it, or from it.
          </p>
          <div className="interrupted-actions">
            <button data-testid="resume-ran" onClick={() => resume(true)}>It ran: resume after it</button>
            <button data-testid="resume-not-ran" onClick={() => resume(false)}>It did not run: resume from it</button>
          </div>
        </>
      ) : (
        <>
          <p>
            {i.open_ended
              ? "Resume runs the revision again through the project's Alembic without sending again the statements that ran (each is checked to be the same statement as before), and writes"
              : "Resume runs the statements that did not run and writes"}{" "}
            the version row of <code>{i.revision}</code>, nothing else; a backup is offered first as for any {downgrade ? "downgrade" : "upgrade"}. To go back instead, restore the backup taken before the run.
          </p>
          <div className="interrupted-actions">
            <button className="primary" data-testid="resume" onClick={() => resume(null)}>
              Resume {i.revision}
            </button>
          </div>
        </>
      )}
    </div>
  );
}

function stateWord(s: JournaledStatement): string {
  switch (s.state.state) {
    case "ran":
      return "ran";
    case "not_ran":
      return "did not run";
    case "in_doubt":
      return "in doubt";
    case "invalid_index":
      return `left index ${s.state.index} INVALID: rebuilt on resume`;
  }
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 90 ? `${flat.slice(0, 90)}…` : flat;
}
