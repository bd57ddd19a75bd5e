import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { Sidebar } from "./Sidebar";
import type { FleetStatus, ProfileView } from "../bindings";

const profile = (id: number, client: string, environment = "development"): ProfileView => ({
  id, name: `db${id}`, client, environment, database: `sqlite file db${id}.db`, url: `sqlite:///db${id}.db`, engine: "sqlite", project_dir: "/p", auto_backup: false, backup_keep: 10,
  python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: false, maintenance_window: "",
});

const standing = (p: ProfileView, over: Partial<FleetStatus>): FleetStatus => ({
  profile_id: p.id, name: p.name, client: p.client, environment: p.environment, tags: [], database: p.database, state: "up_to_date",
  reason: null, server: null, rows: ["007"], pending: [], several_heads: false, project_heads: 1, last_backup: null, last_operation: null,
  drift: null, checkup: null, millis: 3, ...over,
});

test("profiles are grouped by client, with a status dot that says where each database stands", () => {
  const profiles = [profile(1, "Acme"), profile(2, "Acme", "production"), profile(3, "Globex"), profile(4, "Globex"), profile(5, "Initech")];
  const statuses: FleetStatus[] = [
    standing(profiles[0], { state: "pending", rows: ["005"], pending: ["006", "007"] }),
    standing(profiles[1], { state: "unreachable", rows: [], reason: "nothing is listening" }),
    standing(profiles[3], { rows: ["004", "005"], several_heads: true }),
    standing(profiles[4], {}),
  ];
  render(<Sidebar profiles={profiles} selected={1} onSelect={() => {}} statuses={statuses} onNew={() => {}} />);
  expect(screen.getByText("Acme")).toBeInTheDocument();
  expect(screen.getByText("Globex")).toBeInTheDocument();
  expect(screen.getByLabelText("2 pending")).toHaveClass("dot-pending");
  expect(screen.getByLabelText("Unreachable: nothing is listening")).toHaveClass("dot-unreachable");
  expect(screen.getByLabelText("Not checked yet")).toHaveClass("dot-unknown");
  expect(screen.getByLabelText("Several heads: at 004, 005")).toHaveClass("dot-heads");
  expect(screen.getByLabelText("Up to date")).toHaveClass("dot-ok");
  expect(screen.getByText("prod")).toHaveClass("env-production");
  expect(screen.getAllByText("dev")).toHaveLength(4);
});

test("the Fleet button shows the profile count, and while the fleet is shown no profile is highlighted", () => {
  const profiles = [profile(1, "Acme"), profile(2, "Globex")];
  const onFleet = vi.fn();
  const { rerender } = render(<Sidebar profiles={profiles} selected={1} onSelect={() => {}} statuses={[]} onNew={() => {}} onFleet={onFleet} />);
  const button = screen.getByTestId("open-fleet");
  expect(button).toHaveTextContent("Fleet");
  expect(screen.getByTestId("fleet-count")).toHaveTextContent("2");
  expect(button).toHaveAttribute("aria-pressed", "false");
  expect(screen.getByTestId("profile-1")).toHaveClass("selected");
  fireEvent.click(button);
  expect(onFleet).toHaveBeenCalled();
  rerender(<Sidebar profiles={profiles} selected={1} onSelect={() => {}} statuses={[]} onNew={() => {}} onFleet={onFleet} fleet />);
  expect(screen.getByTestId("open-fleet")).toHaveAttribute("aria-pressed", "true");
  expect(screen.getByTestId("profile-1")).not.toHaveClass("selected");
});

test("Export profiles… and Import profiles… are offered when the app handles them", () => {
  const profiles = [profile(1, "Acme")];
  const { rerender } = render(<Sidebar profiles={profiles} selected={1} onSelect={() => {}} statuses={[]} onNew={() => {}} />);
  expect(screen.queryByTestId("export-profiles")).not.toBeInTheDocument();
  expect(screen.queryByTestId("import-profiles")).not.toBeInTheDocument();
  const onExport = vi.fn();
  const onImport = vi.fn();
  rerender(<Sidebar profiles={profiles} selected={1} onSelect={() => {}} statuses={[]} onNew={() => {}} onExportProfiles={onExport} onImportProfiles={onImport} />);
  fireEvent.click(screen.getByTestId("export-profiles"));
  expect(onExport).toHaveBeenCalledTimes(1);
  expect(onImport).not.toHaveBeenCalled();
  expect(screen.getByTestId("import-profiles")).toHaveTextContent("Import profiles…");
  fireEvent.click(screen.getByTestId("import-profiles"));
  expect(onImport).toHaveBeenCalledTimes(1);
});
