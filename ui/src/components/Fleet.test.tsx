import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { vi } from "vitest";
import { Fleet } from "./Fleet";
import type { BatchReportView, ProfileView } from "../bindings";
import type { FleetRow } from "./format";

const commands = vi.hoisted(() => ({
  fleetStatus: vi.fn(),
  fleetDrift: vi.fn(),
  fleetCheckup: vi.fn(),
  listBatches: vi.fn(),
  interruptedBatches: vi.fn(),
  batchReport: vi.fn(),
  saveBatchReport: vi.fn(),
  runBatchOperation: vi.fn(),
  cancelOperation: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({ Channel: class { onmessage = () => {}; } }));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
type Sent = { onmessage: (e: unknown) => void };

const profile = (id: number, name: string, client: string, environment: string, tags: string[] = []): ProfileView => ({
  id, name, client, environment, database: `postgresql erp@db/${name.toLowerCase().replace(/ /g, "_")}`, url: `postgresql://erp@db/${name.toLowerCase().replace(/ /g, "_")}`, engine: "postgres", project_dir: "/p",
  auto_backup: environment === "production", backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags,
  release_gate: environment === "production", maintenance_window: "",
});
const profiles = [
  profile(1, "Acme prod", "Acme", "production", ["eu"]),
  profile(2, "Acme staging", "Acme", "staging"),
  profile(3, "Globex prod", "Globex", "production", ["nightly"]),
  profile(4, "Initech dev", "Initech", "development"),
];
const row = (p: ProfileView, over: Partial<FleetRow>): FleetRow => ({
  profile_id: p.id, name: p.name, client: p.client, environment: p.environment, tags: p.tags, database: p.database,
  state: "up_to_date", reason: null, server: "PostgreSQL 16.2", rows: ["007"], pending: [], several_heads: false, project_heads: 1,
  last_backup: { at: "2026-11-24 12:00:00", age_seconds: 3 * 3600 }, last_operation: null, drift: null, checkup: null, millis: 12, ...over,
});
const rows: FleetRow[] = [
  row(profiles[0], {
    drift: { profile_id: 1, at: "2026-11-24 10:00:00", differences: 2, summary: "column users.phone is missing; index ix_a differs" },
    checkup: { profile_id: 1, at: "2026-11-24 10:00:30", verdict: "failed", failed: 1, warnings: 1, summary: "drift: 2 differences; backup: 3 h old" },
  }),
  row(profiles[1], { state: "pending", rows: ["005"], pending: ["006", "007"], last_backup: null, last_operation: { at: "2026-11-20 09:00:00", operation: "upgrade", target: "heads", result: "failed", message: "relation exists" } }),
  row(profiles[2], { state: "unreachable", reason: "connection refused", server: null, rows: [], last_backup: null }),
  row(profiles[3], { rows: [], state: "pending", pending: ["001"], several_heads: true, last_backup: { at: "2026-11-14 12:00:00", age_seconds: 10 * 86400 } }),
];

// The table is virtualised and jsdom lays nothing out: give the scroller a size.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(1000);
});
beforeEach(() => {
  vi.clearAllMocks();
  commands.listBatches.mockImplementation(() => ok([]));
  commands.interruptedBatches.mockImplementation(() => ok([]));
});

/** fleetStatus that hands its channel to the test and resolves when told. */
function streaming() {
  let channel: Sent | null = null;
  let finish: (rows: FleetRow[]) => void = () => {};
  commands.fleetStatus.mockImplementation((ch: Sent) => {
    channel = ch;
    return new Promise((resolve) => (finish = (data) => resolve({ status: "ok", data })));
  });
  return { send: (r: FleetRow) => act(() => channel!.onmessage(r)), finish: (data: FleetRow[]) => act(async () => finish(data)), sent: () => channel !== null };
}

const summary = () => screen.getByTestId("fleet-summary").textContent;
const shownIds = () => screen.queryAllByTestId(/^fleet-row-/).map((r) => r.getAttribute("data-testid"));

