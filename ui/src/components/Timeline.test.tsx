import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { Timeline } from "./Timeline";
import type { ProfileView, RevisionRow, TimelineView } from "../bindings";

const commands = vi.hoisted(() => ({ pendingFindings: vi.fn(), revisionDetail: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));
const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });

const profile: ProfileView = { id: 2, name: "Neutron", client: "", environment: "development", database: "db", url: "postgresql://db/db", engine: "postgres", project_dir: "/p", auto_backup: false, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: false, maintenance_window: "" };
const message = "add the phone column\nto users, for the new login";
const row: RevisionRow = {
  revision: "1b4c6e320f79", message, created: "2025-02-05 10:35:00", file: "versions/1b4c6e320f79_phone.py", down_revisions: [], labels: [],
  lane: 0, top: [], bottom: [], is_head: true, is_merge_point: false, is_branch_point: false, applied: false, current: false,
};
const view: TimelineView = { profile, format: "alembic", rows: [row], lanes: 1, heads: [row.revision], database: { state: "reachable", rows: [], pending: [row.revision], server: "PostgreSQL 16", interrupted: null } };

// The list is virtualised and jsdom lays nothing out: give the scroller a size.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
});

test("a multi-line message is one line in the list and wrapped in the detail, which shows the Python file or its SQL", async () => {
  commands.pendingFindings.mockReturnValue(ok([]));
  commands.revisionDetail.mockReturnValue(
    ok({ revision: row.revision, upgrade_sql: "ALTER TABLE users ADD COLUMN phone VARCHAR(50);", downgrade_sql: "ALTER TABLE users DROP COLUMN phone;", dialect: "postgresql", python: "def upgrade() -> None:\n    op.add_column('users', sa.Column('phone', sa.String(50)))\n", note: "Rendered by Alembic's offline mode (--sql)." }),
  );
  render(<Timeline view={view} onOperation={() => {}} />);
  const item = await screen.findByTestId("revision-1b4c6e320f79");
  expect(item.querySelector(".rev-message")?.textContent).toBe("add the phone column to users, for the new login");
  fireEvent.click(item);
  expect(await screen.findByTestId("detail-note")).toHaveTextContent("Rendered by Alembic's offline mode");
  expect(screen.getByTestId("detail-message").textContent).toBe(message);
  // SQL first when there is some; the Python file on request, highlighted as Python.
  expect(screen.getByTestId("detail-sql")).toHaveAttribute("aria-pressed", "true");
  expect(document.querySelector(".detail pre.sql")?.textContent).toBe("ALTER TABLE users ADD COLUMN phone VARCHAR(50);");
  fireEvent.click(screen.getByTestId("detail-python"));
  const code = screen.getByTestId("detail-python-code");
  expect(code).toHaveTextContent("op.add_column('users'");
  expect(code.querySelector(".hljs-keyword")?.textContent).toBe("def");
  expect(screen.queryByText("Downgrade SQL")).not.toBeInTheDocument();
});

test("without SQL to show, the Python file comes first and the note says why", async () => {
  commands.pendingFindings.mockReturnValue(ok([]));
  commands.revisionDetail.mockReturnValue(
    ok({ revision: row.revision, upgrade_sql: "", downgrade_sql: "", dialect: "postgresql", python: "def upgrade():\n    conn = op.get_bind()\n", note: "No SQL: the revision reads the database (op.get_bind), which offline mode cannot do." }),
  );
  render(<Timeline view={view} onOperation={() => {}} />);
  fireEvent.click(await screen.findByTestId("revision-1b4c6e320f79"));
  expect(await screen.findByTestId("detail-python-code")).toHaveTextContent("op.get_bind()");
  expect(screen.getByTestId("detail-note")).toHaveTextContent("offline mode cannot do");
  fireEvent.click(screen.getByTestId("detail-sql"));
  expect(screen.getAllByText("-- nothing to run")).toHaveLength(2);
});

test("rows show what the view says now: applied after an upgrade, and the findings that arrive after the list", async () => {
  commands.pendingFindings.mockReturnValue(ok([{ revision: row.revision, file: row.file, line: 3, rule: "add-column-not-null", severity: "blocking", message: "adds a NOT NULL column to users", why: "it fails on a table with rows", acknowledged: null, blocks: true }]));
  const { rerender } = render(<Timeline view={view} onOperation={() => {}} />);
  const item = await screen.findByTestId("revision-1b4c6e320f79");
  expect(await screen.findByText("blocking")).toBeInTheDocument();
  expect(item).toHaveTextContent("pending");
  commands.pendingFindings.mockReturnValue(ok([]));
  const applied = { ...row, applied: true, current: true };
  rerender(<Timeline view={{ ...view, rows: [applied], database: { ...view.database, state: "reachable", rows: [row.revision], pending: [], server: "PostgreSQL 16", interrupted: null } }} onOperation={() => {}} />);
  const now = await screen.findByTestId("revision-1b4c6e320f79");
  expect(now).toHaveTextContent("database is here");
  expect(now).not.toHaveTextContent("pending");
  expect(screen.queryByText("blocking")).not.toBeInTheDocument();
});
