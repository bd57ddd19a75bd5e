import type { RevisionRow } from "../bindings";

export const ROW_HEIGHT = 44;
const LANE = 16;
const PAD = 10;
const COLORS = ["#4c6ef5", "#12b886", "#f08c00", "#ae3ec9", "#e03131", "#1098ad"];

export function lanesWidth(lanes: number) {
  return PAD * 2 + Math.max(lanes, 1) * LANE;
}

/** One row of the revision graph: lines in from above, the node, lines out below. */
export function Lanes({ row, lanes }: { row: RevisionRow; lanes: number }) {
  const x = (l: number) => PAD + l * LANE + LANE / 2;
  const mid = ROW_HEIGHT / 2;
  const color = (l: number) => COLORS[l % COLORS.length];
  return (
    <svg width={lanesWidth(lanes)} height={ROW_HEIGHT} aria-hidden="true" className="lanes">
      {row.top.map((s, i) => (
        <path key={`t${i}`} d={`M${x(s.from)} 0 C ${x(s.from)} ${mid / 2}, ${x(s.to)} ${mid / 2}, ${x(s.to)} ${mid}`} stroke={color(s.from)} fill="none" strokeWidth={2} />
      ))}
      {row.bottom.map((s, i) => (
        <path key={`b${i}`} d={`M${x(s.from)} ${mid} C ${x(s.from)} ${mid * 1.5}, ${x(s.to)} ${mid * 1.5}, ${x(s.to)} ${ROW_HEIGHT}`} stroke={color(s.to)} fill="none" strokeWidth={2} />
      ))}
      {row.is_merge_point ? (
        <rect x={x(row.lane) - 6} y={mid - 6} width={12} height={12} transform={`rotate(45 ${x(row.lane)} ${mid})`} className={row.applied ? "node applied" : "node pending"} style={{ stroke: color(row.lane) }} />
      ) : (
        <circle cx={x(row.lane)} cy={mid} r={6} className={row.applied ? "node applied" : "node pending"} style={{ stroke: color(row.lane) }} />
      )}
    </svg>
  );
}
