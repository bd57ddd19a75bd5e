import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { onTestFinished, vi } from "vitest";
import { App } from "./App";
import { FirstLoad } from "./firstLoad";
import type { ProfileView, RevisionRow, TimelineView } from "./bindings";

const commands = vi.hoisted(() => ({
  listProfiles: vi.fn(),
  profileStatuses: vi.fn(),
  timeline: vi.fn(),
  pendingFindings: vi.fn(),
  revisionDetail: vi.fn(),
  planOperation: vi.fn(),
  saveOperationSql: vi.fn(),
  convertProject: vi.fn(),
  supplyValue: vi.fn(),
  mergeHeads: vi.fn(),
  fleetStatus: vi.fn(),
  listBatches: vi.fn(),
  interruptedBatches: vi.fn(),
  checkupProfile: vi.fn(),
  trustFolder: vi.fn(),
  listTrustedFolders: vi.fn(),
  revokeTrustedFolder: vi.fn(),
  exportProfiles: vi.fn(),
  chooseProfilesFile: vi.fn(),
  importProfiles: vi.fn(),
}));
vi.mock("./bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({ Channel: class { onmessage = () => {}; } }));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const failed = (error: unknown) => Promise.resolve({ status: "error" as const, error });

const profile: ProfileView = {
  id: 1, name: "Acme staging", client: "Acme", environment: "staging", database: "postgresql erp@db/acme", url: "postgresql://erp@db/acme", engine: "postgres",
  project_dir: "/srv/acme/alembic", auto_backup: false, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: false, maintenance_window: "",
};
const row = (revision: string, down: string[], applied: boolean, current: boolean): RevisionRow => ({
  revision, message: `revision ${revision}`, created: "2025-02-05 10:35:00", file: `versions/${revision}_x.py`, down_revisions: down, labels: [],
  lane: 0, top: [], bottom: [], is_head: !applied, is_merge_point: false, is_branch_point: false, applied, current,
});
const timeline = (format: string, rows: string[] = ["001"]): TimelineView => ({
  profile, format, lanes: 1, heads: ["002"],
  rows: [row("002", ["001"], false, false), row("001", [], true, true)],
  database: { state: "reachable", rows, pending: rows.length ? ["002"] : ["001", "002"], server: "PostgreSQL 16.2", interrupted: null },
});

beforeEach(() => {
  vi.clearAllMocks();
  commands.listProfiles.mockImplementation(() => ok([profile]));
  commands.profileStatuses.mockImplementation(() => ok([]));
  commands.pendingFindings.mockImplementation(() => ok([]));
  commands.planOperation.mockImplementation(() => ok({ rows_before: ["001"], rows_after: [], steps: [], sql: "", findings: [] }));
});

const openMenu = async () => {
  fireEvent.click(await screen.findByTestId("more-menu"));
  return screen.getByRole("menu");
};

test("a revision file's computed value is asked for, kept in the profile, and the project read again", async () => {
  commands.timeline
    .mockImplementationOnce(() =>
      failed({ kind: "computed_value", message: { message: "branch_labels is computed by the file (line 14: branch_labels = (cli.EXPAND_BRANCH,))", file: "versions/liberty/1b4c6e320f79_x.py", line: 14, name: "branch_labels" } }),
    )
    .mockImplementation(() => ok(timeline("alembic")));
  commands.supplyValue.mockImplementation(() => ok({ ...profile, alembic_values: "versions/liberty/1b4c6e320f79_x.py: branch_labels = expand" }));
  render(<App />);
  const panel = await screen.findByTestId("computed-value");
  expect(panel).toHaveTextContent("line 14: branch_labels = (cli.EXPAND_BRANCH,)");
  expect(panel).toHaveTextContent("What is the value of branch_labels in versions/liberty/1b4c6e320f79_x.py");
  expect(panel).toHaveTextContent("Edit → Alembic project settings");
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  const save = screen.getByTestId("computed-value-save");
  expect(save).toBeDisabled();
  fireEvent.change(screen.getByTestId("computed-value-input"), { target: { value: " expand " } });
  fireEvent.click(save);
  expect(await screen.findByTestId("db-summary")).toHaveTextContent("Database at 001");
  expect(commands.supplyValue).toHaveBeenCalledWith(1, "versions/liberty/1b4c6e320f79_x.py", "branch_labels", "expand");
  expect(commands.listProfiles).toHaveBeenCalledTimes(2);
  expect(commands.timeline).toHaveBeenCalledTimes(2);
  expect(screen.queryByTestId("computed-value")).not.toBeInTheDocument();
});

test("a value the backend refuses is said in the panel, which stays", async () => {
  commands.timeline.mockImplementation(() =>
    failed({ kind: "computed_value", message: { message: "down_revision is computed", file: "versions/a.py", line: 3, name: "down_revision" } }),
  );
  commands.supplyValue.mockImplementation(() => failed({ kind: "input", message: "line 1: expected `FILE: NAME = VALUE`" }));
  render(<App />);
  fireEvent.change(await screen.findByTestId("computed-value-input"), { target: { value: "x=y" } });
  fireEvent.click(screen.getByTestId("computed-value-save"));
  expect(await screen.findByTestId("computed-value-error")).toHaveTextContent("expected `FILE: NAME = VALUE`");
  expect(screen.getByTestId("computed-value")).toBeInTheDocument();
  expect(commands.timeline).toHaveBeenCalledTimes(1);
});

test("an Alembic project has its badge, and every menu entry opens the right operation or command", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("alembic")));
  commands.saveOperationSql.mockImplementation(() => ok("/home/ops/preview.sql"));
  commands.convertProject.mockImplementation(() => ok({ dir: "/srv/acme-sql", revisions: 2, dialect: "postgresql", outside_transaction: ["002"] }));
  render(<App />);
  expect(await screen.findByTestId("alembic-badge")).toHaveAttribute("title", "An Alembic project: read and planned by Stratum, run through the project's own Alembic");

  // Downgrade one step, from the toolbar.
  fireEvent.click(screen.getByTestId("downgrade-one"));
  await waitFor(() => expect(commands.planOperation).toHaveBeenLastCalledWith(1, { kind: "downgrade", target: "-1" }));
  fireEvent.click(await screen.findByTestId("close-operation"));

  // Downgrade to base.
  fireEvent.click(within(await openMenu()).getByTestId("menu-downgrade-base"));
  await waitFor(() => expect(commands.planOperation).toHaveBeenLastCalledWith(1, { kind: "downgrade", target: "base" }));
  expect(screen.queryByRole("menu")).not.toBeInTheDocument();
  fireEvent.click(await screen.findByTestId("close-operation"));

  // Stamp: the target is asked for inline, then the flow opens.
  fireEvent.click(within(await openMenu()).getByTestId("menu-stamp"));
  fireEvent.change(screen.getByTestId("stamp-target"), { target: { value: " 001 " } });
  fireEvent.click(screen.getByTestId("target-go"));
  await waitFor(() => expect(commands.planOperation).toHaveBeenLastCalledWith(1, { kind: "stamp", target: "001" }));
  expect(screen.queryByTestId("stamp-target")).not.toBeInTheDocument();
  fireEvent.click(await screen.findByTestId("close-operation"));

  // Upgrade to a typed target.
  fireEvent.click(within(await openMenu()).getByTestId("menu-upgrade-target"));
  fireEvent.change(screen.getByTestId("upgrade-target"), { target: { value: "+1" } });
  fireEvent.submit(screen.getByTestId("target-prompt"));
  await waitFor(() => expect(commands.planOperation).toHaveBeenLastCalledWith(1, { kind: "upgrade", target: "+1" }));
  fireEvent.click(await screen.findByTestId("close-operation"));

  // Save the upgrade SQL.
  fireEvent.click(within(await openMenu()).getByTestId("menu-save-sql"));
  expect(await screen.findByTestId("note")).toHaveTextContent("Saved the upgrade SQL to /home/ops/preview.sql.");
  expect(commands.saveOperationSql).toHaveBeenCalledWith(1, { kind: "upgrade", target: "heads" });

  // Convert to a SQL project.
  fireEvent.click(within(await openMenu()).getByTestId("menu-convert"));
  await waitFor(() => expect(screen.getByTestId("note")).toHaveTextContent("Converted 2 revision(s) into a postgresql SQL project in /srv/acme-sql."));
  expect(screen.getByTestId("note")).toHaveTextContent("1 run outside a transaction, as their autocommit blocks did: 002.");
  expect(commands.convertProject).toHaveBeenCalledWith(1);

  // One head: merging is offered but disabled.
  expect(within(await openMenu()).getByTestId("menu-merge-heads")).toBeDisabled();
});

