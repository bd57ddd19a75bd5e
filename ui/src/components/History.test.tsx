import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { History } from "./History";
import type { AuditEntry } from "../bindings";

const commands = vi.hoisted(() => ({ auditLog: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

const entry = (id: number, profile_name: string): AuditEntry => ({
  id, at: "2026-11-24 15:00:00", who: "ops", profile_id: id, profile_name, operation: "upgrade", target: "heads",
  rows_before: "", rows_after: "007", duration_ms: 40, result: "succeeded", message: "", backup: id === 1 ? "/b/1.dump" : "", files: "", gate: "",
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

test("what the release gate said is shown under the entry, an override marked as such", async () => {
  commands.auditLog.mockImplementation(() =>
    Promise.resolve({
      status: "ok",
      data: [
        { ...entry(3, "Acme"), gate: "overridden by ops: emergency fix for ticket 4711 (unmet: staging, window)" },
        { ...entry(2, "Acme"), gate: "passed; reviewed by Kari" },
        entry(1, "Acme"),
      ],
    }),
  );
  render(<History profileId={1} />);
  await screen.findByTestId("history");
  const gates = screen.getAllByTestId("history-gate");
  expect(gates).toHaveLength(2);
  expect(gates[0]).toHaveTextContent("Release gate overridden by ops: emergency fix for ticket 4711 (unmet: staging, window)");
  expect(gates[0]).toHaveClass("overridden");
  expect(gates[0]).toHaveTextContent("⚠");
  expect(gates[1]).toHaveTextContent("Release gate passed; reviewed by Kari");
  expect(gates[1]).not.toHaveClass("overridden");
  expect(gates[1]).not.toHaveTextContent("⚠");
});
