import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { NewRevision } from "./NewRevision";
import type { ProfileView } from "../bindings";

const commands = vi.hoisted(() => ({ newRevision: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

const profile: ProfileView = { id: 3, name: "Demo", client: "", environment: "development", database: "demo.db", engine: "sqlite", project_dir: "/p", auto_backup: false, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "" };

test("a new revision is written after the head and the file is shown", async () => {
  commands.newRevision.mockReturnValue(
    Promise.resolve({ status: "ok", data: { revision: "a1b2c3d4e5f6", file: "/p/versions/a1b2c3d4e5f6_add_notes.sql", content: "-- revision: a1b2c3d4e5f6\n-- down_revision: 007\n" } }),
  );
  const onClose = vi.fn();
  render(<NewRevision profile={profile} heads={["007"]} onClose={onClose} />);
  expect(screen.getByText("It follows the head, 007.")).toBeInTheDocument();
  expect(screen.getByText("Create the file")).toBeDisabled();
  fireEvent.change(document.querySelector("[name=message]")!, { target: { value: "  add notes " } });
  fireEvent.click(screen.getByText("Create the file"));
  expect(await screen.findByTestId("revision-written")).toHaveTextContent("/p/versions/a1b2c3d4e5f6_add_notes.sql");
  expect(commands.newRevision).toHaveBeenCalledWith(3, "add notes", false);
  fireEvent.click(screen.getByText("Done"));
  expect(onClose).toHaveBeenCalledWith(expect.objectContaining({ revision: "a1b2c3d4e5f6" }));
});

test("with several heads it says to merge them first", () => {
  render(<NewRevision profile={profile} heads={["004", "005"]} onClose={() => {}} />);
  expect(screen.getByText(/has 2 heads \(004, 005\): merge them first/)).toBeInTheDocument();
});
