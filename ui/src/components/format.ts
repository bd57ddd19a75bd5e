// Small wording helpers shared by the fleet view and the batch dialog.
import type { FleetStatus } from "../bindings";

/** A profile not read yet: shown from what the profile says until its database answers. */
export const READING = "reading";

/** A fleet line as the window holds it: the engine's status, or [`READING`] until the database answers. */
export type FleetRow = Omit<FleetStatus, "state"> & { state: FleetStatus["state"] | typeof READING };

/** An age in words: "just now", "12 min ago", "3 h ago", "5 d ago", "4 mo ago", "2 y ago". */
export function ageWords(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86400);
  if (days < 60) return `${days} d ago`;
  if (days < 730) return `${Math.floor(days / 30)} mo ago`;
  return `${Math.floor(days / 365)} y ago`;
}

/** Seconds since a store timestamp ("YYYY-MM-DD HH:MM:SS", local time), or null when unreadable. */
export function secondsSince(at: string, now: number = Date.now()): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(at);
  if (!m) return null;
  const t = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]).getTime();
  return Number.isNaN(t) ? null : (now - t) / 1000;
}

/** "when" for a timestamp: its age in words, or the timestamp itself when it cannot be read. */
export function when(at: string): string {
  const s = secondsSince(at);
  return s === null ? at : ageWords(s);
}

/** A duration in words: "850 ms", "12.3 s", "2 min 5 s", "1 h 4 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m} min ${whole % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Version rows in words: "004, 7f3a" or "base". */
export function rowsWords(rows: string[]): string {
  return rows.length === 0 ? "base" : rows.join(", ");
}

/** Version rows as the store keeps them in a backup or a batch's report ("004,7f3a"; "" is base). */
export function storedRows(stored: string): string[] {
  return stored.split(",").filter((r) => r !== "");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A check-up verdict's mark, shown beside its word so that it reads without colour too. */
export const VERDICT_MARK: Record<string, string> = { passed: "✓", warning: "!", failed: "✗" };

/** A CSS-friendly name for a result word ("up to date" → "up-to-date"). */
export function resultClass(result: string): string {
  return `result-${result.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

export type StateText = {
  dot: string;
  /** On one line: "Unreachable: connection refused". */
  text: string;
  /** The first words alone ("Unreachable"), for a cell that puts the reason below. */
  label: string;
  /** Why, when there is a reason to give. */
  detail?: string;
  title?: string;
};

/** Where a database stands, in words, with the colour of its dot. */
export function stateText(r: FleetRow): StateText {
  const extra = [r.reason, r.server].filter(Boolean).join("\n") || undefined;
  const said = (dot: string, label: string, detail: string | null | undefined, title?: string): StateText => ({
    dot, label, text: detail ? `${label}: ${detail}` : label, detail: detail ?? undefined, title: title ?? (detail || undefined),
  });
  switch (r.state) {
    case "up_to_date":
      return said("ok", "Up to date", null, extra);
    case "pending":
      return said("pending", `${r.pending.length} pending`, null, [`Pending: ${r.pending.join(", ")}`, extra].filter(Boolean).join("\n"));
    case "unreachable":
      return said("unreachable", "Unreachable", r.reason ?? "no answer");
    case "invalid":
      return said("invalid", "Invalid", r.reason ?? "the profile or its project cannot be read");
    case "interrupted":
      return said("invalid", "Interrupted", r.reason ?? "a revision was left half-done: open the database to resume it");
    case "unknown_rows":
      return { dot: "heads", label: "Unknown rows", text: "Unknown rows", detail: r.reason ?? undefined, title: r.reason ?? "The version table names a revision the project does not have" };
    case READING:
      return said("unknown", "Reading…", null);
    default:
      return said("unknown", r.state, null, extra);
  }
}

/** A database as profiles show it ("postgresql erp@db/acme_erp"): its name, and where it is. */
export function splitDatabase(d: string): { name: string; where: string } {
  const i = d.lastIndexOf("/");
  if (i < 0 || i === d.length - 1) return { name: d, where: "" };
  return { name: d.slice(i + 1), where: d.slice(0, i) };
}
