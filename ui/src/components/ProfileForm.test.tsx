import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";
import { ProfileForm } from "./ProfileForm";

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const commands = vi.hoisted(() => ({
  chooseProjectFolder: vi.fn(),
  chooseAlembicIni: vi.fn(),
  readAlembicIni: vi.fn(),
  testConnection: vi.fn(),
  saveProfile: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

const value = (name: string) => (document.querySelector(`[name=${name}]`) as HTMLInputElement).value;

test("an alembic.ini fills the URL, the password and the project folder, and says what it did", async () => {
  commands.chooseAlembicIni.mockReturnValue(ok("/srv/acme/alembic.ini"));
  commands.readAlembicIni.mockReturnValue(
    ok({ name: "acme", url: "postgresql://erp@db/erp?sslmode=disable", password: "s3cret", project_dir: null, notes: ["There is no stratum.toml next to the ini: choose the migration project folder."] }),
  );
  render(<ProfileForm editing={null} onSaved={() => {}} onClose={() => {}} />);
  fireEvent.click(screen.getByText("Fill from alembic.ini…"));
  await screen.findByTestId("form-notes");
  expect(commands.readAlembicIni).toHaveBeenCalledWith("/srv/acme/alembic.ini");
  expect(value("name")).toBe("acme");
  expect(value("url")).toBe("postgresql://erp@db/erp?sslmode=disable");
  expect(value("password")).toBe("s3cret");
  expect(screen.getByTestId("form-notes")).toHaveTextContent("choose the migration project folder");
  expect(commands.saveProfile).not.toHaveBeenCalled();
});

test("the folder comes from the system dialog, and cancelling it keeps what was typed", async () => {
  render(<ProfileForm editing={null} onSaved={() => {}} onClose={() => {}} />);
  fireEvent.change(document.querySelector("[name=project_dir]")!, { target: { value: "/typed" } });
  commands.chooseProjectFolder.mockReturnValue(ok(null));
  fireEvent.click(screen.getByText("Choose…"));
  await waitFor(() => expect(commands.chooseProjectFolder).toHaveBeenCalledWith("/typed"));
  expect(value("project_dir")).toBe("/typed");
  commands.chooseProjectFolder.mockReturnValue(ok("/srv/erp/migrations"));
  fireEvent.click(screen.getByText("Choose…"));
  await waitFor(() => expect(value("project_dir")).toBe("/srv/erp/migrations"));
});

test("a failed connection test shows the database's words", async () => {
  commands.testConnection.mockReturnValue(
    Promise.resolve({ status: "error", error: { kind: "database", message: "password authentication failed for user erp" } }),
  );
  render(<ProfileForm editing={null} onSaved={() => {}} onClose={() => {}} />);
  fireEvent.change(document.querySelector("[name=url]")!, { target: { value: "postgresql://erp@db/erp" } });
  fireEvent.click(screen.getByText("Test connection"));
  expect(await screen.findByRole("alert")).toHaveTextContent("password authentication failed for user erp");
});

const edited = {
  id: 7, name: "Neutron", client: "Infra", environment: "staging", database: "postgresql neutron@db/neutron", engine: "postgres",
  project_dir: "/srv/neutron/db/migration", auto_backup: false, backup_keep: 10,
  python: "", version_table: "alembic_version_neutron", version_table_schema: "", alembic_values: "1b4c6e320f79_x.py: branch_labels = expand", tags: [],
  release_gate: false, maintenance_window: "",
};

test("the Alembic settings are folded away for a new profile, open when the profile uses them, and are sent", async () => {
  const { unmount } = render(<ProfileForm editing={null} onSaved={() => {}} onClose={() => {}} />);
  expect(screen.getByTestId("alembic-settings")).not.toHaveAttribute("open");
  unmount();

  commands.saveProfile.mockReturnValue(ok({ profile: edited, password_storage: null }));
  const onSaved = vi.fn();
  render(<ProfileForm editing={edited} onSaved={onSaved} onClose={() => {}} />);
  const section = screen.getByTestId("alembic-settings");
  expect(section).toHaveAttribute("open");
  expect(value("version_table")).toBe("alembic_version_neutron");
  expect(value("alembic_values")).toBe("1b4c6e320f79_x.py: branch_labels = expand");
  expect(document.querySelector("[name=python]")).toHaveAttribute("placeholder", "found in the project's virtualenv, or python3 on PATH");
  expect(document.querySelector("[name=version_table]")).toHaveAttribute("placeholder", "alembic_version");
  fireEvent.change(document.querySelector("[name=url]")!, { target: { value: "postgresql://neutron@db/neutron" } });
  fireEvent.change(document.querySelector("[name=python]")!, { target: { value: "/srv/neutron/.venv/bin/python" } });
  fireEvent.change(document.querySelector("[name=version_table_schema]")!, { target: { value: "migrations" } });
  fireEvent.change(document.querySelector("[name=alembic_values]")!, { target: { value: "1b4c6e320f79_x.py: branch_labels = expand\n2a16083502f3_y.py: depends_on = None" } });
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  expect(commands.saveProfile).toHaveBeenCalledWith(
    expect.objectContaining({
      id: 7,
      python: "/srv/neutron/.venv/bin/python",
      version_table: "alembic_version_neutron",
      version_table_schema: "migrations",
      alembic_values: "1b4c6e320f79_x.py: branch_labels = expand\n2a16083502f3_y.py: depends_on = None",
    }),
  );
});

test("the tags are prefilled when editing and sent back whole, so saving keeps them", async () => {
  const tagged = { ...edited, tags: ["erp", "eu-west"] };
  commands.saveProfile.mockReturnValue(ok({ profile: tagged, password_storage: null }));
  const onSaved = vi.fn();
  const { unmount } = render(<ProfileForm editing={tagged} onSaved={onSaved} onClose={() => {}} />);
  expect(value("tags")).toBe("erp, eu-west");
  fireEvent.change(document.querySelector("[name=url]")!, { target: { value: "postgresql://neutron@db/neutron" } });
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  expect(commands.saveProfile).toHaveBeenLastCalledWith(expect.objectContaining({ id: 7, tags: "erp, eu-west" }));
  unmount();

  // A new profile: what is typed is sent as it is (the backend splits it on commas).
  render(<ProfileForm editing={null} onSaved={onSaved} onClose={() => {}} />);
  expect(value("tags")).toBe("");
  fireEvent.change(document.querySelector("[name=name]")!, { target: { value: "Globex prod" } });
  fireEvent.change(document.querySelector("[name=url]")!, { target: { value: "postgresql://erp@db/globex" } });
  fireEvent.change(document.querySelector("[name=project_dir]")!, { target: { value: "/srv/erp" } });
  fireEvent.change(document.querySelector("[name=tags]")!, { target: { value: "nightly, erp" } });
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(2));
  expect(commands.saveProfile).toHaveBeenLastCalledWith(expect.objectContaining({ id: null, name: "Globex prod", tags: "nightly, erp" }));
});

const checkbox = (name: string) => document.querySelector(`[name=${name}]`) as HTMLInputElement;

test("the release gate is on for production unless changed, and the maintenance window is sent as typed", async () => {
  const onSaved = vi.fn();
  commands.saveProfile.mockReturnValue(ok({ profile: edited, password_storage: null }));
  render(<ProfileForm editing={null} onSaved={onSaved} onClose={() => {}} />);
  expect(screen.getByText(/Upgrades and downgrades need the release checklist: the same revisions run on staging, a passing rehearsal/)).toBeInTheDocument();
  expect(checkbox("release_gate")).not.toBeChecked();
  expect(checkbox("maintenance_window")).toHaveAttribute("placeholder", "Sat-Sun 22:00-06:00 Europe/Berlin");
  expect(screen.getByText(/days, hours and a time zone; empty: none scheduled/i)).toBeInTheDocument();
  fireEvent.change(document.querySelector("[name=environment]")!, { target: { value: "production" } });
  expect(checkbox("release_gate")).toBeChecked();

  fireEvent.change(document.querySelector("[name=name]")!, { target: { value: "Globex prod" } });
  fireEvent.change(document.querySelector("[name=url]")!, { target: { value: "postgresql://erp@db/globex" } });
  fireEvent.change(document.querySelector("[name=project_dir]")!, { target: { value: "/srv/erp" } });
  fireEvent.change(checkbox("maintenance_window"), { target: { value: "Sat-Sun 22:00-06:00 Europe/Berlin" } });
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  // Left alone, the gate is sent as "not set": the backend turns it on for production.
  expect(commands.saveProfile).toHaveBeenLastCalledWith(
    expect.objectContaining({ environment: "production", release_gate: null, maintenance_window: "Sat-Sun 22:00-06:00 Europe/Berlin" }),
  );

  fireEvent.click(checkbox("release_gate"));
  expect(checkbox("release_gate")).not.toBeChecked();
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(2));
  expect(commands.saveProfile).toHaveBeenLastCalledWith(expect.objectContaining({ release_gate: false }));
});

test("editing fills the release gate and the maintenance window from the profile, and sends them back", async () => {
  const gated = { ...edited, release_gate: true, maintenance_window: "Sun 02:00-04:00 UTC" };
  const onSaved = vi.fn();
  commands.saveProfile.mockReturnValue(ok({ profile: gated, password_storage: null }));
  render(<ProfileForm editing={gated} onSaved={onSaved} onClose={() => {}} />);
  // A staging profile with the gate on keeps it on: the profile's own setting wins over the default.
  expect(checkbox("release_gate")).toBeChecked();
  expect(value("maintenance_window")).toBe("Sun 02:00-04:00 UTC");
  fireEvent.change(document.querySelector("[name=url]")!, { target: { value: "postgresql://neutron@db/neutron" } });
  fireEvent.change(checkbox("maintenance_window"), { target: { value: "" } });
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  expect(commands.saveProfile).toHaveBeenLastCalledWith(expect.objectContaining({ id: 7, release_gate: true, maintenance_window: "" }));
});
