import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { History } from "./History";
import type { AuditEntry } from "../bindings";

const commands = vi.hoisted(() => ({ auditLog: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

const entry = (id: number, profile_name: string): AuditEntry => ({
  id, at: "2026-11-24 15:00:00", who: "ops", profile_id: id, profile_name, operation: "upgrade", target: "heads",
  rows_before: "", rows_after: "007", duration_ms: 40, result: "succeeded", message: "", backup: id === 1 ? "/b/1.dump" : "",
});

test("the audit log shows this profile's operations, or every profile's", async () => {
  commands.auditLog.mockImplementation((id: number | null) =>
    Promise.resolve({ status: "ok", data: id === null ? [entry(2, "Globex"), entry(1, "Acme")] : [entry(1, "Acme")] }),
  );
  render(<History profileId={4} />);
  expect(await screen.findByText("succeeded · backed up")).toBeInTheDocument();
  expect(commands.auditLog).toHaveBeenLastCalledWith(4);
  expect(screen.queryByText("Globex")).not.toBeInTheDocument();
  fireEvent.click(screen.getByTestId("history-all"));
  expect(await screen.findByText("Globex")).toBeInTheDocument();
  expect(commands.auditLog).toHaveBeenLastCalledWith(null);
});
