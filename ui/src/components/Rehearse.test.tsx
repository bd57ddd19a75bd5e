import { act, fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { Rehearse } from "./Rehearse";
import type { ProfileView, Rehearsal, RehearsedStep } from "../bindings";

const commands = vi.hoisted(() => ({ rehearseProfile: vi.fn(), cancelOperation: vi.fn(), listBackups: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({ Channel: class { onmessage = () => {}; } }));

type Sent = { onmessage: (s: RehearsedStep) => void };

beforeEach(() => {
  vi.clearAllMocks();
  commands.listBackups.mockResolvedValue({ status: "ok", data: [] });
});

const profile = (environment: string): ProfileView => ({
  id: 4, name: "Acme staging", client: "Acme", environment, database: "postgresql erp@db/acme", url: "postgresql://erp@db/acme", engine: "postgres", project_dir: "/p",
  auto_backup: false, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: false, maintenance_window: "",
});
const passed = (revision: string): RehearsedStep => ({ revision, result: "passed", problems: [], upgrade_ms: 12, downgrade_ms: 8, upgrade_again_ms: 11 });
const leftBehind: RehearsedStep = {
  revision: "003", result: "failed", upgrade_ms: 20, downgrade_ms: 9, upgrade_again_ms: 0,
  problems: [{ kind: "left-behind", message: "enum type public.status_enum (active, closed) is left behind by the downgrade of 003" }],
};

test("each step shows as it ends, and a downgrade that leaves a type behind fails the rehearsal in words", async () => {
  let channel: Sent | null = null;
  let finish: (v: unknown) => void = () => {};
  commands.rehearseProfile.mockImplementation((...args: unknown[]) => {
    channel = args[6] as Sent;
    return new Promise((resolve) => (finish = resolve));
  });
  render(<Rehearse profile={profile("staging")} onClose={() => {}} />);
  fireEvent.click(screen.getByTestId("rehearse-with-data"));
  fireEvent.click(screen.getByTestId("rehearse-start"));
  expect(commands.rehearseProfile).toHaveBeenCalledWith(4, "heads", false, true, null, expect.any(String), expect.anything());
  act(() => channel!.onmessage(passed("002")));
  expect(screen.getByTestId("rehearse-progress")).toHaveTextContent("1 step done");
  expect(screen.getByTestId("rehearse-step-002")).toHaveAttribute("data-result", "passed");
  act(() => channel!.onmessage(leftBehind));
  const report: Rehearsal = { target: "heads", start: "live", scratch: "a scratch copy of the schema", rows_before: ["001"], steps: [passed("002"), leftBehind], not_rehearsed: ["004"], millis: 900 };
  await act(async () => finish({ status: "ok", data: report }));
  expect(screen.getByTestId("rehearse-summary")).toHaveTextContent("The rehearsal failed: 1 step of 3; not rehearsed after that: 004");
  expect(screen.getByTestId("rehearse-step-003")).toHaveTextContent("enum type public.status_enum (active, closed) is left behind by the downgrade of 003");
});

test("the phases a failed upgrade never reached are shown as not run", async () => {
  const failedUpgrade: RehearsedStep = {
    revision: "002", result: "failed", upgrade_ms: 3, downgrade_ms: 0, upgrade_again_ms: 0,
    problems: [{ kind: "upgrade-failed", message: "the upgrade of 002 failed: no such table: legacy_customers" }],
  };
  commands.rehearseProfile.mockResolvedValue({
    status: "ok",
    data: { target: "heads", start: "live", scratch: "a scratch copy of the database file", rows_before: [], steps: [passed("001"), failedUpgrade], not_rehearsed: [], millis: 40 },
  });
  render(<Rehearse profile={profile("development")} onClose={() => {}} />);
  fireEvent.click(screen.getByTestId("rehearse-start"));
  const row = await screen.findByTestId("rehearse-step-002");
  expect(row.querySelectorAll("td")[3]).toHaveTextContent("—");
  expect(row.querySelectorAll("td")[4]).toHaveTextContent("—");
  expect(screen.getByTestId("rehearse-step-001").querySelectorAll("td")[3]).toHaveTextContent("8 ms");
});

test("a production profile is rehearsed on its schema only, never with its rows", async () => {
  commands.rehearseProfile.mockResolvedValue({
    status: "ok",
    data: { target: "heads", start: "live", scratch: "a scratch copy of the schema", rows_before: [], steps: [passed("001")], not_rehearsed: [], millis: 40 },
  });
  render(<Rehearse profile={profile("production")} onClose={() => {}} />);
  expect(screen.queryByTestId("rehearse-with-data")).not.toBeInTheDocument();
  fireEvent.click(screen.getByTestId("rehearse-start"));
  expect(await screen.findByTestId("rehearse-summary")).toHaveTextContent("Every step passed. 1 revision from base upgrade");
  expect(commands.rehearseProfile).toHaveBeenCalledWith(4, "heads", false, false, null, expect.any(String), expect.anything());
});

test("a production profile with a backup is rehearsed from it, rows included", async () => {
  commands.listBackups.mockResolvedValue({
    status: "ok",
    data: [
      { id: 9, at: "2026-12-01 22:00:00", path: "/b/gone.dump", engine: "postgres", profile_id: 4, rows: "003", size: 10, sha256: "a", duration_ms: 3, tool_version: "", reason: "", present: false },
      { id: 8, at: "2026-11-30 22:00:00", path: "/b/acme.dump", engine: "postgres", profile_id: 4, rows: "003", size: 10, sha256: "b", duration_ms: 3, tool_version: "", reason: "", present: true },
    ],
  });
  commands.rehearseProfile.mockResolvedValue({
    status: "ok",
    data: { target: "heads", start: "backup", scratch: "a scratch database restored from the backup /b/acme.dump", rows_before: ["003"], steps: [passed("004")], not_rehearsed: [], millis: 40 },
  });
  render(<Rehearse profile={profile("production")} onClose={() => {}} />);
  fireEvent.click(await screen.findByTestId("rehearse-from-backup"));
  expect(screen.getByTestId("rehearse")).toHaveTextContent("From the latest backup (2026-11-30 22:00:00");
  fireEvent.click(screen.getByTestId("rehearse-start"));
  await screen.findByTestId("rehearse-summary");
  expect(commands.rehearseProfile).toHaveBeenCalledWith(4, "heads", false, false, 8, expect.any(String), expect.anything());
});
