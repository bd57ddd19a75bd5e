import { memo, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { FindingView, OperationRequest, RevisionDetail, RevisionRow, TimelineView } from "../bindings";
import { call, commands, messageOf, useTrustGeneration } from "../api";
import { Lanes, ROW_HEIGHT } from "./Lanes";
import { Python, Sql } from "./Sql";
import { Findings } from "./Findings";
import { Interrupted } from "./Interrupted";

type Props = { view: TimelineView; onOperation: (r: OperationRequest) => void };

const MAX_CHECKED = 1000;

export function Timeline({ view, onOperation }: Props) {
  const [selected, setSelected] = useState<string | null>(null);
  const [findings, setFindings] = useState<FindingView[]>([]);
  // An Alembic project's findings need its code: read again once its folder is trusted.
  const trust = useTrustGeneration();
  // The checks read the pending revisions' SQL; the timeline is shown first, the findings join it.
  // Past a thousand pending revisions they would compete with the window for the CPU for a
  // second or more; there they are shown in each operation's preview only.
  useEffect(() => {
    setFindings([]);
    if (view.database.state !== "reachable" || view.database.pending.length === 0 || view.database.pending.length > MAX_CHECKED) return;
    call(commands.pendingFindings(view.profile.id)).then(setFindings).catch(() => setFindings([]));
  }, [view, trust]);
  const findingsOf = useMemo(() => {
    const by = new Map<string, FindingView[]>();
    for (const f of findings) {
      const of = by.get(f.revision);
      if (of) of.push(f);
      else by.set(f.revision, [f]);
    }
    return (rev: string) => by.get(rev) ?? NONE;
  }, [findings]);
  const rows = view.rows;
  const row = useMemo(() => rows.find((r) => r.revision === selected) ?? null, [rows, selected]);

  if (rows.length === 0) {
    return (
      <div className="empty">
        <h2>This project has no revisions yet</h2>
        <p>Create the first one with <strong>New revision</strong> in the toolbar (Ctrl+N).</p>
      </div>
    );
  }

  return (
    <div className="timeline-layout">
      <section className="timeline-pane">
        <DatabaseSummary view={view} onOperation={onOperation} />
        <RevisionList view={view} selected={selected} findingsOf={findingsOf} onSelect={setSelected} />
      </section>
      <aside className="detail" aria-label="Revision detail">
        {row ? <Detail profileId={view.profile.id} row={row} findings={findingsOf(row.revision)} onOperation={onOperation} /> : <p className="muted">Select a revision to see its SQL and what upgrading to it would do.</p>}
      </aside>
    </div>
  );
}

const NONE: FindingView[] = [];

type ListProps = { view: TimelineView; selected: string | null; findingsOf: (rev: string) => FindingView[]; onSelect: (rev: string) => void };

/**
 * The revisions, only those in sight in the page. Scrolling renders this list alone, and of its
 * rows only those coming into sight, each into the elements of a row that left: a row keyed by
 * its revision made new elements for every row scrolled past, and those stayed in the web
 * process's memory until its next garbage collection (a scroll through 5,000 revisions, 60 MiB).
 */
function RevisionList({ view, selected, findingsOf, onSelect }: ListProps) {
  const parent = useRef<HTMLDivElement>(null);
  const rows = view.rows;
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  // A row coming into sight takes the key of the row that left, `slots` places further: with
  // as many slots as the most rows ever in sight, keys in sight are unique and reused at once.
  const most = useRef(0);
  most.current = Math.max(most.current, items.length);
  const slots = most.current;
  // When the first rows are on screen: the desktop benchmark's end of a cold start.
  useEffect(() => {
    if (performance.getEntriesByName(SHOWN).length === 0) performance.mark(SHOWN);
  }, []);
  return (
    <div className="timeline" ref={parent} role="list" aria-label="Revisions, newest first">
      <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
        {items.map((item) => {
          const r = rows[item.index];
          return <Row key={item.index % slots} row={r} lanes={view.lanes} top={item.start} selected={selected === r.revision} findings={findingsOf(r.revision)} onSelect={onSelect} />;
        })}
      </div>
    </div>
  );
}

const SHOWN = "stratum:timeline-shown";

type RowProps = { row: RevisionRow; lanes: number; top: number; selected: boolean; findings: FindingView[]; onSelect: (rev: string) => void };

const Row = memo(function Row({ row: r, lanes, top, selected, findings, onSelect }: RowProps) {
  const blocking = findings.some((f) => f.blocks);
  return (
    <div
      role="listitem"
      data-testid={`revision-${r.revision}`}
      data-applied={r.applied}
      className={`rev ${r.applied ? "applied" : "pending"} ${selected ? "selected" : ""}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => onSelect(r.revision)}
    >
      <Lanes row={r} lanes={lanes} />
      <code className="rev-id">{r.revision}</code>
      <span className="rev-message" title={r.message || undefined}>{r.message ? oneLine(r.message) : <em className="muted">no message</em>}</span>
      <span className="badges">
        {r.labels.map((l) => (
          <span key={l} className="badge label">{l}</span>
        ))}
        {r.current && <span className="badge current">database is here</span>}
        {r.is_head && <span className="badge head">head</span>}
        {r.is_merge_point && <span className="badge merge">merge</span>}
        {blocking && <span className="badge blocking" title="blocking safety findings">blocking</span>}
        {findings.length > 0 && !blocking && <span className="badge warn" title="safety findings">{findings.length} to review</span>}
        {!r.applied && <span className="badge pending">pending</span>}
      </span>
      <span className="rev-date muted">{r.created ?? ""}</span>
    </div>
  );
});

/** A message that spans several lines (an Alembic docstring's first paragraph), on one line. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

function DatabaseSummary({ view, onOperation }: { view: TimelineView; onOperation: (r: OperationRequest) => void }) {
  const db = view.database;
  if (db.state === "unreachable") {
    return (
      <div className="banner error" role="alert">
        The database cannot be reached: {db.message}
      </div>
    );
  }
  const at = db.rows.length === 0 ? "base (nothing applied)" : db.rows.join(", ");
  return (
    <>
      <div className={`banner ${db.pending.length > 0 ? "warn" : "ok"}`} data-testid="db-summary">
        <strong>Database at {at}.</strong>{" "}
        {db.pending.length > 0 ? `${db.pending.length} revision(s) pending.` : "Up to date."}{" "}
        <span className="muted" title={db.server}>{db.server.split(/ \(| on /)[0]}</span>
      </div>
      {db.interrupted && <Interrupted interruption={db.interrupted} rows={view.rows} onResume={onOperation} />}
    </>
  );
}

function Detail({ profileId, row, findings, onOperation }: { profileId: number; row: RevisionRow; findings: FindingView[]; onOperation: (r: OperationRequest) => void }) {
  const [detail, setDetail] = useState<RevisionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  // "python" or "sql" once the user picks one (kept while browsing); until then SQL when there is
  // some to show, else the Python file.
  const [shown, setShown] = useState<"python" | "sql" | null>(null);
  useEffect(() => {
    setDetail(null);
    setError(null);
    call(commands.revisionDetail(profileId, row.revision))
      .then(setDetail)
      .catch((e) => setError(messageOf(e)));
  }, [profileId, row.revision]);
  const hasSql = !!detail && (detail.upgrade_sql.trim() !== "" || detail.downgrade_sql.trim() !== "");
  const view = detail && detail.python !== null ? (shown ?? (hasSql ? "sql" : "python")) : "sql";
  return (
    <div className="detail-body">
      <h2>
        <code>{row.revision}</code>
      </h2>
      <p className="detail-message" data-testid="detail-message">{row.message}</p>
      <dl>
        <dt>Created</dt>
        <dd>{row.created ?? "unknown"}</dd>
        <dt>Parents</dt>
        <dd>{row.down_revisions.length ? row.down_revisions.join(", ") : "none (first revision)"}</dd>
        <dt>File</dt>
        <dd className="path">{row.file}</dd>
        <dt>State</dt>
        <dd>{row.applied ? "applied" : "pending"}</dd>
      </dl>
      <div className="detail-actions">
        <button className="primary" disabled={row.applied} onClick={() => onOperation({ kind: "upgrade", target: row.revision })}>
          Upgrade to here
        </button>
        <button disabled={!row.applied || row.current} onClick={() => onOperation({ kind: "downgrade", target: row.revision })}>
          Downgrade to here
        </button>
        <button onClick={() => onOperation({ kind: "stamp", target: row.revision })}>Stamp</button>
      </div>
      {findings.length > 0 && (
        <>
          <h3>Safety checks</h3>
          <Findings findings={findings} testId="revision-findings" />
        </>
      )}
      {error && <div className="banner error">{error}</div>}
      {detail && (
        <>
          {detail.python !== null && (
            <div className="switch" role="group" aria-label="Show the revision as">
              <button className="small" data-testid="detail-python" aria-pressed={view === "python"} onClick={() => setShown("python")} title="The revision's Python file: what Alembic runs">
                Python
              </button>
              <button className="small" data-testid="detail-sql" aria-pressed={view === "sql"} onClick={() => setShown("sql")} title="The SQL Alembic's offline mode renders from it, which the safety checks read">
                SQL
              </button>
            </div>
          )}
          {detail.note && <p className="muted detail-note" data-testid="detail-note">{detail.note}</p>}
          {view === "python" && detail.python !== null ? (
            <>
              <h3>Revision file (Python)</h3>
              <Python code={detail.python} testId="detail-python-code" />
            </>
          ) : (
            <>
              <h3>Upgrade SQL ({detail.dialect})</h3>
              <Sql code={detail.upgrade_sql || "-- nothing to run"} />
              <h3>Downgrade SQL</h3>
              <Sql code={detail.downgrade_sql || "-- nothing to run"} />
            </>
          )}
        </>
      )}
    </div>
  );
}
