import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";
import { MAX_OUTPUT_LINES, OperationFlow } from "./OperationFlow";
import type { PlanView, ProfileView, ReleaseGate, RunOutcome } from "../bindings";

const commands = vi.hoisted(() => ({ planOperation: vi.fn(), runOperation: vi.fn(), cancelOperation: vi.fn(), takeBackup: vi.fn(), restoreBackup: vi.fn(), dryRunOperation: vi.fn(), saveOperationSql: vi.fn(), releaseGateOf: vi.fn(), listBackups: vi.fn(() => Promise.resolve({ status: "ok", data: [] })) }));
vi.mock("../bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({ Channel: class { onmessage = () => {}; } }));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const prod: ProfileView = { id: 1, name: "Acme prod", client: "Acme", environment: "production", database: "postgresql erp@db/acme_erp", url: "postgresql://erp@db/acme_erp", engine: "postgres", project_dir: "/p", auto_backup: false, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: false, maintenance_window: "" };
const plan: PlanView = {
  rows_before: ["003"],
  rows_after: ["004"],
  steps: [{ revision: "004", direction: "upgrade", from: ["003"], to: ["004"], message: "add invoices", version_ops: [{ op: "update", from: "003", to: "004" }], rows_after: ["004"] }],
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
    failure: { revision: "004", file: "004_invoices.sql", line: 8, statement: "CREATE TABLE invoice (id int);", message: 'relation "invoice" already exists', rolled_back: true, statements_done: 0, committed: [], rows_now: ["003"], resumable: false },
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
  commands.takeBackup.mockReturnValue(ok({ id: 42, at: "2026-11-24 15:00:00", path: "/b/acme.dump", engine: "postgres", profile_id: 1, rows: "003", size: 2048, sha256: "ab", duration_ms: 30, tool_version: "pg_dump 15", reason: "before upgrade to heads", present: true }));
  const failed = {
    succeeded: false, rows_before: ["003"], rows_after: ["003"], steps: 1, millis: 12, summary: "failed",
    failure: { revision: "004", file: "004.sql", line: 3, statement: "ALTER TABLE x", message: "boom", rolled_back: false, statements_done: 0, committed: [], rows_now: ["003"], resumable: false },
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
    ok({ method: "ran inside one transaction on the database and rolled it back", succeeded: false, rows_after: ["003"], failure: { revision: "004", file: "004.sql", line: 8, statement: "CREATE TABLE invoice (id int);", message: "relation exists", rolled_back: true, statements_done: 0, committed: [], rows_now: ["003"], resumable: false } }),
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

const succeeded = { succeeded: true, rows_before: ["003"], rows_after: ["004"], steps: 1, millis: 40, failure: null, summary: "Upgraded 003 to 004 in 1 step." } as RunOutcome;
type Sent = { onmessage: (e: unknown) => void };

test("an Alembic project's own output is shown as it runs, in a log that keeps the last lines", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  let finish: (v: unknown) => void = () => {};
  let channel: Sent | null = null;
  commands.runOperation.mockImplementation((...args: unknown[]) => {
    channel = args[6] as Sent;
    return new Promise((resolve) => (finish = resolve));
  });
  render(<OperationFlow profile={{ ...prod, environment: "staging" }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("confirm-run"));
  await waitFor(() => expect(channel).not.toBeNull());
  expect(screen.queryByTestId("run-output")).not.toBeInTheDocument();
  act(() => {
    channel!.onmessage({ event: "step_started", index: 0, total: 1, revision: "004" });
    channel!.onmessage({ event: "output", line: "INFO  [alembic.runtime.migration] Running upgrade 003 -> 004, add invoices" });
  });
  const log = await screen.findByTestId("run-output");
  expect(log).toHaveTextContent("Running upgrade 003 -> 004, add invoices");
  expect(screen.getByTestId("progress")).toHaveTextContent("Step 1 of 1");
  act(() => {
    for (let i = 1; i <= MAX_OUTPUT_LINES + 50; i++) channel!.onmessage({ event: "output", line: `line ${i}` });
  });
  finish({ status: "ok", data: succeeded });
  expect(await screen.findByTestId("result")).toHaveTextContent("Done. Upgraded 003 to 004");
  const lines = screen.getByTestId("run-output").textContent!.split("\n");
  expect(lines).toHaveLength(MAX_OUTPUT_LINES);
  expect(lines[0]).toBe("line 51");
  expect(lines[lines.length - 1]).toBe(`line ${MAX_OUTPUT_LINES + 50}`);
  expect(screen.getByText(/51 earlier ones are not shown/)).toBeInTheDocument();
});

test("a run without output (a native project) shows no log", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  commands.runOperation.mockReturnValue(ok(succeeded));
  render(<OperationFlow profile={{ ...prod, environment: "staging" }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("confirm-run"));
  expect(await screen.findByTestId("result")).toHaveTextContent("Done.");
  expect(screen.queryByTestId("run-output")).not.toBeInTheDocument();
});

test("the preview's SQL is saved where the user chooses, for the same request", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  commands.saveOperationSql.mockReturnValue(ok("/home/ops/preview.sql"));
  render(<OperationFlow profile={{ ...prod, environment: "staging" }} request={{ kind: "downgrade", target: "003" }} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("save-sql"));
  expect(await screen.findByTestId("saved-sql")).toHaveTextContent("Saved the SQL to /home/ops/preview.sql.");
  expect(commands.saveOperationSql).toHaveBeenCalledWith(1, { kind: "downgrade", target: "003" });
});

test("an upgrade's preview offers to rehearse it first, for its own target", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  render(<OperationFlow profile={prod} request={{ kind: "upgrade", target: "004" }} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("open-rehearse"));
  expect(screen.getByTestId("rehearse")).toHaveTextContent("Rehearse the upgrade of Acme prod to 004");
  expect(screen.queryByTestId("rehearse-with-data")).not.toBeInTheDocument();
});

const gate = (met: Record<string, boolean>): ReleaseGate => ({
  applies: true,
  items: [
    ["staging", "Same revisions succeeded on development or staging", "acme-staging on 2026-12-01 10:00"],
    ["rehearsal", "A passing rehearsal of these revisions", "never rehearsed"],
    ["findings", "No unacknowledged blocking findings", "none in the plan"],
    ["backup", "A backup taken now", "taken just before the run"],
    ["window", "Inside the maintenance window", "now is outside Sat-Sun 22:00-06:00 Europe/Berlin"],
    ["review", "Code review completed", "nobody has confirmed a review"],
  ].map(([key, title, evidence]) => ({ key, title, evidence, met: met[key] ?? true, action: met[key] === false ? `do ${key}` : "" })),
});

test("a gated production upgrade waits for its checklist, and an override needs a reason that the run carries", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  commands.releaseGateOf.mockReturnValue(ok(gate({ rehearsal: false, window: false, review: false })));
  commands.runOperation.mockReturnValue(ok({ succeeded: true, rows_before: ["003"], rows_after: ["004"], steps: 1, millis: 5, summary: "done", failure: null }));
  render(<OperationFlow profile={{ ...prod, release_gate: true, auto_backup: true }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  expect(await screen.findByTestId("gate")).toHaveTextContent("3 of 6 item(s) not met");
  expect(screen.getByTestId("gate-item-window")).toHaveAttribute("data-met", "no");
  expect(screen.getByTestId("gate-item-window")).toHaveTextContent("do window");
  fireEvent.change(screen.getByRole("textbox", { name: /Type/ }), { target: { value: "acme_erp" } });
  const run = screen.getByTestId("confirm-run");
  expect(run).toBeDisabled();
  // The review is confirmed by name; the rest still holds the run.
  fireEvent.change(screen.getByTestId("gate-reviewer"), { target: { value: "Dana" } });
  expect(screen.getByTestId("gate-item-review")).toHaveAttribute("data-met", "yes");
  expect(run).toBeDisabled();
  fireEvent.click(screen.getByTestId("gate-override"));
  expect(run).toBeDisabled();
  fireEvent.change(screen.getByTestId("gate-override-reason"), { target: { value: "hotfix for ticket 4711" } });
  expect(run).toBeEnabled();
  expect(commands.releaseGateOf).toHaveBeenCalledWith(1, { kind: "upgrade", target: "heads" }, true, "");
});

test("a gated upgrade whose evidence is all there runs with the reviewer's name", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  commands.releaseGateOf.mockReturnValue(ok(gate({ review: false })));
  commands.takeBackup.mockReturnValue(ok({ id: 7, at: "2026-12-02 22:00:00", path: "/b/a.dump", engine: "postgres", profile_id: 1, rows: "003", size: 10, sha256: "ab", duration_ms: 3, tool_version: "pg_dump", reason: "", present: true }));
  commands.runOperation.mockReturnValue(ok({ succeeded: true, rows_before: ["003"], rows_after: ["004"], steps: 1, millis: 5, summary: "done", failure: null }));
  render(<OperationFlow profile={{ ...prod, environment: "staging", release_gate: true, auto_backup: true }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  expect(await screen.findByTestId("gate")).toHaveTextContent("1 of 6 item(s) not met");
  expect(screen.queryByTestId("gate-override")).toBeInTheDocument();
  fireEvent.change(screen.getByTestId("gate-reviewer"), { target: { value: "Dana" } });
  expect(screen.getByTestId("gate")).toHaveTextContent("every item met");
  expect(screen.queryByTestId("gate-override")).not.toBeInTheDocument();
  fireEvent.click(screen.getByTestId("confirm-run"));
  await screen.findByText(/Done\./);
  expect(commands.runOperation.mock.lastCall?.slice(3, 6)).toEqual([7, "Dana", ""]);
});

test("a run waiting for the migration lock says who holds it, until it gets the lock", async () => {
  commands.planOperation.mockReturnValue(ok(plan));
  let channel: Sent | null = null;
  commands.runOperation.mockImplementation((...args: unknown[]) => {
    channel = args[6] as Sent;
    return new Promise(() => {});
  });
  render(<OperationFlow profile={{ ...prod, environment: "staging" }} request={{ kind: "upgrade", target: "heads" }} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("confirm-run"));
  await waitFor(() => expect(channel).not.toBeNull());
  act(() => channel!.onmessage({ event: "lock_wait", holder: "stratum 0.3.0 kari@laptop locked 14:02:11 UTC (PostgreSQL session 4242)" }));
  expect(await screen.findByTestId("lock-wait")).toHaveTextContent("held by stratum 0.3.0 kari@laptop locked 14:02:11 UTC");
  act(() => channel!.onmessage({ event: "planned", steps: 1, rows: ["003"] }));
  expect(screen.queryByTestId("lock-wait")).not.toBeInTheDocument();
});
