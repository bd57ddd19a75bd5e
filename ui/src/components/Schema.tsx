import { useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import dagre from "@dagrejs/dagre";
import type { Difference, Drift, Origin, ProfileView, SchemaView, Table } from "../bindings";
import { call, commands, messageOf } from "../api";

const key = (t: Table) => `${t.schema}.${t.name}`;

/** The profile's database: a searchable table list, a table's details and neighbours, the tenant audit, drift. */
export function Schema({ profile, profiles }: { profile: ProfileView; profiles: ProfileView[] }) {
  const [view, setView] = useState<SchemaView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [drift, setDrift] = useState<Drift | null>(null);
  const [driftBusy, setDriftBusy] = useState(false);
  const [driftError, setDriftError] = useState<string | null>(null);
  const list = useRef<HTMLDivElement>(null);
  const others = profiles.filter((p) => p.id !== profile.id);
  const [other, setOther] = useState<number | null>(null);
  const [diff, setDiff] = useState<{ with: string; differences: Difference[] } | null>(null);
  const [diffBusy, setDiffBusy] = useState(false);

  useEffect(() => {
    call(commands.databaseSchema(profile.id))
      .then((v) => {
        setView(v);
        setSelected((cur) => cur ?? (v.schema.tables[0] ? key(v.schema.tables[0]) : null));
      })
      .catch((e) => setError(messageOf(e)));
  }, [profile.id]);

  const tables = useMemo(() => {
    const q = query.trim().toLowerCase();
    const all = view?.schema.tables ?? [];
    return q ? all.filter((t) => t.name.toLowerCase().includes(q) || t.columns.some((c) => c.name.toLowerCase().includes(q))) : all;
  }, [view, query]);
  const virtual = useVirtualizer({ count: tables.length, getScrollElement: () => list.current, estimateSize: () => 30, overscan: 10 });
  const table = view?.schema.tables.find((t) => key(t) === selected) ?? null;
  // With several schemas (PostgreSQL), names are shown qualified.
  const qualified = new Set(view?.schema.tables.map((t) => t.schema) ?? []).size > 1;
  const auditByTable = useMemo(() => {
    const m = new Map<string, number>();
    for (const f of view?.audit ?? []) m.set(f.table, (m.get(f.table) ?? 0) + 1);
    return m;
  }, [view]);

  const checkDrift = () => {
    setDriftBusy(true);
    setDriftError(null);
    call(commands.schemaDrift(profile.id))
      .then(setDrift)
      .catch((e) => setDriftError(messageOf(e)))
      .finally(() => setDriftBusy(false));
  };

  const compare = () => {
    const target = others.find((p) => p.id === (other ?? others[0]?.id));
    if (!target) return;
    setDiffBusy(true);
    setDriftError(null);
    call(commands.schemaDiff(profile.id, target.id))
      .then((d) => setDiff({ with: target.name, differences: d }))
      .catch((e) => setDriftError(messageOf(e)))
      .finally(() => setDiffBusy(false));
  };

  if (error) return <div className="banner error" role="alert">{error}</div>;
  if (!view) return <p className="muted pad">Reading the catalog…</p>;
  if (view.schema.tables.length === 0)
    return <div className="empty"><h2>The database has no tables yet</h2><p>Upgrade it from the Timeline to create them.</p></div>;

  return (
    <div className="schema" data-testid="schema">
      <aside className="schema-list">
        <input className="search" placeholder={`Search ${view.schema.tables.length} tables and their columns`} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="schema-search" />
        <div className="schema-tables" ref={list}>
          <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
            {virtual.getVirtualItems().map((item) => {
              const t = tables[item.index];
              const k = key(t);
              const n = auditByTable.get(k) ?? 0;
              return (
                <button
                  key={k}
                  className={`schema-table ${k === selected ? "selected" : ""}`}
                  style={{ transform: `translateY(${item.start}px)` }}
                  data-testid={`schema-table-${t.name}`}
                  onClick={() => setSelected(k)}
                >
                  <span className="name">{qualified ? `${t.schema}.${t.name}` : t.name}</span>
                  {n > 0 && <span className="badge warn" title={`${n} tenant audit finding(s)`}>{n}</span>}
                </button>
              );
            })}
          </div>
        </div>
        <p className="muted small-print">
          {view.schema.tables.length} tables, {view.schema.views.length} views, {view.schema.sequences.length} sequences, {view.schema.enums.length} enum types; read in {view.millis} ms.
        </p>
      </aside>
      <section className="schema-detail">
        <div className="schema-tools">
          <button data-testid="check-drift" disabled={driftBusy} onClick={checkDrift} title="Build what the revisions produce at the database's rows on a scratch database and compare">
            {driftBusy ? "Comparing…" : "Check drift"}
          </button>
          {others.length > 0 && (
            <span className="compare">
              <select aria-label="Profile to compare with" value={other ?? others[0]?.id} onChange={(e) => setOther(Number(e.target.value))}>
                {others.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
              </select>
              <button data-testid="compare-schema" disabled={diffBusy} onClick={compare}>{diffBusy ? "Comparing…" : "Compare"}</button>
            </span>
          )}
          <details className="audit" data-testid="tenant-audit">
            <summary>Tenant audit: {view.audit.length} finding(s)</summary>
            <ul>{view.audit.map((f, i) => <li key={i}><span className="badge">{f.rule}</span> {f.message}</li>)}</ul>
          </details>
        </div>
        {driftError && <div className="banner error" role="alert">{driftError}</div>}
        {drift && <DriftResult drift={drift} />}
        {diff && (
          <div className={`banner ${diff.differences.length ? "warn" : "ok"}`} data-testid="diff-result">
            {diff.differences.length === 0 ? (
              `${profile.name} and ${diff.with} have the same schema.`
            ) : (
              <>
                <strong>{diff.differences.length} difference(s) between {profile.name} and {diff.with}:</strong>
                <ul>{diff.differences.map((d, i) => <li key={i}>{d.message}</li>)}</ul>
              </>
            )}
          </div>
        )}
        {table && <TableView table={table} schema={view} onSelect={setSelected} />}
      </section>
    </div>
  );
}

function DriftResult({ drift }: { drift: Drift }) {
  const at = drift.rows.join(", ") || "base";
  if (drift.differences.length === 0)
    return <div className="banner ok" data-testid="drift-result">No drift: the database is exactly what its revisions produce at {at}.</div>;
  return (
    <div className="banner error" data-testid="drift-result">
      <strong>{drift.differences.length} difference(s) from what the revisions produce at {at}:</strong>
      <ul>{drift.differences.map((d: Difference, i: number) => <li key={i}>{d.message}</li>)}</ul>
    </div>
  );
}

function origin(o: Origin | undefined): string {
  if (!o) return "not from the revisions";
  return o.created === o.last_changed ? o.created : `${o.created}, changed in ${o.last_changed}`;
}

function TableView({ table, schema, onSelect }: { table: Table; schema: SchemaView; onSelect: (k: string) => void }) {
  const t = table.name.toLowerCase();
  const prov = schema.provenance;
  const incoming = schema.schema.tables.flatMap((t) => t.foreign_keys.filter((f) => f.ref_table === table.name && (f.ref_schema === table.schema || f.ref_schema === "")).map((f) => ({ from: t, fk: f })));
  return (
    <div className="table-view" data-testid="table-view">
      <h2>{table.schema}.{table.name}</h2>
      <p data-testid="table-provenance">
        {prov.tables[t] ? <>Created by revision <code>{prov.tables[t]?.created}</code>, last changed by <code>{prov.tables[t]?.last_changed}</code>.</> : "Not created by any revision of this project."}
      </p>
      <p className="muted">
        {table.row_estimate !== null ? `~${table.row_estimate} rows` : "row count not estimated"}
        {table.size_bytes !== null ? `, ${Math.round(table.size_bytes / 1024)} KiB` : ""}
        {table.primary_key ? `; primary key (${table.primary_key.columns.join(", ")})` : "; no primary key"}
      </p>
      <table className="history">
        <thead><tr><th>Column</th><th>Type</th><th>Null</th><th>Default</th><th>Revision</th></tr></thead>
        <tbody>
          {table.columns.map((c) => (
            <tr key={c.name}>
              <td><code>{c.name}</code></td>
              <td>{c.data_type}{c.identity ? ` (${c.identity})` : ""}</td>
              <td>{c.nullable ? "yes" : "no"}</td>
              <td><code>{c.default ?? ""}</code></td>
              <td className="muted">{origin(prov.columns[`${t}.${c.name.toLowerCase()}`])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Foreign keys</h3>
      <ul className="fk-list" data-testid="foreign-keys">
        {table.foreign_keys.map((f) => (
          <li key={f.name}>
            <code>({f.columns.join(", ")})</code> → <button className="link" onClick={() => onSelect(`${f.ref_schema || table.schema}.${f.ref_table}`)}>{f.ref_table}</button> <code>({f.ref_columns.join(", ")})</code>{" "}
            <span className={`badge ${f.on_delete === "CASCADE" ? "warn" : ""}`}>ON DELETE {f.on_delete}</span>
          </li>
        ))}
        {incoming.map(({ from, fk }) => (
          <li key={`${from.name}.${fk.name}`}>
            <button className="link" onClick={() => onSelect(key(from))}>{from.name}</button> <code>({fk.columns.join(", ")})</code> → this table{" "}
            <span className={`badge ${fk.on_delete === "CASCADE" ? "warn" : ""}`}>ON DELETE {fk.on_delete}</span>
          </li>
        ))}
        {table.foreign_keys.length + incoming.length === 0 && <li className="muted">none, in or out</li>}
      </ul>
      <h3>Indexes and keys</h3>
      <ul className="fk-list">
        {table.indexes.map((i) => (
          <li key={i.name}>
            <code>{i.name}</code> {i.unique ? "unique " : ""}{i.method} ({i.columns.join(", ")}){i.predicate ? ` WHERE ${i.predicate}` : ""}
            {prov.indexes[i.name.toLowerCase()] && <span className="muted"> · revision {origin(prov.indexes[i.name.toLowerCase()])}</span>}
          </li>
        ))}
        {table.unique_keys.map((k) => <li key={k.name}>unique key <code>{k.name}</code> ({k.columns.join(", ")})</li>)}
      </ul>
      <h3>Neighbours</h3>
      <Er table={table} schema={schema} onSelect={onSelect} />
    </div>
  );
}

/** The table and the tables its foreign keys join, laid out by dagre. */
function Er({ table, schema, onSelect }: { table: Table; schema: SchemaView; onSelect: (k: string) => void }) {
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 60, marginx: 8, marginy: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    const byName = new Map(schema.schema.tables.map((t) => [t.name, t]));
    const names = new Set<string>([table.name]);
    for (const f of table.foreign_keys) names.add(f.ref_table);
    for (const t of schema.schema.tables) if (t.foreign_keys.some((f) => f.ref_table === table.name)) names.add(t.name);
    for (const n of names) g.setNode(n, { width: Math.max(110, n.length * 8 + 24), height: 34 });
    const edges: [string, string, string][] = [];
    for (const n of names) {
      for (const f of byName.get(n)?.foreign_keys ?? []) {
        if (names.has(f.ref_table) && (n === table.name || f.ref_table === table.name)) {
          g.setEdge(n, f.ref_table);
          edges.push([n, f.ref_table, f.on_delete]);
        }
      }
    }
    dagre.layout(g);
    const graph = g.graph();
    return { g, edges, width: (graph.width ?? 300) + 16, height: (graph.height ?? 100) + 16 };
  }, [table, schema]);
  return (
    <svg className="er" data-testid="er-diagram" width={layout.width} height={layout.height} role="img" aria-label={`Tables joined to ${table.name}`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" className="er-arrow" /></marker>
      </defs>
      {layout.edges.map(([from, to, onDelete]) => {
        const e = layout.g.edge(from, to);
        if (!e?.points) return null;
        const d = e.points.map((p: { x: number; y: number }, i: number) => `${i === 0 ? "M" : "L"} ${p.x} ${p.y}`).join(" ");
        return <path key={`${from}-${to}`} d={d} className={`er-edge ${onDelete === "CASCADE" ? "cascade" : ""}`} markerEnd="url(#arrow)" />;
      })}
      {layout.g.nodes().map((n: string) => {
        const node = layout.g.node(n);
        if (!node) return null;
        return (
          <g key={n} className={`er-node ${n === table.name ? "current" : ""}`} transform={`translate(${node.x - node.width / 2}, ${node.y - node.height / 2})`} onClick={() => { const t = schema.schema.tables.find((x) => x.name === n); if (t) onSelect(key(t)); }}>
            <rect width={node.width} height={node.height} rx={6} />
            <text x={node.width / 2} y={node.height / 2 + 4} textAnchor="middle">{n}</text>
          </g>
        );
      })}
    </svg>
  );
}
