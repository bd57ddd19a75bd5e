import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";
import { DiscoverDialog } from "./DiscoverDialog";

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const commands = vi.hoisted(() => ({
  chooseProjectFolder: vi.fn(),
  discoverDatabases: vi.fn(),
  addDiscovered: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

const found = (database: string, version_rows: string[] | null, extra = {}) => ({
  database,
  url: `postgresql://erp@db/${database}`,
  version_rows,
  unknown: [],
  name: database.replace("erp_", ""),
  client: database.split("_")[1],
  existing_profile: null,
  error: null,
  ...extra,
});

test("what the server holds is listed, the unmigrated apart and unticked, and the ticked are added", async () => {
  commands.discoverDatabases.mockReturnValue(
    ok([
      found("erp_acme_prod", ["003"]),
      found("erp_bolt_prod", [], { existing_profile: "bolt" }),
      found("erp_cask_prod", ["999"], { unknown: ["999"] }),
      found("erp_dune_prod", null),
    ]),
  );
  commands.addDiscovered.mockReturnValue(ok({ added: ["acme_prod", "cask_prod"], skipped: [] }));
  const onAdded = vi.fn();
  render(<DiscoverDialog onAdded={onAdded} onClose={() => {}} />);
  fireEvent.change(document.querySelector("[name=server]")!, { target: { value: "postgresql://erp@db/" } });
  fireEvent.change(document.querySelector("[name=project_dir]")!, { target: { value: "/srv/erp" } });
  fireEvent.change(document.querySelector("[name=databases]")!, { target: { value: "erp_*_prod" } });
  fireEvent.change(document.querySelector("[name=client_rule]")!, { target: { value: "{1}" } });
  fireEvent.click(screen.getByTestId("discover-find"));
  await screen.findByTestId("found-list");
  expect(commands.discoverDatabases).toHaveBeenCalledWith(expect.objectContaining({ server: "postgresql://erp@db/", databases: "erp_*_prod", client_rule: "{1}" }));
  expect(screen.getByTestId("found-list")).toHaveTextContent("4 database(s) match: 3 with a version table, 1 without.");
  expect(screen.getByTestId("found-list")).toHaveTextContent("not in the project: 999");
  expect(screen.getByTestId("found-list")).toHaveTextContent("already the profile bolt");
  expect(screen.getByTestId("found-erp_acme_prod")).toBeChecked();
  expect(screen.getByTestId("found-erp_bolt_prod")).toBeDisabled();
  expect(screen.getByTestId("found-erp_dune_prod")).not.toBeChecked();
  expect(screen.getByTestId("discover-add")).toHaveTextContent("Add 2 profile(s)");
  fireEvent.click(screen.getByTestId("discover-add"));
  await waitFor(() => expect(onAdded).toHaveBeenCalledWith(2));
  const [request, chosen] = commands.addDiscovered.mock.calls[0];
  expect(request).toMatchObject({ project_dir: "/srv/erp" });
  // The ticked databases as they were found: the app adds them without listing the server again.
  expect(chosen.map((f: { database: string }) => f.database)).toEqual(["erp_acme_prod", "erp_cask_prod"]);
});

test("a server that cannot be reached is said in the dialog", async () => {
  commands.discoverDatabases.mockReturnValue(Promise.resolve({ status: "error", error: { kind: "db", message: "cannot connect to db:5432: connection refused" } }));
  render(<DiscoverDialog onAdded={() => {}} onClose={() => {}} />);
  fireEvent.change(document.querySelector("[name=server]")!, { target: { value: "postgresql://erp@db/" } });
  fireEvent.change(document.querySelector("[name=project_dir]")!, { target: { value: "/srv/erp" } });
  fireEvent.click(screen.getByTestId("discover-find"));
  expect(await screen.findByRole("alert")).toHaveTextContent("connection refused");
});