test("a cancelled save dialog leaves no note, and a native project has no badge and no conversion", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native")));
  commands.saveOperationSql.mockImplementation(() => ok(null));
  render(<App />);
  await screen.findByTestId("db-summary");
  expect(screen.queryByTestId("alembic-badge")).not.toBeInTheDocument();
  const menu = await openMenu();
  expect(within(menu).queryByTestId("menu-convert")).not.toBeInTheDocument();
  fireEvent.click(within(menu).getByTestId("menu-save-sql"));
  await waitFor(() => expect(commands.saveOperationSql).toHaveBeenCalled());
  expect(screen.queryByTestId("note")).not.toBeInTheDocument();
});

test("the upgrade button says up to date only when the database said so", async () => {
  commands.timeline.mockImplementation(() => ok({ ...timeline("native"), database: { state: "unreachable", message: "connection refused" } }));
  const { unmount } = render(<App />);
  const button = await screen.findByTestId("upgrade-head");
  await waitFor(() => expect(button).toHaveAttribute("title", "The database cannot be reached: connection refused"));
  expect(button).toHaveTextContent("Upgrade to head");
  expect(button).toBeDisabled();
  unmount();

  commands.timeline.mockImplementation(() => failed({ kind: "input", message: "versions/002_x.py:3: not valid Python" }));
  render(<App />);
  expect(await screen.findByRole("alert")).toHaveTextContent("not valid Python");
  expect(screen.getByTestId("upgrade-head")).toHaveTextContent("Upgrade to head");
  expect(screen.getByTestId("upgrade-head")).not.toHaveTextContent("Up to date");
});

