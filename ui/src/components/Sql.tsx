import hljs from "highlight.js/lib/core";
import sql from "highlight.js/lib/languages/sql";
import python from "highlight.js/lib/languages/python";

hljs.registerLanguage("sql", sql);
hljs.registerLanguage("python", python);

type CodeProps = { code: string; className?: string; testId?: string };

/** Code with syntax highlighting; highlight.js escapes the text it wraps in spans. */
export function Code({ code, language, className = "", testId }: CodeProps & { language: "sql" | "python" }) {
  const html = hljs.highlight(code, { language, ignoreIllegals: true }).value;
  return <pre className={`code ${language === "sql" ? "sql" : `lang-${language}`} ${className}`.trim()} data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** SQL with syntax highlighting. */
export function Sql(props: CodeProps) {
  return <Code {...props} language="sql" />;
}

/** A Python file (an Alembic revision) with syntax highlighting. */
export function Python(props: CodeProps) {
  return <Code {...props} language="python" />;
}