test("the table fills in as databases answer, with the summary line and every column", async () => {
  const s = streaming();
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(s.sent()).toBe(true));
  // Before any answer: every profile, from what its profile says.
  expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "reading");
  expect(screen.getByTestId("fleet-reading")).toHaveTextContent("reading 0 of 4…");
  s.send(rows[1]);
  s.send(rows[0]);
  expect(screen.getByTestId("fleet-row-2")).toHaveAttribute("data-state", "pending");
  expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "up_to_date");
  expect(screen.getByTestId("fleet-row-3")).toHaveAttribute("data-state", "reading");
  expect(screen.getByTestId("fleet-reading")).toHaveTextContent("reading 2 of 4…");
  expect(screen.getByTestId("fleet-state-2")).toHaveTextContent("2 pending");
  expect(summary()).toBe("4 databases: 1 up to date, 1 behind, 0 unreachable, 1 drifted, 1 whose last run failed");
  s.send(rows[2]);
  await s.finish(rows);
  expect(screen.queryByTestId("fleet-reading")).not.toBeInTheDocument();
  expect(summary()).toBe("4 databases: 1 up to date, 2 behind, 1 unreachable, 1 drifted, 1 whose last run failed");

  expect(screen.getByTestId("fleet-state-3")).toHaveTextContent("Unreachable: connection refused");
  const acme = screen.getByTestId("fleet-row-1");
  expect(within(acme).getByText("production")).toHaveClass("env-production");
  expect(within(acme).getByText("007")).toBeInTheDocument();
  expect(screen.getByTestId("fleet-drift-1")).toHaveTextContent("2 differences");
  expect(within(screen.getByTestId("fleet-drift-1")).getByText("2 differences")).toHaveAttribute("title", expect.stringContaining("column users.phone is missing"));
  expect(screen.getByTestId("fleet-drift-2")).toHaveTextContent("not checked");
  // The latest check-up: its verdict in a word, the items that did not pass and when in its tooltip.
  const checkup = within(screen.getByTestId("fleet-checkup-1")).getByText("failed");
  expect(checkup.closest("[title]")).toHaveAttribute("title", "drift: 2 differences; backup: 3 h old\nchecked 2026-11-24 10:00:30");
  expect(checkup.closest("[title]")).toHaveClass("error-text");
  expect(screen.getByTestId("fleet-checkup-2")).toHaveTextContent("—");
  expect(screen.getByTestId("fleet-pending-2")).toHaveTextContent("2");
  expect(within(screen.getByTestId("fleet-row-4")).getByText("base")).toBeInTheDocument();
  expect(within(screen.getByTestId("fleet-row-4")).getByText("several heads")).toBeInTheDocument();
  // Backups: an age in words; old, or never on production, in the warning colour.
  expect(screen.getByTestId("fleet-backup-1")).toHaveTextContent("3 h ago");
  expect(screen.getByTestId("fleet-backup-1")).toHaveAttribute("data-old", "false");
  expect(screen.getByTestId("fleet-backup-2")).toHaveTextContent("never");
  expect(screen.getByTestId("fleet-backup-2")).toHaveAttribute("data-old", "false");
  expect(screen.getByTestId("fleet-backup-3")).toHaveAttribute("data-old", "true");
  expect(screen.getByTestId("fleet-backup-4")).toHaveTextContent("10 d ago");
  expect(screen.getByTestId("fleet-backup-4")).toHaveAttribute("data-old", "true");
  const op = screen.getByTestId("fleet-operation-2");
  expect(op).toHaveTextContent("upgrade heads");
  expect(within(op).getByText("failed")).toHaveClass("result-failed");
  expect(screen.getByTestId("fleet-operation-1")).toHaveTextContent("none yet");
});

test("an older reading still arriving is dropped once Refresh starts a new one", async () => {
  const first = streaming();
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(first.sent()).toBe(true));
  const second = streaming();
  fireEvent.click(screen.getByTestId("fleet-refresh"));
  expect(commands.fleetStatus).toHaveBeenCalledTimes(2);
  await first.finish(rows);
  expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "reading");
  second.send({ ...rows[0], state: "pending", pending: ["008"] });
  expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "pending");
  expect(screen.getByTestId("fleet-reading")).toHaveTextContent("reading 1 of 4…");
});

