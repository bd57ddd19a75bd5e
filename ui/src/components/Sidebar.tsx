import type { ProfileView, TimelineView } from "../bindings";

type Props = {
  profiles: ProfileView[];
  selected: number | null;
  onSelect: (id: number) => void;
  timeline: TimelineView | null;
};

const SHORT_ENV: Record<string, string> = { development: "dev", staging: "staging", production: "prod" };

function statusOf(p: ProfileView, t: TimelineView | null): { cls: string; label: string } {
  if (!t || t.profile.id !== p.id) return { cls: "unknown", label: "not checked yet" };
  if (t.database.state === "unreachable") return { cls: "down", label: "unreachable" };
  if (t.database.rows.length > 1) return { cls: "heads", label: "several heads" };
  if (t.database.pending.length > 0) return { cls: "pending", label: `${t.database.pending.length} pending` };
  return { cls: "ok", label: "up to date" };
}

export function Sidebar({ profiles, selected, onSelect, timeline }: Props) {
  const groups = new Map<string, ProfileView[]>();
  for (const p of profiles) {
    const key = p.client || "No client";
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return (
    <aside className="sidebar">
      <div className="brand">Stratum</div>
      {[...groups.entries()].map(([client, ps]) => (
        <section key={client}>
          <h3>{client}</h3>
          <ul>
            {ps.map((p) => {
              const s = statusOf(p, timeline);
              return (
                <li key={p.id}>
                  <button
                    className={`profile ${p.id === selected ? "selected" : ""}`}
                    onClick={() => onSelect(p.id)}
                    data-testid={`profile-${p.id}`}
                  >
                    <span className={`dot dot-${s.cls}`} title={s.label} aria-label={s.label} />
                    <span className="name">{p.name}</span>
                    <span className={`env-tag env-${p.environment}`}>{SHORT_ENV[p.environment] ?? p.environment}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </aside>
  );
}
