import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { OperationFlow } from "./OperationFlow";
import type { PlanView, ProfileView, RunOutcome } from "../bindings";

const commands = vi.hoisted(() => ({ planOperation: vi.fn(), runOperation: vi.fn(), cancelOperation: vi.fn(), takeBackup: vi.fn(), restoreBackup: vi.fn(), dryRunOperation: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({ Channel: class { onmessage = () => {}; } }));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const prod: ProfileView = { id: 1, name: "Acme prod", client: "Acme", environment: "production", database: "postgresql erp@db/acme_erp", engine: "postgres", project_dir: "/p", auto_backup: false, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "" };
const plan: PlanView = {
  rows_before: ["003"],
  rows_after: ["004"],
  steps: [{ revision: "004", direction: "upgrade", from: ["003"], to: ["004"], message: "add invoices", rows_after: ["004"] }],
  sql: "CREATE TABLE invoice (id int);",
  findings: [],
} as PlanView;

test("a production upgrade runs only once the database name is typed", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  render(<OperationFlow profile={prod} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  expect(await screen.findByTestId("sql-preview")).toHaveTextContent("CREATE TABLE invoice");
  const run = screen.getByTestId("confirm-run");
  expect(run).toBeDisabled();
  fireEvent.change(screen.getByRole("textbox"), { target: { value: "acme" } });
  expect(run).toBeDisabled();
  fireEvent.change(screen.getByRole("textbox"), { target: { value: "acme_erp" } });
  expect(run).toBeEnabled();
});

test("a failure names the revision, the line, the database's message and says it was rolled back", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  const failed: RunOutcome = {
    succeeded: false, rows_before: ["003"], rows_after: ["003"], steps: 1, millis: 12,
    summary: "failed",
    failure: { revision: "004", file: "004_invoices.sql", line: 8, statement: "CREATE TABLE invoice (id int);", message: 'relation "invoice" already exists', rolled_back: true, committed: [], rows_now: ["003"] },
  } as RunOutcome;
  commands.runOperation.mockReturnValue(ok(failed));
  render(<OperationFlow profile={{ ...prod, environment: "staging" }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("confirm-run"));
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("Revision 004 failed at line 8 of 004_invoices.sql");
  expect(alert).toHaveTextContent('The database said: relation "invoice" already exists');
  expect(alert).toHaveTextContent("Everything was rolled back");
});

test("a profile that backs up first takes the backup, runs with it, and offers it back when the run fails", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  commands.takeBackup.mockReturnValue(ok({ id: 42, at: "2026-11-24 15:00:00", path: "/b/acme.dump", engine: "postgres", rows: ["003"], size: 2048, sha256: "ab", duration_ms: 30, tool_version: "pg_dump 15", reason: "before upgrade to heads", present: true }));
  const failed = {
    succeeded: false, rows_before: ["003"], rows_after: ["003"], steps: 1, millis: 12, summary: "failed",
    failure: { revision: "004", file: "004.sql", line: 3, statement: "ALTER TABLE x", message: "boom", rolled_back: false, committed: [], rows_now: ["003"] },
  } as RunOutcome;
  commands.runOperation.mockReturnValue(ok(failed));
  commands.restoreBackup.mockReturnValue(ok({ database: "acme", rows: ["003"], duration_ms: 50, safety_backup: null }));
  vi.spyOn(window, "confirm").mockReturnValue(true);
  render(<OperationFlow profile={{ ...prod, environment: "staging", auto_backup: true }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  expect(await screen.findByTestId("backup-step")).toHaveTextContent("A backup is taken first");
  fireEvent.click(screen.getByTestId("confirm-run"));
  fireEvent.click(await screen.findByTestId("restore-after-failure"));
  expect(commands.takeBackup).toHaveBeenCalledWith(1, "before upgrade to heads");
  expect(commands.runOperation.mock.lastCall?.[3]).toBe(42);
  expect(await screen.findByTestId("restored")).toHaveTextContent("back at 003");
  expect(commands.restoreBackup).toHaveBeenCalledWith(42, null);
});

test("a dry run says how it was done and what failed", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  commands.dryRunOperation.mockReturnValue(
    ok({ method: "ran inside one transaction on the database and rolled it back", succeeded: false, rows_after: ["003"], failure: { revision: "004", file: "004.sql", line: 8, statement: "CREATE TABLE invoice (id int);", message: "relation exists", rolled_back: true, committed: [], rows_now: ["003"] } }),
  );
  render(<OperationFlow profile={{ ...prod, environment: "staging" }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("dry-run"));
  const result = await screen.findByTestId("dry-run-result");
  expect(result).toHaveTextContent("The dry run failed at revision 004, line 8 of 004.sql");
  expect(result).toHaveTextContent("rolled it back");
});

test("a blocking finding is shown and holds the run until it is acknowledged", async () => {
  commands.planOperation.mockReturnValue(
    ok({
      ...plan,
      findings: [
        { revision: "004", file: "004.sql", line: 7, rule: "missing-tenant-filter", severity: "blocking", message: "UPDATE users does not filter on tenant_id/client_id", why: "It changes every tenant's rows.", acknowledged: null, blocks: true },
        { revision: "004", file: "004.sql", line: 2, rule: "cascade-delete", severity: "warning", message: "the foreign key deletes rows ON DELETE CASCADE", why: "Children go with the parent.", acknowledged: null, blocks: false },
      ],
    }),
  );
  render(<OperationFlow profile={{ ...prod, environment: "staging" }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  const list = await screen.findByTestId("plan-findings");
  expect(list).toHaveTextContent("Blocking missing-tenant-filter in 004, line 7: UPDATE users does not filter on tenant_id/client_id");
  expect(list).toHaveTextContent("Warning cascade-delete");
  expect(screen.getByTestId("blocking-note")).toHaveTextContent("-- stratum: allow RULE REASON");
  expect(screen.getByTestId("confirm-run")).toBeDisabled();
});
