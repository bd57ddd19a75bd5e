import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { Sidebar } from "./Sidebar";
import type { ProfileStatus, ProfileView } from "../bindings";

const profile = (id: number, client: string, environment = "development"): ProfileView => ({
  id, name: `db${id}`, client, environment, database: `sqlite file db${id}.db`, engine: "sqlite", project_dir: "/p", auto_backup: false, backup_keep: 10,
  python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [],
});

test("profiles are grouped by client, with a status dot that says where each database stands", () => {
  const profiles = [profile(1, "Acme"), profile(2, "Acme", "production"), profile(3, "Globex")];
  const statuses: ProfileStatus[] = [
    { id: 1, state: "pending", detail: "2 pending" },
    { id: 2, state: "unreachable", detail: "nothing is listening" },
  ];
  render(<Sidebar profiles={profiles} selected={1} onSelect={() => {}} statuses={statuses} onNew={() => {}} />);
  expect(screen.getByText("Acme")).toBeInTheDocument();
  expect(screen.getByText("Globex")).toBeInTheDocument();
  expect(screen.getByLabelText("revisions pending: 2 pending")).toBeInTheDocument();
  expect(screen.getByLabelText("unreachable: nothing is listening")).toBeInTheDocument();
  expect(screen.getByLabelText("not checked yet")).toBeInTheDocument();
  expect(screen.getByText("prod")).toHaveClass("env-production");
  expect(screen.getAllByText("dev")).toHaveLength(2);
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
