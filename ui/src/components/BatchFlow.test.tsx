import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { vi } from "vitest";
import { BatchFlow } from "./BatchFlow";
import type { BatchReportView, ProfileView } from "../bindings";
import type { FleetRow } from "./format";

const commands = vi.hoisted(() => ({ runBatchOperation: vi.fn(), cancelOperation: vi.fn(), saveBatchReport: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({ Channel: class { onmessage = () => {}; } }));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
type Sent = { onmessage: (e: unknown) => void };

const profile = (id: number, name: string, environment: string, auto_backup = false): ProfileView => ({
  id, name, client: "Acme", environment, database: `postgresql erp@db/${name}`, url: `postgresql://erp@db/${name}`, engine: "postgres", project_dir: "/p",
  auto_backup, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: false, maintenance_window: "",
});
const profiles = [profile(1, "acme_prod", "production", true), profile(2, "acme_staging", "staging"), profile(3, "globex_prod", "production", true)];
const row = (p: ProfileView, state: FleetRow["state"] = "pending"): FleetRow => ({
  profile_id: p.id, name: p.name, client: p.client, environment: p.environment, tags: [], database: p.database, state, reason: null, server: null,
  rows: ["005"], pending: state === "pending" ? ["006", "007"] : [], several_heads: false, project_heads: 1,
  last_backup: null, last_operation: null, drift: null, checkup: null, millis: 5,
});
const chosen = profiles.map((p) => row(p));

const report: BatchReportView = {
  batch: { id: 31, at: "2026-11-24 15:00:00", who: "ops", operation: "upgrade", target: "heads", options: "2 at a time; go on after a failure; back up every database first", finished_at: "2026-11-24 15:01:05", duration_ms: 65000 },
  summary: "3 database(s): 1 succeeded, 1 already up to date, 1 failed, 0 skipped, 0 cancelled",
  items: [
    { id: 1, batch_id: 31, position: 0, profile_id: 1, profile_name: "acme_prod", client: "Acme", environment: "production", rows_before: "005", rows_after: "007", rows_read: true, backup: "/backups/acme_prod-20261124.dump", duration_ms: 4200, result: "succeeded", message: "" },
    { id: 2, batch_id: 31, position: 1, profile_id: 2, profile_name: "acme_staging", client: "Acme", environment: "staging", rows_before: "007", rows_after: "007", rows_read: true, backup: "", duration_ms: 300, result: "up to date", message: "" },
    { id: 3, batch_id: 31, position: 2, profile_id: 3, profile_name: "globex_prod", client: "Acme", environment: "production", rows_before: "", rows_after: "", rows_read: false, backup: "", duration_ms: 5000, result: "failed", message: "could not connect: connection refused" },
  ],
};

beforeEach(() => vi.clearAllMocks());

/** runBatchOperation that hands its channel to the test and resolves when told. */
function running() {
  const seen: { channel: Sent | null; finish: (v: unknown) => void } = { channel: null, finish: () => {} };
  commands.runBatchOperation.mockImplementation((_req: unknown, _key: string, ch: Sent) => {
    seen.channel = ch;
    return new Promise((resolve) => (seen.finish = resolve));
  });
  return seen;
}

test("the production databases are listed and Start waits until their count is typed", async () => {
  const run = running();
  render(<BatchFlow chosen={chosen} profiles={profiles} onClose={() => {}} />);
  const dialog = screen.getByTestId("batch");
  expect(dialog).toHaveTextContent("Upgrade 3 databases to heads");
  const prod = screen.getByTestId("batch-production");
  expect(prod).toHaveTextContent("2 production databases in this batch");
  expect(prod).toHaveTextContent("acme_prod");
  expect(prod).toHaveTextContent("globex_prod");
  expect(prod).not.toHaveTextContent("acme_staging");
  // The profile policy: two of these back up before every change whatever the box says.
  expect(dialog).toHaveTextContent("profiles that back up before every change always do (2 of these 3)");

  const start = screen.getByTestId("batch-start");
  expect(start).toBeDisabled();
  fireEvent.change(screen.getByTestId("batch-production-confirm"), { target: { value: "3" } });
  expect(start).toBeDisabled();
  fireEvent.change(screen.getByTestId("batch-production-confirm"), { target: { value: " 2 " } });
  expect(start).toBeEnabled();
  // The other inputs, with their defaults.
  expect(screen.getByTestId("batch-target")).toHaveValue("heads");
  expect(screen.getByTestId("batch-concurrency")).toHaveValue(4);
  expect(screen.getByTestId("batch-stop")).toBeChecked();
  expect(screen.getByTestId("batch-backup-all")).not.toBeChecked();
  fireEvent.change(screen.getByTestId("batch-concurrency"), { target: { value: "40" } });
  expect(start).toBeDisabled();
  fireEvent.change(screen.getByTestId("batch-concurrency"), { target: { value: "2" } });
  fireEvent.click(screen.getByTestId("batch-stop"));
  fireEvent.click(screen.getByTestId("batch-backup-all"));
  fireEvent.click(start);
  await waitFor(() => expect(run.channel).not.toBeNull());
  expect(commands.runBatchOperation).toHaveBeenCalledWith(
    { profile_ids: [1, 2, 3], kind: "upgrade", target: "heads", concurrency: 2, stop_on_failure: false, backup_all: true, production_confirmation: "2", reviewer: "", override_reason: "" },
    expect.stringMatching(/^batch-/),
    expect.anything(),
  );
});

test("a batch without production databases asks nothing and sends no confirmation; a downgrade defaults to one step", async () => {
  running();
  const staging = [row(profiles[1])];
  render(<BatchFlow chosen={staging} profiles={profiles} onClose={() => {}} />);
  expect(screen.queryByTestId("batch-production")).not.toBeInTheDocument();
  expect(screen.getByTestId("batch")).toHaveTextContent("(none of these)");
  fireEvent.change(screen.getByTestId("batch-kind"), { target: { value: "downgrade" } });
  expect(screen.getByTestId("batch-target")).toHaveValue("-1");
  fireEvent.change(screen.getByTestId("batch-target"), { target: { value: "" } });
  expect(screen.getByTestId("batch-start")).toBeDisabled();
  fireEvent.change(screen.getByTestId("batch-target"), { target: { value: " 003 " } });
  fireEvent.click(screen.getByTestId("batch-start"));
  await waitFor(() => expect(commands.runBatchOperation).toHaveBeenCalled());
  expect(commands.runBatchOperation.mock.lastCall?.[0]).toEqual({ profile_ids: [2], kind: "downgrade", target: "003", concurrency: 4, stop_on_failure: true, backup_all: false, production_confirmation: null, reviewer: "", override_reason: "" });
});

test("each database's row follows its events, with the overall count; Cancel cancels the batch by its key", async () => {
  const run = running();
  commands.cancelOperation.mockImplementation(() => ok(true));
  render(<BatchFlow chosen={chosen} profiles={profiles} onClose={() => {}} />);
  fireEvent.change(screen.getByTestId("batch-production-confirm"), { target: { value: "2" } });
  fireEvent.click(screen.getByTestId("batch-start"));
  await waitFor(() => expect(run.channel).not.toBeNull());
  const send = (position: number, phase: string, detail = "") => act(() => run.channel!.onmessage({ position, profile_id: position + 1, phase, detail }));
  expect(screen.getByTestId("batch-row-0")).toHaveAttribute("data-phase", "queued");
  expect(screen.getByTestId("batch-overall")).toHaveTextContent("0 of 3 done");
  expect(screen.queryByTestId("batch-start")).not.toBeInTheDocument();
  expect(screen.queryByTestId("batch-close")).not.toBeInTheDocument();

  send(0, "checking", "reading where the database stands");
  send(1, "backing_up", "taking a backup first");
  send(0, "running", "step 3 of 7: 004");
  const first = screen.getByTestId("batch-row-0");
  expect(first).toHaveAttribute("data-phase", "running");
  expect(first).toHaveTextContent("Running");
  expect(first).toHaveTextContent("step 3 of 7: 004");
  expect(first.querySelector(".spinner")).not.toBeNull();
  expect(screen.getByTestId("batch-row-1")).toHaveTextContent("Backing up");
  send(1, "up_to_date");
  send(2, "failed", "could not connect: connection refused");
  expect(screen.getByTestId("batch-row-2")).toHaveAttribute("data-phase", "failed");
  expect(screen.getByTestId("batch-row-2")).toHaveTextContent("could not connect: connection refused");
  expect(screen.getByTestId("batch-row-1")).toHaveTextContent("Already up to date");
  expect(screen.getByTestId("batch-overall")).toHaveTextContent("2 of 3 done, 1 failed");

  fireEvent.click(screen.getByTestId("batch-cancel"));
  const key = commands.runBatchOperation.mock.lastCall?.[1];
  expect(commands.cancelOperation).toHaveBeenCalledWith(key);
  expect(screen.getByTestId("batch-cancel")).toBeDisabled();
  expect(screen.getByTestId("batch-overall")).toHaveTextContent("cancelling");
  send(0, "cancelled", "cancelled after statement 2");
  await act(async () => run.finish({ status: "ok", data: { ...report, summary: "3 database(s): 0 succeeded, 1 already up to date, 1 failed, 0 skipped, 1 cancelled" } }));
  expect(await screen.findByTestId("batch-report")).toBeInTheDocument();
});

test("the report shows each database's from, to, backup, duration, result and error, and saves as CSV and HTML", async () => {
  commands.runBatchOperation.mockImplementation(() => ok(report));
  commands.saveBatchReport.mockImplementation((_id: number, format: string) => ok(format === "csv" ? "/home/ops/batch.csv" : null));
  const onClose = vi.fn();
  render(<BatchFlow chosen={chosen} profiles={profiles} onClose={onClose} />);
  fireEvent.change(screen.getByTestId("batch-production-confirm"), { target: { value: "2" } });
  fireEvent.click(screen.getByTestId("batch-start"));
  const shown = await screen.findByTestId("batch-report");
  expect(within(shown).getByTestId("batch-summary")).toHaveTextContent("3 database(s): 1 succeeded, 1 already up to date, 1 failed, 0 skipped, 0 cancelled");
  expect(within(shown).getByTestId("batch-summary")).toHaveClass("error");
  expect(within(shown).getByTestId("batch-meta")).toHaveTextContent("2 at a time; go on after a failure; back up every database first; took 1 min 5 s");
  expect(within(shown).getByTestId("batch-meta")).toHaveTextContent("audit log");
  const ok0 = within(shown).getByTestId("batch-report-row-0");
  expect(ok0).toHaveTextContent("005");
  expect(ok0).toHaveTextContent("007");
  // The backup: its file name, its folder below, the whole path on hover.
  expect(within(ok0).getByText("acme_prod-20261124.dump")).toBeInTheDocument();
  expect(within(ok0).getByText("/backups/")).toBeInTheDocument();
  expect(within(ok0).getByTitle("/backups/acme_prod-20261124.dump")).toBeInTheDocument();
  expect(within(within(shown).getByTestId("batch-report-row-1")).getByText("none")).toBeInTheDocument();
  expect(ok0).toHaveTextContent("4.2 s");
  expect(within(ok0).getByText("succeeded")).toHaveClass("result-succeeded");
  const failed = within(shown).getByTestId("batch-report-row-2");
  expect(failed).toHaveAttribute("data-result", "failed");
  expect(within(failed).getByText("failed")).toHaveClass("result-failed");
  expect(failed).toHaveTextContent("could not connect: connection refused");
  expect(within(shown).getByTestId("batch-report-row-1")).toHaveTextContent("up to date");

  fireEvent.click(screen.getByTestId("batch-save-csv"));
  expect(await screen.findByTestId("batch-saved")).toHaveTextContent("Saved the CSV report to /home/ops/batch.csv.");
  expect(commands.saveBatchReport).toHaveBeenLastCalledWith(31, "csv");
  // A cancelled save dialog says nothing.
  fireEvent.click(screen.getByTestId("batch-save-html"));
  await waitFor(() => expect(commands.saveBatchReport).toHaveBeenLastCalledWith(31, "html"));
  await act(() => Promise.resolve());
  expect(screen.queryByTestId("batch-saved")).not.toBeInTheDocument();
  commands.saveBatchReport.mockImplementation(() => Promise.resolve({ status: "error", error: { kind: "input", message: "cannot write /ro/x.html: read-only file system" } }));
  fireEvent.click(screen.getByTestId("batch-save-html"));
  expect(await screen.findByTestId("batch-saved")).toHaveTextContent("The report could not be saved: cannot write /ro/x.html");

  fireEvent.click(screen.getByTestId("batch-close"));
  expect(onClose).toHaveBeenCalledWith(true);
});

test("a refused batch says why in the dialog and goes back to its options", async () => {
  commands.runBatchOperation.mockImplementation(() =>
    Promise.resolve({ status: "error", error: { kind: "input", message: "the batch includes 2 production database(s) (acme_prod, globex_prod): confirm them to go on" } }),
  );
  const onClose = vi.fn();
  render(<BatchFlow chosen={chosen} profiles={profiles} onClose={onClose} />);
  fireEvent.change(screen.getByTestId("batch-production-confirm"), { target: { value: "2" } });
  fireEvent.click(screen.getByTestId("batch-start"));
  expect(await screen.findByTestId("batch-error")).toHaveTextContent("confirm them to go on");
  expect(screen.getByTestId("batch-start")).toBeEnabled();
  expect(screen.getByTestId("batch-target")).toHaveValue("heads");
  fireEvent.click(screen.getByTestId("batch-close"));
  expect(onClose).toHaveBeenCalledWith(false);
});

test("databases with a release gate are named, and the reviewer and an override reason go with the batch", async () => {
  running();
  const gated = [{ ...profiles[0], release_gate: true }, profiles[1]];
  render(<BatchFlow chosen={gated.map((p) => row(p))} profiles={gated} onClose={() => {}} />);
  expect(screen.getByTestId("batch-gate")).toHaveTextContent("1 database with a release gate");
  fireEvent.change(screen.getByTestId("batch-production-confirm"), { target: { value: "1" } });
  fireEvent.change(screen.getByTestId("batch-reviewer"), { target: { value: " Dana " } });
  fireEvent.change(screen.getByTestId("batch-override-reason"), { target: { value: "hotfix 4711" } });
  fireEvent.click(screen.getByTestId("batch-start"));
  await waitFor(() => expect(commands.runBatchOperation).toHaveBeenCalled());
  expect(commands.runBatchOperation.mock.lastCall?.[0]).toMatchObject({ reviewer: "Dana", override_reason: "hotfix 4711" });
});