test("the text, environment, client and state filters narrow the table and the summary", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "up_to_date"));
  expect(shownIds()).toHaveLength(4);

  // Text: name, client, database or tag; every word must match.
  fireEvent.change(screen.getByTestId("fleet-filter"), { target: { value: "acme" } });
  expect(shownIds()).toEqual(["fleet-row-1", "fleet-row-2"]);
  expect(summary()).toBe("2 databases (of 4): 1 up to date, 1 behind, 0 unreachable, 1 drifted, 1 whose last run failed");
  fireEvent.change(screen.getByTestId("fleet-filter"), { target: { value: "nightly" } });
  expect(shownIds()).toEqual(["fleet-row-3"]);
  fireEvent.change(screen.getByTestId("fleet-filter"), { target: { value: "acme eu" } });
  expect(shownIds()).toEqual(["fleet-row-1"]);
  fireEvent.change(screen.getByTestId("fleet-filter"), { target: { value: "" } });

  fireEvent.change(screen.getByTestId("fleet-env"), { target: { value: "production" } });
  expect(shownIds()).toEqual(["fleet-row-1", "fleet-row-3"]);
  fireEvent.change(screen.getByTestId("fleet-client"), { target: { value: "Globex" } });
  expect(shownIds()).toEqual(["fleet-row-3"]);
  fireEvent.change(screen.getByTestId("fleet-env"), { target: { value: "all" } });
  fireEvent.change(screen.getByTestId("fleet-client"), { target: { value: "\u0001all" } });
  expect(shownIds()).toHaveLength(4);

  const state = screen.getByTestId("fleet-state");
  fireEvent.change(state, { target: { value: "behind" } });
  expect(shownIds()).toEqual(["fleet-row-2", "fleet-row-4"]);
  fireEvent.change(state, { target: { value: "problem" } });
  expect(shownIds()).toEqual(["fleet-row-2", "fleet-row-3"]);
  fireEvent.change(state, { target: { value: "drifted" } });
  expect(shownIds()).toEqual(["fleet-row-1"]);
  fireEvent.change(state, { target: { value: "up_to_date" } });
  expect(shownIds()).toEqual(["fleet-row-1"]);
  fireEvent.change(screen.getByTestId("fleet-filter"), { target: { value: "initech" } });
  expect(shownIds()).toEqual([]);
  expect(screen.getByTestId("fleet-none")).toHaveTextContent("No database matches the filter.");
});

test("a column header sorts the table, and again the other way", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "up_to_date"));
  fireEvent.click(screen.getByTestId("fleet-sort-state"));
  expect(shownIds()).toEqual(["fleet-row-3", "fleet-row-2", "fleet-row-4", "fleet-row-1"]);
  fireEvent.click(screen.getByTestId("fleet-sort-name"));
  fireEvent.click(screen.getByTestId("fleet-sort-name"));
  expect(shownIds()).toEqual(["fleet-row-4", "fleet-row-3", "fleet-row-2", "fleet-row-1"]);
});