test("nothing applied: downgrading is disabled", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native", [])));
  render(<App />);
  await screen.findByTestId("db-summary");
  expect(screen.getByTestId("downgrade-one")).toBeDisabled();
  const menu = await openMenu();
  expect(within(menu).getByTestId("menu-downgrade-base")).toBeDisabled();
  expect(within(menu).getByTestId("menu-stamp")).toBeEnabled();
});

test("the menu is keyboard reachable and closes on Escape and on a click outside", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("alembic")));
  render(<App />);
  const button = await screen.findByTestId("more-menu");
  await screen.findByTestId("db-summary");
  await act(() => Promise.resolve()); // the timeline's findings arrive
  expect(button).toHaveAttribute("aria-haspopup", "menu");
  button.focus();
  fireEvent.keyDown(button, { key: "ArrowDown" });
  const menu = screen.getByRole("menu");
  expect(button).toHaveAttribute("aria-expanded", "true");
  const entries = within(menu).getAllByRole("menuitem").filter((b) => !(b as HTMLButtonElement).disabled);
  expect(document.activeElement).toBe(entries[0]);
  fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
  expect(document.activeElement).toBe(entries[1]);
  fireEvent.keyDown(document.activeElement!, { key: "End" });
  expect(document.activeElement).toBe(entries[entries.length - 1]);
  fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
  expect(document.activeElement).toBe(entries[0]);
  fireEvent.keyDown(document.activeElement!, { key: "Escape" });
  expect(screen.queryByRole("menu")).not.toBeInTheDocument();
  expect(document.activeElement).toBe(button);
  expect(button).toHaveAttribute("aria-expanded", "false");

  fireEvent.click(button);
  expect(screen.getByRole("menu")).toBeInTheDocument();
  fireEvent.mouseDown(screen.getByTestId("db-summary"));
  expect(screen.queryByRole("menu")).not.toBeInTheDocument();
});

