import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Channel } from "@tauri-apps/api/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { BatchReportView, BatchSummaryView, CheckupRecord, DriftCheck, FleetStatus, ProfileView } from "../bindings";
import { call, commands, messageOf } from "../api";
import { BatchFlow, BatchReportDialog, type BatchPreset } from "./BatchFlow";
import { ageWords, duration, plural, READING, resultClass, rowsWords, splitDatabase, stateText, VERDICT_MARK, when, type FleetRow, type StateText } from "./format";

/** Row and header heights of the virtualised table, in pixels. */
export const FLEET_ROW = 48;
const FLEET_HEAD = 34;
/** A backup older than this is shown in the warning colour. */
const STALE_BACKUP_SECONDS = 7 * 86400;


type StateFilter = "all" | "behind" | "problem" | "drifted" | "up_to_date";
type SortKey = "name" | "database" | "state" | "at" | "pending" | "drift" | "checkup" | "backup" | "operation";
type Sort = { key: SortKey; dir: 1 | -1 } | null;

const STATE_FILTERS: { value: StateFilter; label: string; title?: string }[] = [
  { value: "all", label: "Any state" },
  { value: "behind", label: "Behind (revisions pending)" },
  { value: "problem", label: "Failed or unreachable", title: "Unreachable, invalid, unknown version rows, or the last operation failed" },
  { value: "drifted", label: "Drifted" },
  { value: "up_to_date", label: "Up to date" },
];

function placeholder(p: ProfileView): FleetRow {
  return {
    profile_id: p.id, name: p.name, client: p.client, environment: p.environment, tags: p.tags ?? [], database: p.database,
    state: READING, reason: null, server: null, rows: [], pending: [], several_heads: false, project_heads: 0,
    last_backup: null, last_operation: null, drift: null, checkup: null, millis: 0,
  };
}

/** The newer of two drift checks or check-ups (timestamps in the store's sortable format). */
function newer<T extends { at: string }>(a: T | null, b: T | undefined): T | null {
  if (!b) return a;
  if (!a) return b;
  return b.at >= a.at ? b : a;
}

function isProblem(r: FleetRow): boolean {
  return r.state === "unreachable" || r.state === "invalid" || r.state === "unknown_rows" || r.state === "interrupted" || r.last_operation?.result === "failed";
}

const STATE_ORDER: Record<string, number> = { invalid: 0, interrupted: 0, unreachable: 1, unknown_rows: 2, pending: 3, up_to_date: 4, [READING]: 5 };
const CHECKUP_ORDER: Record<string, number> = { passed: 0, warning: 1, failed: 2 };
const CHECKUP_CLASS: Record<string, string> = { passed: "ok-text", warning: "warn-text strong", failed: "error-text strong" };

function sortValue(r: FleetRow, key: SortKey, drift: DriftCheck | null, checkup: CheckupRecord | null): string | number {
  switch (key) {
    case "name":
      return `${r.name.toLowerCase()}\u0000${r.client.toLowerCase()}`;
    case "database":
      return r.database.toLowerCase();
    case "state":
      return (STATE_ORDER[r.state] ?? 6) * 100000 - r.pending.length;
    case "at":
      return r.rows.join(",");
    case "pending":
      return r.state === "pending" || r.state === "up_to_date" ? r.pending.length : -1;
    case "drift":
      return drift ? (drift.differences < 0 ? 1e9 : drift.differences) : -1;
    case "checkup":
      return checkup ? (CHECKUP_ORDER[checkup.verdict] ?? 3) : -1;
    case "backup":
      return r.last_backup?.age_seconds ?? Number.MAX_SAFE_INTEGER;
    case "operation":
      return r.last_operation?.at ?? "";
  }
}