test("select-all chooses the rows the filter shows; the choice survives the filter and opens the batch", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "up_to_date"));
  const upgrade = screen.getByTestId("fleet-upgrade");
  expect(upgrade).toBeDisabled();
  expect(screen.getByTestId("fleet-check-drift")).toBeDisabled();

  fireEvent.change(screen.getByTestId("fleet-state"), { target: { value: "behind" } });
  const all = screen.getByTestId("fleet-select-all") as HTMLInputElement;
  fireEvent.click(all);
  expect(all.checked).toBe(true);
  expect(screen.getByTestId("fleet-select-2")).toBeChecked();
  expect(screen.getByTestId("fleet-select-4")).toBeChecked();
  expect(screen.getByTestId("fleet-row-2")).toHaveAttribute("aria-selected", "true");
  expect(upgrade).toBeEnabled();

  fireEvent.change(screen.getByTestId("fleet-state"), { target: { value: "all" } });
  expect(screen.getByTestId("fleet-select-1")).not.toBeChecked();
  expect(screen.getByTestId("fleet-select-3")).not.toBeChecked();
  expect(all.checked).toBe(false);
  expect(all.indeterminate).toBe(true);
  expect(screen.getByTestId("fleet-selection")).toHaveTextContent("2 chosen");

  // A row chosen by hand, then hidden by the filter, still counts and is said so.
  fireEvent.click(screen.getByTestId("fleet-select-1"));
  fireEvent.change(screen.getByTestId("fleet-env"), { target: { value: "staging" } });
  expect(screen.getByTestId("fleet-selection")).toHaveTextContent("3 chosen (2 hidden by the filter)");
  // Select-all with every shown row chosen unchooses only those.
  fireEvent.click(all);
  expect(all.checked).toBe(false);
  expect(screen.getByTestId("fleet-selection")).toHaveTextContent("2 chosen (2 hidden by the filter)");
  fireEvent.change(screen.getByTestId("fleet-env"), { target: { value: "all" } });

  fireEvent.click(upgrade);
  const dialog = await screen.findByTestId("batch");
  expect(within(dialog).getByTestId("batch-chosen-1")).toBeInTheDocument();
  expect(within(dialog).getByTestId("batch-chosen-4")).toBeInTheDocument();
  expect(within(dialog).queryByTestId("batch-chosen-2")).not.toBeInTheDocument();
  fireEvent.click(within(dialog).getByTestId("batch-close"));
  expect(screen.queryByTestId("batch")).not.toBeInTheDocument();

  fireEvent.click(screen.getByTestId("fleet-clear-selection"));
  expect(upgrade).toBeDisabled();
});

test("Check drift runs over the chosen databases and fills the drift column as each answers", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  let channel: Sent | null = null;
  let finish: (v: unknown) => void = () => {};
  commands.fleetDrift.mockImplementation((_ids: number[], ch: Sent) => {
    channel = ch;
    return new Promise((resolve) => (finish = resolve));
  });
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(screen.getByTestId("fleet-row-2")).toHaveAttribute("data-state", "pending"));
  fireEvent.click(screen.getByTestId("fleet-select-2"));
  fireEvent.click(screen.getByTestId("fleet-select-3"));
  fireEvent.click(screen.getByTestId("fleet-check-drift"));
  expect(commands.fleetDrift).toHaveBeenCalledWith([2, 3], expect.anything());
  expect(screen.getByTestId("fleet-check-drift")).toHaveTextContent("Checking drift 0 of 2…");
  expect(screen.getByTestId("fleet-drift-2")).toHaveTextContent("checking…");
  act(() => channel!.onmessage({ profile_id: 2, at: "2026-11-24 16:00:00", differences: 0, summary: "no differences" }));
  expect(screen.getByTestId("fleet-drift-2")).toHaveTextContent("no drift");
  expect(screen.getByTestId("fleet-drift-3")).toHaveTextContent("checking…");
  expect(screen.getByTestId("fleet-check-drift")).toHaveTextContent("Checking drift 1 of 2…");
  const three = { profile_id: 3, at: "2026-11-24 16:00:05", differences: -1, summary: "cannot connect" };
  act(() => channel!.onmessage(three));
  await act(async () => finish({ status: "ok", data: [{ profile_id: 2, at: "2026-11-24 16:00:00", differences: 0, summary: "" }, three] }));
  expect(screen.getByTestId("fleet-drift-3")).toHaveTextContent("check failed");
  expect(screen.getByTestId("fleet-check-drift")).toHaveTextContent("Check drift");
});

