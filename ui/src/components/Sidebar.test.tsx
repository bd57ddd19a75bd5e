import { render, screen } from "@testing-library/react";
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
