import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { vi } from "vitest";
import { Checkup, checkupSummary } from "./Checkup";
import type { Checkup as Report, CheckupItem, ProfileView } from "../bindings";

const commands = vi.hoisted(() => ({ checkupProfile: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });

const profile: ProfileView = {
  id: 4, name: "Acme prod", client: "Acme", environment: "production", database: "postgresql erp@db/acme", url: "postgresql://erp@db/acme", engine: "postgres", project_dir: "/p",
  auto_backup: true, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: true,
  maintenance_window: "",
};
const item = (key: string, verdict: CheckupItem["verdict"], detail: string, action = ""): CheckupItem => ({ key, title: `The ${key}`, verdict, detail, action });
const report: Report = {
  verdict: "failed", rows: ["005"], pending: ["006"],
  items: [
    item("heads", "passed", "one head, 006"),
    item("rows", "passed", "the version rows name known revisions"),
    item("drift", "failed", "column users.phone is missing", "Find who changed the schema by hand, then write a revision for it"),
    item("tenant-audit", "passed", "every table has a tenant column"),
    item("safety-checks", "passed", "no finding in the pending revisions"),
    item("backup", "warning", "the latest backup is 9 days old", "Take a backup before the next upgrade"),
    item("rehearsal", "passed", "006 rehearsed 2026-11-24 10:00:00"),
  ],
};

beforeEach(() => vi.clearAllMocks());

test("each item shows its verdict in a word, its detail, and what to do when it did not pass", async () => {
  let finish: (v: unknown) => void = () => {};
  commands.checkupProfile.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
  render(<Checkup profile={profile} onClose={() => {}} />);
  expect(commands.checkupProfile).toHaveBeenCalledWith(4);
  expect(screen.getByTestId("checkup-progress")).toHaveTextContent("Checking up…");
  expect(screen.getByTestId("checkup-again")).toBeDisabled();
  await act(async () => finish({ status: "ok", data: report }));

  expect(screen.queryByTestId("checkup-progress")).not.toBeInTheDocument();
  expect(screen.getByTestId("checkup-summary")).toHaveTextContent("5 passed, 1 warning, 1 failed");
  expect(screen.getByTestId("checkup-summary")).toHaveTextContent("Database at 005; 1 revision pending (006).");
  const drift = screen.getByTestId("checkup-item-drift");
  expect(drift).toHaveAttribute("data-verdict", "failed");
  expect(drift).toHaveTextContent("✗ failed");
  expect(drift).toHaveTextContent("The drift");
  expect(drift).toHaveTextContent("column users.phone is missing");
  expect(within(drift).getByText("Find who changed the schema by hand, then write a revision for it")).toHaveClass("muted");
  const backup = screen.getByTestId("checkup-item-backup");
  expect(backup).toHaveAttribute("data-verdict", "warning");
  expect(backup).toHaveTextContent("! warning");
  expect(backup).toHaveTextContent("Take a backup before the next upgrade");
  const heads = screen.getByTestId("checkup-item-heads");
  expect(heads).toHaveAttribute("data-verdict", "passed");
  expect(heads).toHaveTextContent("✓ passed");
  expect(heads.querySelector(".checkup-action")).toBeNull();
  expect(screen.getAllByTestId(/^checkup-item-/)).toHaveLength(7);
});

test("an error shows its message, and Check again asks once more", async () => {
  commands.checkupProfile.mockImplementationOnce(() => Promise.resolve({ status: "error", error: { kind: "database", message: "connection refused" } }));
  render(<Checkup profile={profile} onClose={() => {}} />);
  expect(await screen.findByTestId("checkup-error")).toHaveTextContent("The check-up failed: connection refused");
  expect(screen.queryByTestId("checkup-summary")).not.toBeInTheDocument();

  commands.checkupProfile.mockImplementation(() => ok({ ...report, verdict: "passed", items: [item("heads", "passed", "one head")] }));
  fireEvent.click(screen.getByTestId("checkup-again"));
  expect(await screen.findByTestId("checkup-summary")).toHaveTextContent("1 passed");
  expect(screen.queryByTestId("checkup-error")).not.toBeInTheDocument();
  expect(commands.checkupProfile).toHaveBeenCalledTimes(2);
});

test("Close and Escape close it", async () => {
  commands.checkupProfile.mockImplementation(() => ok(report));
  const onClose = vi.fn();
  render(<Checkup profile={profile} onClose={onClose} />);
  await screen.findByTestId("checkup-summary");
  fireEvent.keyDown(window, { key: "Escape" });
  expect(onClose).toHaveBeenCalledTimes(1);
  fireEvent.click(screen.getByText("Close"));
  expect(onClose).toHaveBeenCalledTimes(2);
});

test("the summary counts each verdict and leaves out the ones with none", () => {
  expect(checkupSummary(report.items.filter((i) => i.verdict === "passed"))).toBe("5 passed");
  expect(checkupSummary([item("a", "warning", ""), item("b", "warning", ""), item("c", "failed", "")])).toBe("2 warnings, 1 failed");
});
