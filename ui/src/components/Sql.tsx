import hljs from "highlight.js/lib/core";
import sql from "highlight.js/lib/languages/sql";

hljs.registerLanguage("sql", sql);

/** SQL with syntax highlighting; highlight.js escapes the text it wraps in spans. */
export function Sql({ code, className = "", testId }: { code: string; className?: string; testId?: string }) {
  const html = hljs.highlight(code, { language: "sql", ignoreIllegals: true }).value;
  return <pre className={`sql ${className}`} data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