/** "12 databases: 8 up to date, 3 behind, 1 unreachable, 2 drifted", over the rows shown. */
export function summaryLine(rows: FleetRow[], drifts: (r: FleetRow) => DriftCheck | null, of: number | null, reading = false): string {
  const count = (f: (r: FleetRow) => boolean) => rows.filter(f).length;
  const parts = [
    `${count((r) => r.state === "up_to_date")} up to date`,
    `${count((r) => r.state === "pending")} behind`,
    `${count((r) => r.state === "unreachable")} unreachable`,
  ];
  const invalid = count((r) => r.state === "invalid");
  if (invalid) parts.push(`${invalid} invalid`);
  const unknown = count((r) => r.state === "unknown_rows");
  if (unknown) parts.push(`${unknown} with unknown rows`);
  parts.push(`${count((r) => (drifts(r)?.differences ?? 0) > 0)} drifted`);
  const failed = count((r) => r.last_operation?.result === "failed");
  if (failed) parts.push(`${failed} whose last run failed`);
  // While a reading is under way its indicator counts them.
  const unread = count((r) => r.state === READING);
  if (unread && !reading) parts.push(`${unread} not read`);
  return `${plural(rows.length, "database")}${of !== null ? ` (of ${of})` : ""}: ${parts.join(", ")}`;
}

type Props = {
  profiles: ProfileView[];
  /** Hidden (kept, with its filters and selection) while a profile is shown. */
  visible?: boolean;
  onOpenProfile: (id: number) => void;
  /** A batch ran: the sidebar's status dots are out of date. */
  onChanged?: () => void;
};

