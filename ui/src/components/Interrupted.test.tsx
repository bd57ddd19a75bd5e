import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Interruption, RevisionRow } from "../bindings";
import { Interrupted } from "./Interrupted";

const statement = (number: number, state: Interruption["statements"][number]["state"], settled_by_catalog = false) => ({
  number,
  line: number * 2 + 5,
  sql: `CREATE TABLE t_${number} (id int)`,
  state,
  settled_by_catalog,
});

const interruption = (statements: Interruption["statements"], direction: Interruption["direction"] = "upgrade"): Interruption => ({
  revision: "004",
  direction,
  file: "versions/004_invoices.sql",
  started_by: "stratum 0.2.0 ana@desk",
  started_at: "2026-12-03 02:00:00 UTC",
  statements,
  edited: false,
  open_ended: false,
});

const rows = [{ revision: "004", down_revisions: ["003"] } as RevisionRow];

describe("an interrupted revision", () => {
  it("says which statements ran and resumes only that revision", () => {
    const onResume = vi.fn();
    render(<Interrupted interruption={interruption([statement(1, { state: "ran" }), statement(2, { state: "not_ran" }, true), statement(3, { state: "not_ran" })])} rows={rows} onResume={onResume} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Revision 004 was interrupted while upgrading.");
    expect(screen.getByTestId("journal-1")).toHaveTextContent("ran");
    expect(screen.getByTestId("journal-2")).toHaveTextContent("did not run (the catalog shows it)");
    fireEvent.click(screen.getByTestId("resume"));
    expect(onResume).toHaveBeenCalledWith({ kind: "upgrade", target: "004", resume: { doubtful_ran: null } });
  });

  it("asks whether a statement the catalog cannot settle ran", () => {
    const onResume = vi.fn();
    render(<Interrupted interruption={interruption([statement(1, { state: "in_doubt" })], "downgrade")} rows={rows} onResume={onResume} />);
    expect(screen.queryByTestId("resume")).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId("resume-not-ran"));
    expect(onResume).toHaveBeenCalledWith({ kind: "downgrade", target: "003", resume: { doubtful_ran: false } });
  });

  it("says an INVALID index is rebuilt", () => {
    render(<Interrupted interruption={interruption([statement(1, { state: "invalid_index", index: "ix_orders" }, true)])} rows={rows} onResume={() => {}} />);
    expect(screen.getByTestId("journal-1")).toHaveTextContent("left index ix_orders INVALID: rebuilt on resume");
  });

  it("tells an Alembic revision's statements by count and says the rest of its Python has not run", () => {
    const ran = { number: 1, line: null, sql: "", state: { state: "ran" as const }, settled_by_catalog: false };
    const inFlight = { ...statement(2, { state: "ran" }, true), line: null };
    render(<Interrupted interruption={{ ...interruption([ran, inFlight]), open_ended: true }} rows={rows} onResume={() => {}} />);
    expect(screen.getByTestId("journal-1")).toHaveTextContent("ran statement 1 its Python sent");
    expect(screen.getByTestId("journal-2")).toHaveTextContent("ran (the catalog shows it) CREATE TABLE t_2 (id int)");
    expect(screen.getByTestId("journal-rest")).toHaveTextContent("did not run whatever its upgrade() sends after that");
    expect(screen.getByRole("alert")).toHaveTextContent("through the project's Alembic");
  });
});