test("Check up runs over the chosen databases and fills the check-up column as each answers", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  let channel: Sent | null = null;
  let finish: (v: unknown) => void = () => {};
  commands.fleetCheckup.mockImplementation((_ids: number[], ch: Sent) => {
    channel = ch;
    return new Promise((resolve) => (finish = resolve));
  });
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(screen.getByTestId("fleet-row-1")).toHaveAttribute("data-state", "up_to_date"));
  const button = screen.getByTestId("fleet-check-up");
  expect(button).toBeDisabled();
  fireEvent.click(screen.getByTestId("fleet-select-1"));
  fireEvent.click(screen.getByTestId("fleet-select-2"));
  fireEvent.click(button);
  expect(commands.fleetCheckup).toHaveBeenCalledWith([1, 2], expect.anything());
  expect(button).toHaveTextContent("Checking up 0 of 2…");
  expect(button).toBeDisabled();
  expect(screen.getByTestId("fleet-checkup-1")).toHaveTextContent("checking…");
  expect(screen.getByTestId("fleet-checkup-2")).toHaveTextContent("checking…");
  // The drift check is its own action: running a check-up leaves it alone.
  expect(screen.getByTestId("fleet-drift-1")).toHaveTextContent("2 differences");

  const two = { profile_id: 2, at: "2026-11-24 16:00:00", verdict: "warning", failed: 0, warnings: 1, summary: "backup: none yet" };
  act(() => channel!.onmessage(two));
  expect(within(screen.getByTestId("fleet-checkup-2")).getByText("warning").closest("[title]")).toHaveAttribute("title", "backup: none yet\nchecked 2026-11-24 16:00:00");
  expect(screen.getByTestId("fleet-checkup-1")).toHaveTextContent("checking…");
  expect(button).toHaveTextContent("Checking up 1 of 2…");

  // A newer check-up replaces the stored one the reading brought.
  const one = { profile_id: 1, at: "2026-11-24 16:00:04", verdict: "passed", failed: 0, warnings: 0, summary: "" };
  await act(async () => finish({ status: "ok", data: [two, one] }));
  const passed = within(screen.getByTestId("fleet-checkup-1")).getByText("passed");
  expect(passed.closest("[title]")).toHaveAttribute("title", "checked 2026-11-24 16:00:04");
  expect(passed.closest("[title]")).toHaveClass("ok-text");
  expect(button).toHaveTextContent("Check up");
  expect(button).toBeEnabled();

  // Sorted by check-up: never checked first, failures last.
  fireEvent.click(screen.getByTestId("fleet-sort-checkup"));
  expect(shownIds()).toEqual(["fleet-row-3", "fleet-row-4", "fleet-row-1", "fleet-row-2"]);
});

test("a failed check-up run is said in the banner", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  commands.fleetCheckup.mockImplementation(() => Promise.resolve({ status: "error", error: { kind: "store", message: "database is locked" } }));
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  await waitFor(() => expect(screen.getByTestId("fleet-row-3")).toHaveAttribute("data-state", "unreachable"));
  fireEvent.click(screen.getByTestId("fleet-select-3"));
  fireEvent.click(screen.getByTestId("fleet-check-up"));
  expect(await screen.findByTestId("fleet-error")).toHaveTextContent("The check-up failed: database is locked");
  expect(screen.getByTestId("fleet-checkup-3")).toHaveTextContent("—");
  expect(screen.getByTestId("fleet-check-up")).toBeEnabled();
});

test("a row's name opens its profile", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  const open = vi.fn();
  render(<Fleet profiles={profiles} onOpenProfile={open} />);
  fireEvent.click(await screen.findByTestId("fleet-open-3"));
  expect(open).toHaveBeenCalledWith(3);
});

test("a failed reading is said in a banner", async () => {
  commands.fleetStatus.mockImplementation(() => Promise.resolve({ status: "error", error: { kind: "store", message: "database is locked" } }));
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  expect(await screen.findByTestId("fleet-error")).toHaveTextContent("The fleet could not be read: database is locked");
  expect(screen.getByTestId("fleet-row-1")).toHaveTextContent("Not read yet");
  expect(summary()).toBe("4 databases: 0 up to date, 0 behind, 0 unreachable, 0 drifted, 4 not read");
});