/** Every profile's database in one table; filters, selection, drift checks and batch runs. */
export function Fleet({ profiles, visible = true, onOpenProfile, onChanged }: Props) {
  const [byId, setById] = useState<Record<number, FleetRow>>({});
  const [reading, setReading] = useState<{ received: Set<number>; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [env, setEnv] = useState("all");
  const [client, setClient] = useState<string | null>(null);
  const [stateFilter, setStateFilter] = useState<StateFilter>("all");
  const [sort, setSort] = useState<Sort>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [drifts, setDrifts] = useState<Record<number, DriftCheck>>({});
  const [drifting, setDrifting] = useState<{ waiting: Set<number>; total: number } | null>(null);
  const [checkups, setCheckups] = useState<Record<number, CheckupRecord>>({});
  const [checkingUp, setCheckingUp] = useState<{ waiting: Set<number>; total: number } | null>(null);
  const [batch, setBatch] = useState<FleetRow[] | null>(null);
  // Set when the batch runs the rest of an interrupted one: its operation and target, locked.
  const [preset, setPreset] = useState<BatchPreset | null>(null);
  const [interrupted, setInterrupted] = useState<BatchReportView[]>([]);
  const [past, setPast] = useState<BatchReportView | null>(null);
  const [batches, setBatches] = useState<BatchSummaryView[] | null>(null);
  const [batchesError, setBatchesError] = useState<string | null>(null);
  const reads = useRef(0);
  const profileCount = useRef(profiles.length);
  profileCount.current = profiles.length;
  const scroller = useRef<HTMLDivElement>(null);
  const selectAll = useRef<HTMLInputElement>(null);

  const refresh = useCallback(() => {
    // Only the latest reading counts: rows of an older one still arriving are dropped.
    const read = ++reads.current;
    const received = new Set<number>();
    setReading({ received, total: profileCount.current });
    const channel = new Channel<FleetStatus>();
    channel.onmessage = (row: FleetStatus) => {
      if (read !== reads.current) return;
      received.add(row.profile_id);
      setById((m) => ({ ...m, [row.profile_id]: row }));
      setReading((r) => (r ? { received, total: Math.max(r.total, received.size) } : r));
    };
    call(commands.fleetStatus(channel))
      .then((all) => {
        if (read !== reads.current) return;
        setById(Object.fromEntries(all.map((r) => [r.profile_id, r])));
        setError(null);
      })
      .catch((e) => {
        if (read === reads.current) setError(`The fleet could not be read: ${messageOf(e)}`);
      })
      .finally(() => {
        if (read === reads.current) setReading(null);
      });
  }, []);

  const loadBatches = useCallback(() => {
    call(commands.listBatches())
      .then((b) => {
        setBatches(b);
        setBatchesError(null);
      })
      .catch((e) => setBatchesError(messageOf(e)));
    // Batches a killed app or CLI left with databases never run: offered at the top.
    call(commands.interruptedBatches())
      .then(setInterrupted)
      .catch((e) => setBatchesError(`Interrupted batches could not be read: ${messageOf(e)}`));
  }, []);

  // Read again each time the view is shown: a profile may have been upgraded meanwhile.
  useEffect(() => {
    if (!visible) return;
    refresh();
    loadBatches();
  }, [visible, refresh, loadBatches]);

  useEffect(() => {
    if (!visible) return;
    const onKey = (e: KeyboardEvent) => {
      if (batch || past) return;
      if (e.key === "F5" || ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "r")) {
        e.preventDefault();
        refresh();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [visible, batch, past, refresh]);

  // Every profile, in the sidebar's order; a profile not read yet shows what its profile says.
  const all = useMemo(() => {
    const known = new Set(profiles.map((p) => p.id));
    const rows = profiles.map((p) => byId[p.id] ?? placeholder(p));
    for (const r of Object.values(byId)) if (!known.has(r.profile_id)) rows.push(r);
    return rows;
  }, [profiles, byId]);
  const driftOf = useCallback((r: FleetRow) => newer(r.drift, drifts[r.profile_id]), [drifts]);
  const checkupOf = useCallback((r: FleetRow) => newer(r.checkup, checkups[r.profile_id]), [checkups]);

  const clients = useMemo(() => [...new Set(all.map((r) => r.client))].sort((a, b) => a.localeCompare(b)), [all]);

  const shown = useMemo(() => {
    const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const rows = all.filter((r) => {
      if (env !== "all" && r.environment !== env) return false;
      if (client !== null && r.client !== client) return false;
      if (words.length > 0) {
        const hay = [r.name, r.client, r.database, ...r.tags].map((s) => s.toLowerCase());
        if (!words.every((w) => hay.some((h) => h.includes(w)))) return false;
      }
      switch (stateFilter) {
        case "behind":
          return r.state === "pending";
        case "problem":
          return isProblem(r);
        case "drifted":
          return (driftOf(r)?.differences ?? 0) > 0;
        case "up_to_date":
          return r.state === "up_to_date";
        default:
          return true;
      }
    });
    if (sort) {
      const keyed = rows.map((r, i) => ({ r, i, v: sortValue(r, sort.key, driftOf(r), checkupOf(r)) }));
      keyed.sort((a, b) => (a.v < b.v ? -sort.dir : a.v > b.v ? sort.dir : a.i - b.i));
      return keyed.map((k) => k.r);
    }
    return rows;
  }, [all, text, env, client, stateFilter, sort, driftOf, checkupOf]);

  const filtering = shown.length !== all.length;
  const selectedShown = shown.filter((r) => selected.has(r.profile_id)).length;
  const allShownSelected = shown.length > 0 && selectedShown === shown.length;
  // Selected rows a filter hides still count: the batch dialog lists every chosen database.
  const chosen = useMemo(() => {
    const inView = shown.filter((r) => selected.has(r.profile_id));
    const seen = new Set(inView.map((r) => r.profile_id));
    return [...inView, ...all.filter((r) => selected.has(r.profile_id) && !seen.has(r.profile_id))];
  }, [shown, all, selected]);
  const hiddenChosen = chosen.length - selectedShown;

  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = selectedShown > 0 && !allShownSelected;
  }, [selectedShown, allShownSelected]);

  // A deleted profile leaves the selection.
  useEffect(() => {
    setSelected((s) => {
      const ids = new Set(all.map((r) => r.profile_id));
      const kept = [...s].filter((id) => ids.has(id));
      return kept.length === s.size ? s : new Set(kept);
    });
  }, [all]);

  const toggle = (id: number) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const toggleAll = () =>
    setSelected((s) => {
      const next = new Set(s);
      if (allShownSelected) for (const r of shown) next.delete(r.profile_id);
      else for (const r of shown) next.add(r.profile_id);
      return next;
    });

  const checkDrift = () => {
    const ids = chosen.map((r) => r.profile_id);
    if (ids.length === 0) return;
    const waiting = new Set(ids);
    setDrifting({ waiting: new Set(waiting), total: ids.length });
    setError(null);
    const channel = new Channel<DriftCheck>();
    const take = (d: DriftCheck) => {
      waiting.delete(d.profile_id);
      setDrifts((m) => ({ ...m, [d.profile_id]: d }));
    };
    channel.onmessage = (d: DriftCheck) => {
      take(d);
      setDrifting((s) => (s ? { ...s, waiting: new Set(waiting) } : s));
    };
    call(commands.fleetDrift(ids, channel))
      .then((done) => done.forEach(take))
      .catch((e) => setError(`The drift check failed: ${messageOf(e)}`))
      .finally(() => setDrifting(null));
  };

  const checkUp = () => {
    const ids = chosen.map((r) => r.profile_id);
    if (ids.length === 0) return;
    const waiting = new Set(ids);
    setCheckingUp({ waiting: new Set(waiting), total: ids.length });
    setError(null);
    const channel = new Channel<CheckupRecord>();
    const take = (c: CheckupRecord) => {
      waiting.delete(c.profile_id);
      setCheckups((m) => ({ ...m, [c.profile_id]: c }));
    };
    channel.onmessage = (c: CheckupRecord) => {
      take(c);
      setCheckingUp((s) => (s ? { ...s, waiting: new Set(waiting) } : s));
    };
    call(commands.fleetCheckup(ids, channel))
      .then((done) => done.forEach(take))
      .catch((e) => setError(`The check-up failed: ${messageOf(e)}`))
      .finally(() => setCheckingUp(null));
  };

  /** A new batch over what `r` left pending, with its operation and target, through the usual dialog. */
  const runRest = (r: BatchReportView) => {
    const byProfile = new Map(all.map((row) => [row.profile_id, row]));
    const rows = r.items
      .filter((i) => i.result === "pending" && i.profile_id !== null)
      .map((i) => byProfile.get(i.profile_id as number))
      .filter((row): row is FleetRow => row !== undefined);
    if (rows.length === 0) {
      setBatchesError(`The databases batch #${r.batch.id} did not run no longer have a profile.`);
      return;
    }
    setPreset({ kind: r.batch.operation === "downgrade" ? "downgrade" : "upgrade", target: r.batch.target, restOf: r.batch.id });
    setBatch(rows);
  };

  const openPast = (id: number) => {
    setBatchesError(null);
    call(commands.batchReport(id))
      .then(setPast)
      .catch((e) => setBatchesError(`The report of batch #${id} could not be read: ${messageOf(e)}`));
  };

  const virtual = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => FLEET_ROW,
    overscan: 10,
    scrollMargin: FLEET_HEAD,
    getItemKey: (i) => shown[i]?.profile_id ?? i,
  });

  const header = (key: SortKey | null, label: string, title?: string) => {
    const on = sort && key && sort.key === key;
    return (
      <div role="columnheader" className="fleet-cell" aria-sort={on ? (sort.dir === 1 ? "ascending" : "descending") : undefined} title={title}>
        {key ? (
          <button
            className="fleet-sort"
            data-testid={`fleet-sort-${key}`}
            onClick={() => setSort((s) => (s && s.key === key ? { key, dir: s.dir === 1 ? -1 : 1 } : { key, dir: 1 }))}
            title={`Sort by ${label.toLowerCase()}`}
          >
            {label}
            <span className="sort-mark" aria-hidden>{on ? (sort.dir === 1 ? "▲" : "▼") : ""}</span>
          </button>
        ) : (
          label
        )}
      </div>
    );
  };

  return (
    <section className="fleet" data-testid="fleet" hidden={!visible} aria-label="Fleet">
      <header className="toolbar">
        <div className="title-row">
          <div className="title">
            <h1>Fleet</h1>
            <span className="muted">every profile's database at a glance</span>
          </div>
          <div className="actions">
            <button data-testid="fleet-refresh" onClick={refresh} title="Read every database again (F5)">
              Refresh
            </button>
            <button
              data-testid="fleet-check-drift"
              disabled={chosen.length === 0 || drifting !== null}
              onClick={checkDrift}
              title={chosen.length === 0 ? "Choose databases to check" : "Compare each chosen database with what its revisions produce (builds a scratch database for each: slow)"}
            >
              {drifting ? `Checking drift ${drifting.total - drifting.waiting.size} of ${drifting.total}…` : "Check drift"}
            </button>
            <button
              data-testid="fleet-check-up"
              disabled={chosen.length === 0 || checkingUp !== null}
              onClick={checkUp}
              title={chosen.length === 0 ? "Choose databases to check up on" : "Check up on each chosen database: heads, version rows, drift, tenant audit, safety checks, backup and rehearsal (slow: the drift item builds a scratch database)"}
            >
              {checkingUp ? `Checking up ${checkingUp.total - checkingUp.waiting.size} of ${checkingUp.total}…` : "Check up"}
            </button>
            <button
              className="primary"
              data-testid="fleet-upgrade"
              disabled={chosen.length === 0}
              onClick={() => {
                setPreset(null);
                setBatch(chosen);
              }}
              title={chosen.length === 0 ? "Choose databases first" : `Upgrade (or downgrade) the ${plural(chosen.length, "chosen database")} in one batch`}
            >
              Upgrade selected…
            </button>
          </div>
        </div>
        <div className="tool-row fleet-filters">
          <input
            type="search"
            className="fleet-search"
            data-testid="fleet-filter"
            placeholder="Filter by name, client, database or tag"
            aria-label="Filter by name, client, database or tag"
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
          />
          <select data-testid="fleet-env" value={env} onChange={(e) => setEnv(e.target.value)} aria-label="Environment">
            <option value="all">Every environment</option>
            <option value="development">development</option>
            <option value="staging">staging</option>
            <option value="production">production</option>
          </select>
          <select
            data-testid="fleet-client"
            value={client === null ? "\u0001all" : client}
            onChange={(e) => setClient(e.target.value === "\u0001all" ? null : e.target.value)}
            aria-label="Client"
          >
            <option value={"\u0001all"}>Every client</option>
            {clients.map((c) => (
              <option key={c} value={c}>{c || "No client"}</option>
            ))}
          </select>
          <select data-testid="fleet-state" value={stateFilter} onChange={(e) => setStateFilter(e.target.value as StateFilter)} aria-label="State">
            {STATE_FILTERS.map((f) => (
              <option key={f.value} value={f.value} title={f.title}>{f.label}</option>
            ))}
          </select>
          <span className="fleet-selection muted" data-testid="fleet-selection">
            {chosen.length === 0 ? "None chosen" : `${chosen.length} chosen${hiddenChosen > 0 ? ` (${hiddenChosen} hidden by the filter)` : ""}`}
            {chosen.length > 0 && (
              <button className="small" data-testid="fleet-clear-selection" onClick={() => setSelected(new Set())}>
                Clear
              </button>
            )}
          </span>
        </div>
      </header>
      {error && (
        <div className="banner error" role="alert" data-testid="fleet-error">
          {error}
        </div>
      )}
      {interrupted.map((r) => (
        <InterruptedBatch key={r.batch.id} report={r} onRunRest={() => runRest(r)} onOpen={() => setPast(r)} />
      ))}
      <div className="fleet-summary">
        <span data-testid="fleet-summary">{summaryLine(shown, driftOf, filtering ? all.length : null, reading !== null)}</span>
        {reading && (
          <span className="fleet-reading muted" data-testid="fleet-reading">
            <span className="spinner" aria-hidden /> reading {reading.received.size} of {Math.max(reading.total, reading.received.size)}…
          </span>
        )}
      </div>
      {all.length === 0 && !reading ? (
        <div className="empty">
          <h2>No profile yet</h2>
          <p>Add a profile for each client database (+ Profile); they all appear here.</p>
        </div>
      ) : (
        <div className="fleet-table" role="table" aria-label="Databases" aria-rowcount={shown.length + 1} ref={scroller} data-testid="fleet-table">
          <div className="fleet-row fleet-head" role="row" style={{ height: FLEET_HEAD }}>
            <div role="columnheader" className="fleet-cell fleet-check">
              <input
                type="checkbox"
                ref={selectAll}
                data-testid="fleet-select-all"
                checked={allShownSelected}
                disabled={shown.length === 0}
                onChange={toggleAll}
                aria-label={filtering ? "Choose every database the filter shows" : "Choose every database"}
                title={filtering ? "Choose every database the filter shows" : "Choose every database"}
              />
            </div>
            {header("name", "Profile")}
            {header("database", "Database")}
            {header("state", "State")}
            {header("at", "At", "The database's version rows")}
            {header("pending", "Pending")}
            {header("drift", "Drift")}
            {header("checkup", "Check-up", "The latest check-up")}
            {header("backup", "Last backup")}
            {header("operation", "Last operation")}
          </div>
          {shown.length === 0 ? (
            <p className="muted pad" data-testid="fleet-none">No database matches the filter.</p>
          ) : (
            <div className="fleet-rows" style={{ height: virtual.getTotalSize() }} role="rowgroup">
              {virtual.getVirtualItems().map((item) => {
                const r = shown[item.index];
                return (
                  <Row
                    key={r.profile_id}
                    row={r}
                    top={item.start - FLEET_HEAD}
                    index={item.index}
                    drift={driftOf(r)}
                    checking={drifting?.waiting.has(r.profile_id) ?? false}
                    checkup={checkupOf(r)}
                    checkingUp={checkingUp?.waiting.has(r.profile_id) ?? false}
                    stale={reading !== null && r.state !== READING && !reading.received.has(r.profile_id)}
                    readingNow={reading !== null}
                    chosen={selected.has(r.profile_id)}
                    onToggle={() => toggle(r.profile_id)}
                    onOpen={() => onOpenProfile(r.profile_id)}
                  />
                );
              })}
            </div>
          )}
        </div>
      )}
      <details className="fleet-batches" open data-testid="fleet-batches">
        <summary>Recent batches{batches && batches.length > 0 ? ` (${batches.length})` : ""}</summary>
        {batchesError && <p className="error-text small-print" role="alert">{batchesError}</p>}
        {batches === null && !batchesError && <p className="muted small-print">Loading…</p>}
        {batches && batches.length === 0 && <p className="muted small-print">No batch has run yet. Choose databases and "Upgrade selected…" to run one.</p>}
        {batches && batches.length > 0 && (
          <ul className="batch-list">
            {batches.map((b) => (
              <li key={b.id}>
                <button className="batch-history" data-testid={`batch-history-${b.id}`} onClick={() => openPast(b.id)} title="Open this batch's report">
                  <span className="batch-id">#{b.id}</span>
                  {b.interrupted && <span className="badge warn" title="It never finished: its app or command line was closed or killed (or it is still running elsewhere)">interrupted</span>}
                  <span>{b.operation} {b.target}</span>
                  <span className="muted" title={b.at}>{b.at}</span>
                  <span className="muted">{duration(b.duration_ms)}</span>
                  <BatchTally batch={b} />
                </button>
              </li>
            ))}
          </ul>
        )}
      </details>
      {batch && (
        <BatchFlow
          chosen={batch}
          profiles={profiles}
          preset={preset ?? undefined}
          onClose={(ran) => {
            setBatch(null);
            setPreset(null);
            if (ran) {
              refresh();
              loadBatches();
              onChanged?.();
            }
          }}
        />
      )}
      {past && <BatchReportDialog report={past} onClose={() => setPast(null)} />}
    </section>
  );
}

