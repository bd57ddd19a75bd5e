import { render, screen } from "@testing-library/react";
import { Sidebar } from "./Sidebar";
import type { ProfileView, TimelineView } from "../bindings";

const profile = (id: number, client: string, environment = "development"): ProfileView => ({
  id, name: `db${id}`, client, environment, database: `sqlite file db${id}.db`, engine: "sqlite", project_dir: "/p",
});

test("profiles are grouped by client, with a status dot that says where the database stands", () => {
  const profiles = [profile(1, "Acme"), profile(2, "Acme", "production"), profile(3, "Globex")];
  const timeline = {
    profile: profiles[0], rows: [], lanes: 1, heads: ["007"],
    database: { state: "reachable", rows: ["003"], pending: ["004", "005"], server: "SQLite 3" },
  } as TimelineView;
  render(<Sidebar profiles={profiles} selected={1} onSelect={() => {}} timeline={timeline} />);
  expect(screen.getByText("Acme")).toBeInTheDocument();
  expect(screen.getByText("Globex")).toBeInTheDocument();
  expect(screen.getByLabelText("2 pending")).toBeInTheDocument();
  expect(screen.getAllByLabelText("not checked yet")).toHaveLength(2);
  expect(screen.getByText("prod")).toHaveClass("env-production");
  expect(screen.getAllByText("dev")).toHaveLength(2);
});