test("the Fleet button and Ctrl+Shift+F show the fleet instead of the profile; a profile in the sidebar goes back to it", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native")));
  commands.listBatches.mockImplementation(() => ok([]));
  commands.interruptedBatches.mockImplementation(() => ok([]));
  commands.fleetStatus.mockImplementation(() =>
    ok([{
      profile_id: 1, name: profile.name, client: "Acme", environment: "staging", tags: [], database: profile.database, state: "pending", reason: null, server: "PostgreSQL 16.2",
      rows: ["001"], pending: ["002"], several_heads: false, project_heads: 1, last_backup: null, last_operation: null, drift: null, millis: 3,
    }]),
  );
  render(<App />);
  await screen.findByTestId("db-summary");
  expect(screen.getByTestId("fleet-count")).toHaveTextContent("1");
  fireEvent.click(screen.getByTestId("open-fleet"));
  expect(await screen.findByTestId("fleet")).toBeVisible();
  await waitFor(() => expect(screen.getByTestId("fleet-summary")).toHaveTextContent("1 database: 0 up to date, 1 behind, 0 unreachable, 0 drifted"));
  expect(screen.queryByTestId("db-summary")).not.toBeInTheDocument();
  expect(screen.getByTestId("profile-1")).not.toHaveClass("selected");
  // The profile's shortcuts wait while the fleet is shown.
  fireEvent.keyDown(window, { key: "u", ctrlKey: true });
  expect(screen.queryByTestId("operation")).not.toBeInTheDocument();
  // F5 reads the fleet again, not the profile.
  const timelines = commands.timeline.mock.calls.length;
  fireEvent.keyDown(window, { key: "F5" });
  await waitFor(() => expect(commands.fleetStatus).toHaveBeenCalledTimes(2));
  expect(commands.timeline).toHaveBeenCalledTimes(timelines);

  fireEvent.click(screen.getByTestId("profile-1"));
  expect(await screen.findByTestId("db-summary")).toBeInTheDocument();
  expect(screen.getByTestId("fleet")).not.toBeVisible();
  expect(commands.timeline).toHaveBeenCalledTimes(timelines + 1);
  expect(screen.getByTestId("profile-1")).toHaveClass("selected");

  fireEvent.keyDown(window, { key: "F", ctrlKey: true, shiftKey: true });
  await waitFor(() => expect(screen.getByTestId("fleet")).toBeVisible());
  expect(screen.queryByTestId("db-summary")).not.toBeInTheDocument();
  // Shown again: read again.
  await waitFor(() => expect(commands.fleetStatus).toHaveBeenCalledTimes(3));
});

test("Check-up… in the More menu checks up on the profile on screen; Escape closes it without touching the profile's shortcuts", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native")));
  commands.checkupProfile.mockImplementation(() =>
    ok({ verdict: "passed", rows: ["001"], pending: ["002"], items: [{ key: "heads", title: "One head", verdict: "passed", detail: "002", action: "" }] }),
  );
  render(<App />);
  await screen.findByTestId("db-summary");
  fireEvent.click(within(await openMenu()).getByTestId("more-checkup"));
  const dialog = await screen.findByTestId("checkup");
  expect(commands.checkupProfile).toHaveBeenCalledWith(1);
  expect(await within(dialog).findByTestId("checkup-summary")).toHaveTextContent("1 passed");
  // Ctrl+U belongs to the profile's toolbar, not to the open dialog.
  fireEvent.keyDown(window, { key: "u", ctrlKey: true });
  expect(screen.queryByTestId("operation")).not.toBeInTheDocument();
  fireEvent.keyDown(window, { key: "Escape" });
  expect(screen.queryByTestId("checkup")).not.toBeInTheDocument();
});