/** How a past batch's databases ended, failures first to catch the eye. */
function BatchTally({ batch: b }: { batch: BatchSummaryView }) {
  const parts: [number, string][] = [
    [b.failed, "failed"],
    [b.cancelled, "cancelled"],
    [b.skipped, "skipped"],
    [b.succeeded, "succeeded"],
    [b.up_to_date, "up to date"],
    [b.pending, "not run"],
  ];
  return (
    <span className="batch-tally" data-testid={`batch-tally-${b.id}`}>
      <span className="muted">{plural(b.databases, "database")}:</span>{" "}
      {parts
        .filter(([n]) => n > 0)
        .map(([n, word], i) => (
          <span key={word}>
            {i > 0 && ", "}
            <span className={resultClass(word)}>
              {n} {word}
            </span>
          </span>
        ))}
    </span>
  );
}

/**
 * A batch that never finished: what ran, what did not, and the way to run the rest (a new batch,
 * same operation and target, the databases not run chosen).
 */
function InterruptedBatch({ report: r, onRunRest, onOpen }: { report: BatchReportView; onRunRest: () => void; onOpen: () => void }) {
  const left = r.items.filter((i) => i.result === "pending").length;
  const finished = r.items.length - left;
  return (
    <div className="banner warn batch-interrupted" role="alert" data-testid={`batch-interrupted-${r.batch.id}`}>
      <strong>
        Batch #{r.batch.id} ({r.batch.operation} to {r.batch.target}) was interrupted: {finished} of {plural(r.items.length, "database")} finished; {left} not run.
      </strong>{" "}
      <span>Started {r.batch.at} by {r.batch.who}; its app or command line was closed or killed (if it is still running in another window or terminal, let it finish instead).</span>
      <ul className="batch-interrupted-lines">
        {r.items.map((i) => (
          <li key={i.position} data-testid={`batch-interrupted-${r.batch.id}-${i.position}`} data-result={i.result}>
            {i.position + 1}. {i.profile_name}
            {i.client && <span className="muted"> ({i.client})</span>}:{" "}
            <span className={i.result === "pending" ? "warn-text strong" : resultClass(i.result)}>{i.result === "pending" ? "not run" : i.result}</span>
            {i.message && <span className="muted"> — {i.message}</span>}
          </li>
        ))}
      </ul>
      <div className="sql-actions">
        <button className="primary small" data-testid={`batch-run-rest-${r.batch.id}`} onClick={onRunRest} title={`A new batch: ${r.batch.operation} to ${r.batch.target} on the ${plural(left, "database")} not run, with its backups, checks and confirmation`}>
          Run the rest…
        </button>
        <button className="small" data-testid={`batch-interrupted-report-${r.batch.id}`} onClick={onOpen}>
          Report
        </button>
      </div>
    </div>
  );
}

