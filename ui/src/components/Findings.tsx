import type { FindingView } from "../bindings";

/** Safety-check findings, blocking first; each says what, where, and why it matters. */
export function Findings({ findings, testId }: { findings: FindingView[]; testId?: string }) {
  if (findings.length === 0) return null;
  const sorted = [...findings].sort((a, b) => Number(b.blocks) - Number(a.blocks));
  return (
    <ul className="findings" data-testid={testId}>
      {sorted.map((f, i) => (
        <li key={i} className={f.blocks ? "blocking" : f.acknowledged ? "acknowledged" : "warning"}>
          <strong>{f.blocks ? "Blocking" : f.acknowledged ? "Acknowledged" : "Warning"}</strong> <code>{f.rule}</code> in <code>{f.revision}</code>, line {f.line}: {f.message}
          <span className="why">{f.acknowledged ? `Reason given: ${f.acknowledged}` : f.why}</span>
        </li>
      ))}
    </ul>
  );
}
