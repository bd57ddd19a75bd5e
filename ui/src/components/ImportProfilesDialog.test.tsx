import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";
import { ImportProfilesDialog } from "./ImportProfilesDialog";
import type { ProfilesFileView } from "../bindings";

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const commands = vi.hoisted(() => ({
  importProfiles: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

const file: ProfilesFileView = {
  path: "/home/ops/stratum-profiles.json",
  profiles: ["acme_prod", "bolt_prod", "cask_prod", "local"],
  taken: ["bolt_prod"],
  servers_wanting_a_password: ["postgresql://ops@db.example:5432", "mysql://erp@my.example:3306"],
};

beforeEach(() => vi.clearAllMocks());

test("the file's profiles are listed with the taken ones marked, and a password field for each server", () => {
  render(<ImportProfilesDialog file={file} onImported={() => {}} onClose={() => {}} />);
  const dialog = screen.getByTestId("import-dialog");
  expect(dialog).toHaveClass("modal", "form");
  expect(dialog).toHaveTextContent("/home/ops/stratum-profiles.json");
  const list = screen.getByTestId("import-profiles-list");
  const items = Array.from(list.querySelectorAll("li"));
  expect(items.map((li) => li.textContent)).toEqual(["acme_prod", "bolt_prod already here: skipped", "cask_prod", "local"]);
  const first = screen.getByLabelText("postgresql://ops@db.example:5432");
  expect(first).toBe(screen.getByTestId("import-password-0"));
  expect(first).toHaveAttribute("type", "password");
  expect(first).toHaveAttribute("name", "password-0");
  expect(first).toHaveAttribute("autocomplete", "off");
  expect(screen.getByLabelText("mysql://erp@my.example:3306")).toBe(screen.getByTestId("import-password-1"));
  expect(dialog).toHaveTextContent("Kept in the system keychain; leave empty if the server needs none or ~/.pgpass / ~/.my.cnf has it");
  expect(screen.getByTestId("import-confirm")).toHaveTextContent("Import 3 profile(s)");
});

test("only the typed passwords are sent, keyed by server, and the result says where each password came from", async () => {
  commands.importProfiles.mockReturnValue(
    ok({
      added: [
        { name: "acme_prod", server: "postgresql://ops@db.example:5432", password: { from: "given" } },
        { name: "cask_prod", server: "postgresql://ops@db.example:5432", password: { from: "profile", name: "acme_staging" } },
        { name: "dune_prod", server: "postgresql://ops@pg2.example:5432", password: { from: "client_file" } },
        { name: "erp", server: "mysql://erp@my.example:3306", password: { from: "none" } },
        { name: "local", server: "sqlite", password: { from: "not_needed" } },
      ],
      skipped: [["bolt_prod", "a profile of that name is here already"]],
    }),
  );
  const onImported = vi.fn();
  const onClose = vi.fn();
  render(<ImportProfilesDialog file={file} onImported={onImported} onClose={onClose} />);
  fireEvent.change(screen.getByTestId("import-password-0"), { target: { value: "s3cret" } });
  fireEvent.click(screen.getByTestId("import-confirm"));
  const result = await screen.findByTestId("import-result");
  expect(commands.importProfiles).toHaveBeenCalledWith("/home/ops/stratum-profiles.json", { "postgresql://ops@db.example:5432": "s3cret" });
  expect(result).toHaveTextContent("Added 5 profile(s), skipped 1.");
  const lines = Array.from(result.querySelectorAll("li")).map((li) => li.textContent);
  expect(lines).toEqual([
    "acme_prod postgresql://ops@db.example:5432 — password typed",
    "cask_prod postgresql://ops@db.example:5432 — password from the profile acme_staging of the same server",
    "dune_prod postgresql://ops@pg2.example:5432 — password from ~/.pgpass or ~/.my.cnf",
    "erp mysql://erp@my.example:3306 — no password",
    "local sqlite — SQLite file",
    "bolt_prod: a profile of that name is here already",
  ]);
  expect(screen.queryByTestId("import-confirm")).not.toBeInTheDocument();
  expect(screen.queryByTestId("import-password-0")).not.toBeInTheDocument();
  fireEvent.click(screen.getByTestId("import-close"));
  expect(onImported).toHaveBeenCalledWith(5);
  expect(onClose).not.toHaveBeenCalled();
});

test("Escape after importing still reads the profiles again", async () => {
  commands.importProfiles.mockReturnValue(ok({ added: [{ name: "local", server: "sqlite", password: { from: "not_needed" } }], skipped: [] }));
  const onImported = vi.fn();
  const onClose = vi.fn();
  render(<ImportProfilesDialog file={{ ...file, servers_wanting_a_password: [] }} onImported={onImported} onClose={onClose} />);
  fireEvent.click(screen.getByTestId("import-confirm"));
  await screen.findByTestId("import-result");
  expect(commands.importProfiles).toHaveBeenCalledWith("/home/ops/stratum-profiles.json", {});
  fireEvent.keyDown(window, { key: "Escape" });
  expect(onImported).toHaveBeenCalledWith(1);
  expect(onClose).not.toHaveBeenCalled();
});

test("Cancel and Escape close without importing", () => {
  const onClose = vi.fn();
  const onImported = vi.fn();
  render(<ImportProfilesDialog file={file} onImported={onImported} onClose={onClose} />);
  fireEvent.click(screen.getByText("Cancel"));
  fireEvent.keyDown(window, { key: "Escape" });
  expect(onClose).toHaveBeenCalledTimes(2);
  expect(commands.importProfiles).not.toHaveBeenCalled();
  expect(onImported).not.toHaveBeenCalled();
});

test("a file whose profiles are all here already has nothing to import", () => {
  render(<ImportProfilesDialog file={{ ...file, profiles: ["bolt_prod"], taken: ["bolt_prod"] }} onImported={() => {}} onClose={() => {}} />);
  expect(screen.getByTestId("import-confirm")).toHaveTextContent("Import 0 profile(s)");
  expect(screen.getByTestId("import-confirm")).toBeDisabled();
});

test("an import the backend refuses is said in the dialog, which stays", async () => {
  commands.importProfiles.mockReturnValue(Promise.resolve({ status: "error", error: { kind: "input", message: "the file is not a Stratum profiles file" } }));
  const onImported = vi.fn();
  render(<ImportProfilesDialog file={file} onImported={onImported} onClose={() => {}} />);
  fireEvent.click(screen.getByTestId("import-confirm"));
  expect(await screen.findByRole("alert")).toHaveTextContent("the file is not a Stratum profiles file");
  await waitFor(() => expect(screen.getByTestId("import-confirm")).toBeEnabled());
  expect(screen.queryByTestId("import-result")).not.toBeInTheDocument();
  expect(onImported).not.toHaveBeenCalled();
});