test("a revision of an untrusted Alembic folder asks first; once trusted its SQL shows, the findings are read again, and More → Trusted folders… revokes it", async () => {
  const folder = { message: "Stratum has not run this Alembic project's code: its folder /srv/acme is not trusted yet.", folder: "/srv/acme", env_py: "/srv/acme/alembic/env.py" };
  const trusted = { path: "/srv/acme", trusted_at: "2026-11-30 09:00:00" };
  // The timeline is virtualised and jsdom lays nothing out: give its scroller a size.
  const sized = [vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600), vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800)];
  onTestFinished(() => sized.forEach((s) => s.mockRestore()));
  commands.timeline.mockImplementation(() => ok(timeline("alembic")));
  commands.revisionDetail
    .mockImplementationOnce(() => failed({ kind: "untrusted", message: folder }))
    .mockImplementation(() => ok({ revision: "002", upgrade_sql: "ALTER TABLE users ADD COLUMN phone TEXT;", downgrade_sql: "", dialect: "postgresql", python: "def upgrade(): ...", note: null }));
  commands.trustFolder.mockImplementation(() => ok(trusted));
  commands.listTrustedFolders.mockImplementationOnce(() => ok([trusted])).mockImplementation(() => ok([]));
  commands.revokeTrustedFolder.mockImplementation(() => ok(true));
  render(<App />);
  fireEvent.click(await screen.findByTestId("revision-002"));
  const prompt = await screen.findByTestId("trust-prompt");
  expect(prompt).toHaveTextContent("Run this project's code?");
  expect(within(prompt).getByTestId("trust-folder")).toHaveTextContent("/srv/acme");
  const findingsBefore = commands.pendingFindings.mock.calls.length;
  fireEvent.click(within(prompt).getByTestId("trust-continue"));
  await waitFor(() => expect(document.querySelector(".detail pre.sql")).toHaveTextContent("ALTER TABLE users ADD COLUMN phone"));
  expect(commands.trustFolder).toHaveBeenCalledWith("/srv/acme");
  await waitFor(() => expect(commands.pendingFindings.mock.calls.length).toBeGreaterThan(findingsBefore));

  fireEvent.click(within(await openMenu()).getByTestId("menu-trusted-folders"));
  const dialog = await screen.findByTestId("trusted-folders");
  fireEvent.click(await within(dialog).findByTestId("revoke-folder"));
  expect(await within(dialog).findByTestId("trusted-none")).toBeInTheDocument();
  expect(commands.revokeTrustedFolder).toHaveBeenCalledWith("/srv/acme");
  fireEvent.keyDown(window, { key: "Escape" });
  expect(screen.queryByTestId("trusted-folders")).not.toBeInTheDocument();
});

test("Export profiles… says where the file went; a cancelled save dialog says nothing", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native")));
  commands.exportProfiles.mockImplementationOnce(() => ok(null)).mockImplementationOnce(() => ok("/home/ops/profiles.json"));
  render(<App />);
  await screen.findByTestId("db-summary");
  fireEvent.click(screen.getByTestId("export-profiles"));
  await waitFor(() => expect(commands.exportProfiles).toHaveBeenCalledTimes(1));
  expect(screen.queryByTestId("note")).not.toBeInTheDocument();
  fireEvent.click(screen.getByTestId("export-profiles"));
  expect(await screen.findByTestId("note")).toHaveTextContent("Exported the profiles to /home/ops/profiles.json (no passwords are in it).");
});

test("an export done from the fleet view says where the file went there too", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native")));
  commands.exportProfiles.mockImplementation(() => ok("/home/ops/profiles.json"));
  render(<App />);
  await screen.findByTestId("db-summary");
  fireEvent.click(screen.getByTestId("open-fleet"));
  expect(await screen.findByTestId("fleet")).toBeVisible();
  fireEvent.click(screen.getByTestId("export-profiles"));
  expect(await screen.findByTestId("note")).toHaveTextContent("Exported the profiles to /home/ops/profiles.json");
  expect(screen.getByTestId("fleet")).toBeVisible();
});

test("an export that fails is said", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native")));
  commands.exportProfiles.mockImplementation(() => failed({ kind: "store", message: "permission denied: /root/profiles.json" }));
  render(<App />);
  await screen.findByTestId("db-summary");
  fireEvent.click(screen.getByTestId("export-profiles"));
  expect(await screen.findByRole("alert")).toHaveTextContent("permission denied: /root/profiles.json");
  expect(screen.queryByTestId("note")).not.toBeInTheDocument();
});

