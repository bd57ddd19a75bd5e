import type { FleetStatus, ProfileView } from "../bindings";
import { stateText } from "./format";

type Props = {
  profiles: ProfileView[];
  selected: number | null;
  onSelect: (id: number) => void;
  statuses: FleetStatus[];
  onNew: () => void;
  /** "Add databases from a server…". */
  onDiscover?: () => void;
  /** "Export profiles…": every profile to a file, without passwords. */
  onExportProfiles?: () => void;
  /** "Import profiles…": the profiles of such a file. */
  onImportProfiles?: () => void;
  /** The fleet view is shown (no profile is highlighted then). */
  fleet?: boolean;
  onFleet?: () => void;
};

const SHORT_ENV: Record<string, string> = { development: "dev", staging: "staging", production: "prod" };

/** The dot beside a profile, in the fleet view's words. */
function statusOf(p: ProfileView, statuses: FleetStatus[]): { cls: string; label: string } {
  const s = statuses.find((x) => x.profile_id === p.id);
  if (!s) return { cls: "unknown", label: "Not checked yet" };
  if (s.several_heads) return { cls: "heads", label: `Several heads: at ${s.rows.join(", ")}` };
  const said = stateText(s);
  return { cls: said.dot, label: said.text };
}

export function Sidebar({ profiles, selected, onSelect, statuses, onNew, onDiscover, onExportProfiles, onImportProfiles, fleet = false, onFleet }: Props) {
  const groups = new Map<string, ProfileView[]>();
  for (const p of profiles) {
    const key = p.client || "No client";
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return (
    <aside className="sidebar">
      <div className="brand">
        Stratum
        <button className="small" data-testid="new-profile" onClick={onNew} title="New profile">+ Profile</button>
      </div>
      {onDiscover && (
        <button className="link discover-open" data-testid="open-discover" onClick={onDiscover} title="List a server's databases and add the ones you tick as profiles, in one go">
          Add databases from a server…
        </button>
      )}
      {(onExportProfiles || onImportProfiles) && (
        <div className="profiles-file">
          {onExportProfiles && (
            <button className="link" data-testid="export-profiles" onClick={onExportProfiles} title="Write every profile to a file, without passwords, to bring them to another computer">
              Export profiles…
            </button>
          )}
          {onImportProfiles && (
            <button className="link" data-testid="import-profiles" onClick={onImportProfiles} title="Add the profiles of a file exported by Stratum; those whose name is taken here are skipped">
              Import profiles…
            </button>
          )}
        </div>
      )}
      {onFleet && (
        <button
          className={`fleet-open ${fleet ? "selected" : ""}`}
          data-testid="open-fleet"
          aria-pressed={fleet}
          onClick={onFleet}
          title="Every database at once: which are behind, failed or drifted; upgrade several in one batch (Ctrl+Shift+F)"
        >
          Fleet
          <span className="count" data-testid="fleet-count">{profiles.length}</span>
        </button>
      )}
      {[...groups.entries()].map(([client, ps]) => (
        <section key={client}>
          <h3>{client}</h3>
          <ul>
            {ps.map((p) => {
              const s = statusOf(p, statuses);
              return (
                <li key={p.id}>
                  <button
                    className={`profile ${!fleet && p.id === selected ? "selected" : ""}`}
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