test("recent batches open their report read-only, which can be saved", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  commands.listBatches.mockImplementation(() => ok([
    { id: 12, batch_id: 12, at: "2026-11-24 15:00:00", who: "ops", operation: "upgrade", target: "heads", options: "", finished_at: "2026-11-24 15:00:12", duration_ms: 12300, databases: 1, succeeded: 1, up_to_date: 0, failed: 0, skipped: 0, cancelled: 0 },
    { id: 11, batch_id: 11, at: "2026-11-24 14:00:00", who: "ops", operation: "upgrade", target: "heads", options: "", finished_at: "2026-11-24 14:00:09", duration_ms: 9000, databases: 6, succeeded: 3, up_to_date: 1, failed: 2, skipped: 0, cancelled: 0 },
  ]));
  const report: BatchReportView = {
    batch: { id: 12, at: "2026-11-24 15:00:00", who: "ops", operation: "upgrade", target: "heads", options: "4 at a time; stop at the first failure; back up as each profile says",
      finished_at: "2026-11-24 15:00:12", duration_ms: 12300 },
    summary: "1 database(s): 1 succeeded, 0 already up to date, 0 failed, 0 skipped, 0 cancelled",
    items: [{ id: 1, batch_id: 12, position: 0, profile_id: 1, profile_name: "Acme prod", client: "Acme", environment: "production", rows_before: "005", rows_after: "007", rows_read: true, backup: "/b/acme.dump", duration_ms: 4000, result: "succeeded", message: "" }],
  };
  commands.batchReport.mockImplementation(() => ok(report));
  commands.saveBatchReport.mockImplementation(() => ok("/home/ops/batch-12.csv"));
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  const entry = await screen.findByTestId("batch-history-12");
  expect(entry).toHaveTextContent("upgrade heads");
  expect(entry).toHaveTextContent("12 s");
  expect(screen.getByTestId("batch-tally-12")).toHaveTextContent("1 database: 1 succeeded");
  expect(screen.getByTestId("batch-tally-11")).toHaveTextContent("6 databases: 2 failed, 3 succeeded, 1 up to date");
  expect(within(screen.getByTestId("batch-tally-11")).getByText("2 failed")).toHaveClass("result-failed");
  fireEvent.click(entry);
  const past = await screen.findByTestId("batch-past");
  expect(commands.batchReport).toHaveBeenCalledWith(12);
  expect(within(past).getByTestId("batch-report-row-0")).toHaveTextContent("005");
  expect(within(past).getByTitle("/b/acme.dump")).toHaveTextContent("acme.dump");
  expect(within(past).queryByTestId("batch-start")).not.toBeInTheDocument();
  fireEvent.click(within(past).getByTestId("batch-save-csv"));
  expect(await within(past).findByTestId("batch-saved")).toHaveTextContent("Saved the CSV report to /home/ops/batch-12.csv.");
  expect(commands.saveBatchReport).toHaveBeenCalledWith(12, "csv");
  fireEvent.click(within(past).getByTestId("batch-close"));
  expect(screen.queryByTestId("batch-past")).not.toBeInTheDocument();
});