type RowProps = {
  row: FleetRow;
  top: number;
  index: number;
  drift: DriftCheck | null;
  checking: boolean;
  checkup: CheckupRecord | null;
  checkingUp: boolean;
  stale: boolean;
  /** A reading is under way (else a row not read yet says so). */
  readingNow: boolean;
  chosen: boolean;
  onToggle: () => void;
  onOpen: () => void;
};

function Row({ row: r, top, index, drift, checking, checkup, checkingUp, stale, readingNow, chosen, onToggle, onOpen }: RowProps) {
  const s: StateText = r.state === READING && !readingNow ? { dot: "unknown", label: "Not read yet", text: "Not read yet", detail: "Refresh to read it" } : stateText(r);
  const db = splitDatabase(r.database);
  const readable = r.state === "up_to_date" || r.state === "pending" || r.state === "unknown_rows";
  const production = r.environment === "production";
  const age = r.last_backup?.age_seconds ?? null;
  const oldBackup = age === null ? production : age > STALE_BACKUP_SECONDS;
  const op = r.last_operation;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={chosen}
      data-testid={`fleet-row-${r.profile_id}`}
      data-state={r.state}
      className={`fleet-row ${chosen ? "chosen" : ""} ${stale ? "stale" : ""}`}
      style={{ transform: `translateY(${top}px)`, height: FLEET_ROW }}
    >
      <div role="cell" className="fleet-cell fleet-check">
        <input type="checkbox" data-testid={`fleet-select-${r.profile_id}`} checked={chosen} onChange={onToggle} aria-label={`Choose ${r.name}`} />
      </div>
      <div role="cell" className="fleet-cell two">
        <button className="link fleet-name" data-testid={`fleet-open-${r.profile_id}`} onClick={onOpen} title={`Open ${r.name}`}>
          {r.name}
        </button>
        <span className="sub">
          <span className={`env-tag env-${r.environment}`}>{r.environment}</span>
          <span className="muted ellipsis" title={[r.client, r.tags.length ? `tags: ${r.tags.join(", ")}` : ""].filter(Boolean).join("\n") || undefined}>
            {r.client || "No client"}
            {r.tags.length > 0 && <span className="fleet-tags"> · {r.tags.join(", ")}</span>}
          </span>
        </span>
      </div>
      <div role="cell" className="fleet-cell two" title={r.database}>
        <span className="ellipsis">{db.name}</span>
        {db.where && <span className="sub muted"><span className="ellipsis">{db.where}</span></span>}
      </div>
      <div role="cell" className="fleet-cell two" title={s.title} data-testid={`fleet-state-${r.profile_id}`}>
        <span className="fleet-state">
          {r.state === READING && readingNow ? <span className="spinner" aria-hidden /> : <span className={`dot dot-${s.dot}`} aria-hidden />}
          <span className={`ellipsis state-${r.state}`}>{s.detail ? `${s.label}: ` : s.label}</span>
        </span>
        {s.detail && <span className="sub muted state-detail"><span className="ellipsis">{s.detail}</span></span>}
      </div>
      <div role="cell" className="fleet-cell two">
        {readable ? (
          <>
            <code className="ellipsis" title={rowsWords(r.rows)}>{rowsWords(r.rows)}</code>
            <span className="sub">
              {r.several_heads && <span className="badge merge" title="The database records several heads: branches applied side by side">several heads</span>}
              {r.project_heads > 1 && <span className="badge warn" title="The project has several heads: a merge revision joins them">{r.project_heads} heads in project</span>}
            </span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </div>
      <div role="cell" className="fleet-cell num" data-testid={`fleet-pending-${r.profile_id}`}>
        {readable ? <span className={r.pending.length > 0 ? "warn-text strong" : "muted"}>{r.pending.length}</span> : <span className="muted">—</span>}
      </div>
      <div role="cell" className="fleet-cell" data-testid={`fleet-drift-${r.profile_id}`}>
        {checking ? (
          <span className="fleet-state muted"><span className="spinner" aria-hidden /> checking…</span>
        ) : !drift ? (
          <span className="muted">not checked</span>
        ) : drift.differences < 0 ? (
          <span className="error-text" title={`${drift.summary}\nchecked ${drift.at}`}>check failed</span>
        ) : drift.differences === 0 ? (
          <span className="ok-text" title={`checked ${drift.at}`}>no drift</span>
        ) : (
          <span className="warn-text" title={`${drift.summary}\nchecked ${drift.at}`}>{plural(drift.differences, "difference")}</span>
        )}
      </div>
      <div role="cell" className="fleet-cell" data-testid={`fleet-checkup-${r.profile_id}`}>
        {checkingUp ? (
          <span className="fleet-state muted"><span className="spinner" aria-hidden /> checking…</span>
        ) : !checkup ? (
          <span className="muted" title="No check-up yet">—</span>
        ) : (
          <span className={CHECKUP_CLASS[checkup.verdict] ?? ""} title={[checkup.summary, `checked ${checkup.at}`].filter(Boolean).join("\n")}>
            <span aria-hidden="true">{VERDICT_MARK[checkup.verdict] ?? ""}</span> {checkup.verdict}
          </span>
        )}
      </div>
      <div
        role="cell"
        className="fleet-cell"
        data-testid={`fleet-backup-${r.profile_id}`}
        data-old={oldBackup}
        title={
          age === null
            ? production ? "No backup yet of this production database" : "No backup yet"
            : `${r.last_backup?.at}${oldBackup ? "\nOlder than 7 days" : ""}`
        }
      >
        {r.state === READING ? <span className="muted">…</span> : <span className={oldBackup ? "warn-text strong" : ""}>{age === null ? "never" : ageWords(age)}</span>}
      </div>
      <div role="cell" className="fleet-cell two" data-testid={`fleet-operation-${r.profile_id}`} title={op ? [`${op.operation} ${op.target}: ${op.result}`, op.message, op.at].filter(Boolean).join("\n") : undefined}>
        {op ? (
          <>
            <span className="ellipsis">{op.operation} {op.target}</span>
            <span className="sub">
              <span className={resultClass(op.result)}>{op.result}</span>
              <span className="muted">{when(op.at)}</span>
            </span>
          </>
        ) : (
          <span className="muted">{r.state === READING ? "…" : "none yet"}</span>
        )}
      </div>
    </div>
  );
}