test("Import profiles…: a cancelled file dialog opens nothing; a chosen file is imported and the profiles read again on Close", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("native")));
  commands.chooseProfilesFile
    .mockImplementationOnce(() => ok(null))
    .mockImplementationOnce(() => ok({ path: "/home/ops/profiles.json", profiles: ["Acme staging", "Globex"], taken: ["Acme staging"], servers_wanting_a_password: ["postgresql://ops@db.example:5432"] }));
  commands.importProfiles.mockImplementation(() =>
    ok({ added: [{ name: "Globex", server: "postgresql://ops@db.example:5432", password: { from: "given" } }], skipped: [["Acme staging", "a profile of that name is here already"]] }),
  );
  render(<App />);
  await screen.findByTestId("db-summary");
  fireEvent.click(screen.getByTestId("import-profiles"));
  await waitFor(() => expect(commands.chooseProfilesFile).toHaveBeenCalledTimes(1));
  expect(screen.queryByTestId("import-dialog")).not.toBeInTheDocument();

  fireEvent.click(screen.getByTestId("import-profiles"));
  const dialog = await screen.findByTestId("import-dialog");
  expect(dialog).toHaveTextContent("Acme staging already here: skipped");
  expect(screen.getByTestId("import-confirm")).toHaveTextContent("Import 1 profile(s)");
  fireEvent.change(screen.getByTestId("import-password-0"), { target: { value: "pw" } });
  fireEvent.click(screen.getByTestId("import-confirm"));
  expect(await screen.findByTestId("import-result")).toHaveTextContent("Globex postgresql://ops@db.example:5432 — password typed");
  expect(commands.importProfiles).toHaveBeenCalledWith("/home/ops/profiles.json", { "postgresql://ops@db.example:5432": "pw" });
  expect(commands.listProfiles).toHaveBeenCalledTimes(1);
  fireEvent.click(screen.getByTestId("import-close"));
  expect(screen.queryByTestId("import-dialog")).not.toBeInTheDocument();
  await waitFor(() => expect(commands.listProfiles).toHaveBeenCalledTimes(2));
});

test("at start-up the statuses are read once, after the timeline, which has the machine to itself", async () => {
  let answer: (t: TimelineView) => void = () => {};
  commands.timeline.mockImplementation(() => new Promise((resolve) => { answer = (t) => resolve({ status: "ok", data: t }); }));
  render(<App />);
  await waitFor(() => expect(commands.timeline).toHaveBeenCalledTimes(1));
  // Each status reads the profile's whole project: none while the timeline reads it.
  expect(commands.profileStatuses).not.toHaveBeenCalled();
  await act(async () => answer(timeline("native")));
  expect(await screen.findByTestId("db-summary")).toHaveTextContent("Database at 001");
  await waitFor(() => expect(commands.profileStatuses).toHaveBeenCalledTimes(1));
});

test("the first screen comes from the asks made while the page started, each made once", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("alembic")));
  const first = new FirstLoad();
  render(<App first={first} />);
  expect(await screen.findByTestId("db-summary")).toHaveTextContent("Database at 001");
  await waitFor(() => expect(commands.profileStatuses).toHaveBeenCalled());
  expect(commands.listProfiles).toHaveBeenCalledTimes(1);
  expect(commands.timeline).toHaveBeenCalledTimes(1);
  // Later reads are made afresh: the early answers are given once.
  expect(first.takeArrived().profiles).toBeNull();
  expect(first.takeTimeline(1)).toBeNull();
});

test("a start-up timeline refused for an untrusted folder is asked again through the trust prompt", async () => {
  const untrusted = { kind: "untrusted", message: { folder: "/srv/acme/alembic", reason: "runs the project's env.py" } };
  commands.timeline.mockImplementationOnce(() => failed(untrusted)).mockImplementation(() => ok(timeline("alembic")));
  const first = new FirstLoad();
  await first.arrived(1000);
  expect(first.takeArrived().timeline).toBeNull();
  await expect(first.takeTimeline(1)).resolves.toMatchObject({ format: "alembic" });
  expect(commands.timeline).toHaveBeenCalledTimes(2);
});

test("the early timeline is not shown for another profile, nor given twice", async () => {
  commands.timeline.mockImplementation(() => ok(timeline("alembic")));
  const first = new FirstLoad();
  await first.arrived(1000);
  expect(first.takeArrived().profiles).toEqual([profile]);
  expect(first.takeTimeline(2)).toBeNull();
  expect(first.takeTimeline(1)).toBeNull();
});

test("a slow start-up timeline leaves the profiles shown and the timeline follows when it comes", async () => {
  let answer: (v: unknown) => void = () => {};
  commands.timeline.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
  const first = new FirstLoad();
  vi.useFakeTimers({ shouldAdvanceTime: true });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  render(<App first={first} />);
  await act(async () => {
    await vi.advanceTimersByTimeAsync(1000);
  });
  expect(screen.getByRole("heading", { name: "Acme staging" })).toBeInTheDocument();
  expect(screen.queryByTestId("db-summary")).not.toBeInTheDocument();
  await act(async () => answer({ status: "ok", data: timeline("alembic") }));
  expect(await screen.findByTestId("db-summary")).toHaveTextContent("Database at 001");
  expect(commands.timeline).toHaveBeenCalledTimes(1);
});