test("a batch whose app was killed is shown at the top, and Run the rest starts a new batch over the databases it did not run", async () => {
  commands.fleetStatus.mockImplementation(() => ok(rows));
  const line = (position: number, p: ProfileView, result: string) => ({
    id: position + 1, batch_id: 12, position, profile_id: p.id, profile_name: p.name, client: p.client, environment: p.environment,
    rows_before: "", rows_after: "", rows_read: result !== "pending", backup: "", duration_ms: 0, result, message: "",
  });
  const interrupted: BatchReportView = {
    batch: { id: 12, at: "2026-11-24 15:00:00", who: "ops", operation: "upgrade", target: "head", options: "4 at a time", finished_at: null, duration_ms: 0 },
    summary: "3 database(s): 1 succeeded, 0 already up to date, 0 failed, 0 skipped, 0 cancelled, 2 not run (the batch was interrupted)",
    items: [line(0, profiles[0], "succeeded"), line(1, profiles[1], "pending"), line(2, profiles[3], "pending")],
  };
  commands.interruptedBatches.mockImplementation(() => ok([interrupted]));
  commands.listBatches.mockImplementation(() => ok([
    { id: 12, batch_id: 12, at: "2026-11-24 15:00:00", who: "ops", operation: "upgrade", target: "head", options: "", finished_at: null, duration_ms: 0, databases: 3, succeeded: 1, up_to_date: 0, failed: 0, skipped: 0, cancelled: 0, pending: 2, interrupted: true },
  ]));
  render(<Fleet profiles={profiles} onOpenProfile={() => {}} />);
  const banner = await screen.findByTestId("batch-interrupted-12");
  expect(banner).toHaveTextContent("Batch #12 (upgrade to head) was interrupted: 1 of 3 databases finished; 2 not run.");
  expect(within(banner).getByTestId("batch-interrupted-12-0")).toHaveTextContent("Acme prod (Acme): succeeded");
  expect(within(banner).getByTestId("batch-interrupted-12-1")).toHaveTextContent("Acme staging (Acme): not run");
  expect(within(banner).getByTestId("batch-interrupted-12-2")).toHaveTextContent("Initech dev (Initech): not run");
  expect(await screen.findByTestId("batch-history-12")).toHaveTextContent("interrupted");
  expect(screen.getByTestId("batch-tally-12")).toHaveTextContent("3 databases: 1 succeeded, 2 not run");

  fireEvent.click(within(banner).getByTestId("batch-run-rest-12"));
  const dialog = await screen.findByTestId("batch");
  expect(within(dialog).getByTestId("batch-rest-of")).toHaveTextContent("The rest of batch #12");
  // Only the databases not run, in their order; the operation and target are the old batch's.
  expect(within(dialog).queryByTestId("batch-chosen-1")).not.toBeInTheDocument();
  expect(within(dialog).getByTestId("batch-chosen-2")).toBeInTheDocument();
  expect(within(dialog).getByTestId("batch-chosen-4")).toBeInTheDocument();
  expect(within(dialog).getByTestId("batch-kind")).toBeDisabled();
  expect(within(dialog).getByTestId("batch-target")).toHaveValue("head");
  expect(within(dialog).getByTestId("batch-target")).toHaveAttribute("readonly");

  const done: BatchReportView = {
    batch: { id: 13, at: "2026-11-24 16:00:00", who: "ops", operation: "upgrade", target: "head", options: "4 at a time; the rest of batch #12", finished_at: "2026-11-24 16:00:05", duration_ms: 5000 },
    summary: "2 database(s): 2 succeeded, 0 already up to date, 0 failed, 0 skipped, 0 cancelled",
    items: [{ ...line(0, profiles[1], "succeeded"), batch_id: 13 }, { ...line(1, profiles[3], "succeeded"), batch_id: 13 }],
  };
  commands.runBatchOperation.mockImplementation(() => ok(done));
  fireEvent.click(within(dialog).getByTestId("batch-start"));
  await waitFor(() => expect(within(dialog).getByTestId("batch-summary")).toHaveTextContent("2 succeeded"));
  expect(commands.runBatchOperation).toHaveBeenCalledWith(
    expect.objectContaining({ profile_ids: [2, 4], kind: "upgrade", target: "head", rest_of: 12 }),
    expect.any(String),
    expect.anything(),
  );

  // Batch #12 now says which batch ran its rest: no longer offered.
  commands.interruptedBatches.mockImplementation(() => ok([]));
  fireEvent.click(within(dialog).getByTestId("batch-close"));
  await waitFor(() => expect(screen.queryByTestId("batch-interrupted-12")).not.toBeInTheDocument());
  expect(commands.interruptedBatches).toHaveBeenCalledTimes(2);

  // An ordinary batch afterwards is not the rest of anything.
  fireEvent.click(screen.getByTestId("fleet-select-1"));
  fireEvent.click(screen.getByTestId("fleet-upgrade"));
  const fresh = await screen.findByTestId("batch");
  expect(within(fresh).queryByTestId("batch-rest-of")).not.toBeInTheDocument();
  expect(within(fresh).getByTestId("batch-kind")).not.toBeDisabled();
});
