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
  trustSshHost: vi.fn(),
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
  id: 7, name: "Neutron", client: "Infra", environment: "staging", database: "postgresql neutron@db/neutron", url: "postgresql://neutron@db/neutron?sslmode=prefer", engine: "postgres",
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

const field = (name: string) => document.querySelector(`[name=${name}]`) as HTMLInputElement;
const type = (name: string, v: string) => fireEvent.change(field(name), { target: { value: v } });

test("a profile made from the fields, no URL typed, sends the URL they make", async () => {
  const onSaved = vi.fn();
  commands.saveProfile.mockReturnValue(ok({ profile: edited, password_storage: null }));
  render(<ProfileForm editing={null} onSaved={onSaved} onClose={() => {}} />);
  expect(field("port")).toHaveAttribute("placeholder", "5432");
  expect(field("tls").value).toBe("");
  expect(screen.getByRole("option", { name: "prefer (default)" })).toBeInTheDocument();
  type("name", "Acme tenant A");
  type("host", "db.example");
  type("port", "6543");
  type("database", "erp main");
  type("user", "ann@acme");
  type("password", "s3cret");
  type("tls", "require");
  type("schema", "tenant_a");
  type("project_dir", "/srv/erp");
  // The URL box follows every change, the password never in it.
  expect(value("url")).toBe("postgresql://ann%40acme@db.example:6543/erp%20main?sslmode=require&schema=tenant_a");
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  expect(commands.saveProfile).toHaveBeenLastCalledWith(
    expect.objectContaining({ url: "postgresql://ann%40acme@db.example:6543/erp%20main?sslmode=require&schema=tenant_a", password: "s3cret" }),
  );
});

test("MySQL puts its port in the placeholder and has no schema; SQLite has a file instead of a server", async () => {
  const onSaved = vi.fn();
  commands.saveProfile.mockReturnValue(ok({ profile: edited, password_storage: null }));
  render(<ProfileForm editing={null} onSaved={onSaved} onClose={() => {}} />);
  expect(field("schema")).toBeInTheDocument();
  type("engine", "mysql");
  expect(field("port")).toHaveAttribute("placeholder", "3306");
  expect(field("schema")).toBeNull();
  type("host", "127.0.0.1");
  type("user", "root");
  type("database", "shop");
  expect(value("url")).toBe("mysql://root@127.0.0.1/shop");

  type("engine", "sqlite");
  for (const gone of ["host", "port", "database", "user", "tls", "schema"]) expect(field(gone)).toBeNull();
  type("file", "/var/app.db");
  expect(value("url")).toBe("sqlite:////var/app.db");
  type("name", "App");
  type("project_dir", "/srv/app");
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  expect(commands.saveProfile).toHaveBeenLastCalledWith(expect.objectContaining({ url: "sqlite:////var/app.db" }));
});

test("typing a URL fills the fields; a password in it moves to the Password field", async () => {
  const onSaved = vi.fn();
  commands.saveProfile.mockReturnValue(ok({ profile: edited, password_storage: null }));
  render(<ProfileForm editing={null} onSaved={onSaved} onClose={() => {}} />);
  type("url", "postgresql+psycopg2://scott:t%40ger@[::1]:6543/erp?sslmode=verify-full&schema=tenant_b&application_name=x");
  expect(value("url")).toBe("postgresql+psycopg2://scott@[::1]:6543/erp?sslmode=verify-full&schema=tenant_b&application_name=x");
  expect(value("password")).toBe("t@ger");
  expect(value("engine")).toBe("postgres");
  expect(value("host")).toBe("::1");
  expect(value("port")).toBe("6543");
  expect(value("database")).toBe("erp");
  expect(value("user")).toBe("scott");
  expect(value("tls")).toBe("verify-full");
  expect(value("schema")).toBe("tenant_b");

  // A field changed afterwards writes the URL again, keeping what the fields do not show.
  type("database", "erp2");
  expect(value("url")).toBe("postgresql+psycopg2://scott@[::1]:6543/erp2?application_name=x&sslmode=verify-full&schema=tenant_b");

  // A URL of another engine switches the form to it.
  type("url", "sqlite:///relative.db");
  expect(value("engine")).toBe("sqlite");
  expect(value("file")).toBe("relative.db");
  expect(field("host")).toBeNull();

  // A URL half typed says what is wrong and leaves the fields as they were.
  type("url", "sqlite");
  expect(screen.getByTestId("url-help")).toHaveTextContent("expected a URL like");
  expect(field("url")).toHaveAttribute("aria-invalid", "true");
  expect(value("file")).toBe("relative.db");
  type("url", "mysql://root@db/shop");
  expect(field("url")).not.toHaveAttribute("aria-invalid");
  expect(value("engine")).toBe("mysql");
  type("name", "Shop");
  type("project_dir", "/srv/shop");
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  expect(commands.saveProfile).toHaveBeenLastCalledWith(expect.objectContaining({ url: "mysql://root@db/shop", password: "t@ger" }));
});

test("a URL typed a key at a time ends up as typed, the fields following it", () => {
  render(<ProfileForm editing={null} onSaved={() => {}} onClose={() => {}} />);
  const url = "sqlite:////tmp/acme/app.db";
  for (let i = 1; i <= url.length; i++) type("url", url.slice(0, i));
  expect(value("url")).toBe(url);
  expect(value("file")).toBe("/tmp/acme/app.db");
});

test("a failed connection that names the password marks the password field and focuses it", async () => {
  commands.testConnection.mockReturnValue(
    Promise.resolve({
      status: "error",
      error: { kind: "connection", message: { message: "cannot connect to postgresql://erp@db/erp: password authentication failed for user erp", field: "password" } },
    }),
  );
  render(<ProfileForm editing={null} onSaved={() => {}} onClose={() => {}} />);
  type("host", "db");
  type("user", "erp");
  type("database", "erp");
  expect(screen.getByText("Test connection")).toBeEnabled();
  fireEvent.click(screen.getByText("Test connection"));
  expect(await screen.findByRole("alert")).toHaveTextContent("password authentication failed for user erp");
  expect(screen.getByRole("alert")).toHaveTextContent("Look at the field Password.");
  expect(commands.testConnection).toHaveBeenLastCalledWith(expect.objectContaining({ url: "postgresql://erp@db/erp" }));
  const password = field("password");
  expect(password).toHaveAttribute("aria-invalid", "true");
  expect(password).toHaveClass("invalid");
  expect(password).toHaveAccessibleDescription(/password authentication failed for user erp/);
  await waitFor(() => expect(password).toHaveFocus());
  expect(field("host")).not.toHaveAttribute("aria-invalid");

  // Typing in it takes the mark away; the words stay until the next try.
  type("password", "right");
  expect(password).not.toHaveAttribute("aria-invalid");
  expect(screen.queryByTestId("problem-password")).toBeNull();
  expect(screen.getByRole("alert")).toHaveTextContent("password authentication failed");
});

test("a failed save that names the host marks the host; a successful test says so", async () => {
  commands.saveProfile.mockReturnValue(
    Promise.resolve({ status: "error", error: { kind: "connection", message: { message: "could not reach db within 10 seconds", field: "host" } } }),
  );
  commands.testConnection.mockReturnValue(ok({ server: "PostgreSQL 16.4", latency_ms: 12, rows: ["003"] }));
  render(<ProfileForm editing={edited} onSaved={() => {}} onClose={() => {}} />);
  fireEvent.click(screen.getByText("Save"));
  expect(await screen.findByRole("alert")).toHaveTextContent("could not reach db within 10 seconds");
  await waitFor(() => expect(field("host")).toHaveFocus());
  expect(field("host")).toHaveAttribute("aria-invalid", "true");
  expect(screen.getByTestId("problem-host")).toHaveTextContent("could not reach db within 10 seconds");

  fireEvent.click(screen.getByText("Test connection"));
  expect(await screen.findByTestId("connection-ok")).toHaveTextContent("Connected in 12 ms: PostgreSQL 16.4. At 003.");
  expect(screen.queryByRole("alert")).toBeNull();
  expect(field("host")).not.toHaveAttribute("aria-invalid");
});

test("editing fills the fields from the stored URL and sends it back unchanged", async () => {
  const stored = { ...edited, url: "postgresql+psycopg2://neutron@[fe80::2]:5433/neutron?host=%2Fvar%2Frun%2Fpostgresql&sslmode=disable&schema=tenant%5Fa" };
  const onSaved = vi.fn();
  commands.saveProfile.mockReturnValue(ok({ profile: stored, password_storage: null }));
  render(<ProfileForm editing={stored} onSaved={onSaved} onClose={() => {}} />);
  expect(value("url")).toBe(stored.url);
  expect(value("engine")).toBe("postgres");
  expect(value("host")).toBe("fe80::2");
  expect(value("port")).toBe("5433");
  expect(value("database")).toBe("neutron");
  expect(value("user")).toBe("neutron");
  expect(value("tls")).toBe("disable");
  expect(value("schema")).toBe("tenant_a");
  expect(value("password")).toBe("");
  expect(screen.getByText("Connects through the Unix socket named in the URL.")).toBeInTheDocument();
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  // The password is left out: the one in the keychain stays.
  expect(commands.saveProfile).toHaveBeenLastCalledWith(
    expect.objectContaining({ id: 7, url: "postgresql+psycopg2://neutron@[fe80::2]:5433/neutron?host=%2Fvar%2Frun%2Fpostgresql&sslmode=disable&schema=tenant_a", password: null }),
  );

});

test("editing a SQLite profile fills the file from the stored URL", () => {
  render(<ProfileForm editing={{ ...edited, engine: "sqlite", url: "sqlite:////srv/app/app.db" }} onSaved={() => {}} onClose={() => {}} />);
  expect(value("engine")).toBe("sqlite");
  expect(value("file")).toBe("/srv/app/app.db");
  expect(value("url")).toBe("sqlite:////srv/app/app.db");
});

test("the SSH tunnel's fields write ssh= and ssh_key= into the URL, which is sent", async () => {
  const onSaved = vi.fn();
  commands.saveProfile.mockReturnValue(ok({ profile: edited, password_storage: null }));
  render(<ProfileForm editing={null} onSaved={onSaved} onClose={() => {}} />);
  // Folded away for a profile without a bastion.
  expect(screen.getByTestId("ssh-tunnel")).not.toHaveAttribute("open");
  expect(screen.getByTestId("ssh-tunnel-toggle")).toHaveTextContent("SSH tunnel: connect through an SSH bastion");
  expect(field("ssh_port")).toHaveAttribute("placeholder", "22");
  expect(field("ssh_key")).toHaveAttribute("placeholder", "empty: the SSH agent's keys");
  expect(screen.getByText("The key stays where it is; Stratum reads it when it connects.")).toBeInTheDocument();
  type("name", "ERP behind the bastion");
  type("project_dir", "/srv/erp");
  type("host", "10.0.0.5");
  type("port", "5432");
  type("user", "erp");
  type("database", "erp");
  type("tls", "require");
  type("schema", "tenant_a");
  type("ssh_host", "bastion.example");
  // No user yet: the Rust side's words will say what is missing.
  expect(value("url")).toBe("postgresql://erp@10.0.0.5:5432/erp?sslmode=require&ssh=@bastion.example&schema=tenant_a");
  type("ssh_user", "deploy");
  type("ssh_port", "22x");
  expect(value("ssh_port")).toBe("22");
  expect(value("url")).toBe("postgresql://erp@10.0.0.5:5432/erp?sslmode=require&ssh=deploy@bastion.example:22&schema=tenant_a");
  type("ssh_key", "/home/me/.ssh/id_ed25519");
  const url = "postgresql://erp@10.0.0.5:5432/erp?sslmode=require&ssh=deploy@bastion.example:22&ssh_key=/home/me/.ssh/id_ed25519&schema=tenant_a";
  expect(value("url")).toBe(url);
  fireEvent.click(screen.getByText("Save"));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  expect(commands.saveProfile).toHaveBeenLastCalledWith(expect.objectContaining({ url }));

  // Emptied, the bastion leaves the URL; SQLite has no tunnel.
  type("ssh_host", "");
  type("ssh_user", "");
  expect(value("url")).toBe("postgresql://erp@10.0.0.5:5432/erp?sslmode=require&schema=tenant_a");
  type("engine", "sqlite");
  expect(screen.queryByTestId("ssh-tunnel")).toBeNull();
  expect(field("ssh_host")).toBeNull();
});

test("a pasted URL with a bastion fills the SSH fields and opens the section; a stored one too", () => {
  const { unmount } = render(<ProfileForm editing={null} onSaved={() => {}} onClose={() => {}} />);
  type("url", "mysql://root@db.internal/shop?ssh=ops@[fe80::1]:2222&ssh_key=~/.ssh/id_shop");
  expect(value("engine")).toBe("mysql");
  expect(value("host")).toBe("db.internal");
  expect(value("ssh_host")).toBe("fe80::1");
  expect(value("ssh_port")).toBe("2222");
  expect(value("ssh_user")).toBe("ops");
  expect(value("ssh_key")).toBe("~/.ssh/id_shop");
  expect(screen.getByTestId("ssh-tunnel")).toHaveAttribute("open");
  // A field changed afterwards keeps the bastion in the URL.
  type("database", "shop2");
  expect(value("url")).toBe("mysql://root@db.internal/shop2?ssh=ops@[fe80::1]:2222&ssh_key=~/.ssh/id_shop");
  // A wrongly written bastion says why, the fields left as they were.
  type("url", "mysql://root@db.internal/shop?ssh=bastion");
  expect(screen.getByTestId("url-help")).toHaveTextContent("ssh=bastion: write it as user@host or user@host:port");
  expect(value("ssh_host")).toBe("fe80::1");
  unmount();

  // The Rust side's stored form (%40, %3A, %2F) opens the section with its fields filled.
  const stored = { ...edited, url: "postgresql://neutron@10.0.0.5:5432/neutron?sslmode=require&ssh=deploy%40bastion.example%3A22&ssh_key=%2Fhome%2Fme%2F.ssh%2Fid_ed25519" };
  render(<ProfileForm editing={stored} onSaved={() => {}} onClose={() => {}} />);
  expect(screen.getByTestId("ssh-tunnel")).toHaveAttribute("open");
  expect(value("ssh_host")).toBe("bastion.example");
  expect(value("ssh_port")).toBe("22");
  expect(value("ssh_user")).toBe("deploy");
  expect(value("ssh_key")).toBe("/home/me/.ssh/id_ed25519");
});

const unknownBastion = (fingerprint: string | null) =>
  Promise.resolve({
    status: "error" as const,
    error: {
      kind: "connection" as const,
      message: {
        message: `the SSH bastion deploy@bastion.example:22 is not known yet: its host key's fingerprint is ${fingerprint}`,
        field: "ssh" as const,
        ssh_fingerprint: fingerprint,
      },
    },
  });
const FINGERPRINT = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
const behindBastion = { ...edited, url: "postgresql://neutron@10.0.0.5/neutron?ssh=deploy@bastion.example:22" };

test("an SSH problem opens the section, marks the bastion host and shows the key to trust", async () => {
  commands.testConnection.mockReturnValue(unknownBastion(FINGERPRINT));
  render(<ProfileForm editing={behindBastion} onSaved={() => {}} onClose={() => {}} />);
  // Closed by hand first: the problem opens it again.
  expect(screen.getByTestId("ssh-tunnel")).toHaveAttribute("open");
  (screen.getByTestId("ssh-tunnel") as HTMLDetailsElement).open = false;
  await waitFor(() => expect(screen.getByTestId("ssh-tunnel")).not.toHaveAttribute("open"));
  expect(screen.getByTestId("ssh-tunnel-toggle")).toHaveTextContent("(deploy@bastion.example:22)");
  fireEvent.click(screen.getByText("Test connection"));
  expect(await screen.findByRole("alert")).toHaveTextContent("is not known yet");
  expect(screen.getByRole("alert")).toHaveTextContent("Look at the field SSH bastion.");
  expect(screen.getByTestId("ssh-tunnel")).toHaveAttribute("open");
  const host = field("ssh_host");
  expect(host).toHaveAttribute("aria-invalid", "true");
  expect(host).toHaveAccessibleDescription(/is not known yet/);
  await waitFor(() => expect(host).toHaveFocus());
  expect(screen.getByTestId("problem-ssh")).toHaveTextContent("is not known yet");
  expect(screen.getByTestId("ssh-fingerprint").tagName).toBe("CODE");
  expect(screen.getByTestId("ssh-fingerprint")).toHaveTextContent(FINGERPRINT);
  expect(screen.getByText("Compare it with the fingerprint the bastion's administrator gives you.")).toBeInTheDocument();
  expect(screen.getByTestId("trust-ssh-key")).toHaveTextContent("Trust this key");
  expect(commands.trustSshHost).not.toHaveBeenCalled();

  // Another bastion typed: the key shown was the old one's.
  type("ssh_host", "bastion2.example");
  expect(screen.queryByTestId("trust-ssh-key")).toBeNull();
  expect(host).not.toHaveAttribute("aria-invalid");

  // An SSH problem without a key to trust (refused login) marks the bastion, with no button.
  commands.testConnection.mockReturnValue(unknownBastion(null));
  fireEvent.click(screen.getByText("Test connection"));
  expect(await screen.findByTestId("problem-ssh")).toBeInTheDocument();
  expect(screen.queryByTestId("trust-ssh-key")).toBeNull();
});

test("Trust this key trusts the fingerprint shown for the URL sent, then tests the connection again", async () => {
  commands.testConnection.mockReset();
  commands.testConnection.mockReturnValueOnce(unknownBastion(FINGERPRINT)).mockReturnValueOnce(ok({ server: "PostgreSQL 16.4", latency_ms: 31, rows: [] }));
  commands.trustSshHost.mockReturnValue(ok(null));
  render(<ProfileForm editing={behindBastion} onSaved={() => {}} onClose={() => {}} />);
  fireEvent.click(screen.getByText("Test connection"));
  fireEvent.click(await screen.findByTestId("trust-ssh-key"));
  expect(await screen.findByTestId("connection-ok")).toHaveTextContent("Connected in 31 ms: PostgreSQL 16.4. No revision applied yet.");
  expect(commands.trustSshHost).toHaveBeenCalledTimes(1);
  expect(commands.trustSshHost).toHaveBeenCalledWith("postgresql://neutron@10.0.0.5/neutron?ssh=deploy@bastion.example:22", FINGERPRINT);
  expect(commands.testConnection).toHaveBeenCalledTimes(2);
  expect(commands.testConnection).toHaveBeenLastCalledWith(expect.objectContaining({ url: "postgresql://neutron@10.0.0.5/neutron?ssh=deploy@bastion.example:22" }));
  expect(commands.trustSshHost.mock.invocationCallOrder[0]).toBeLessThan(commands.testConnection.mock.invocationCallOrder[1]);
  expect(screen.queryByRole("alert")).toBeNull();
  expect(screen.queryByTestId("ssh-fingerprint")).toBeNull();
  expect(field("ssh_host")).not.toHaveAttribute("aria-invalid");
});

test("a key that cannot be trusted says why and tests nothing more", async () => {
  commands.testConnection.mockReset();
  commands.testConnection.mockReturnValue(unknownBastion(FINGERPRINT));
  commands.trustSshHost.mockReturnValue(Promise.resolve({ status: "error", error: { kind: "input", message: "the bastion now offers another key" } }));
  render(<ProfileForm editing={behindBastion} onSaved={() => {}} onClose={() => {}} />);
  fireEvent.click(screen.getByText("Test connection"));
  fireEvent.click(await screen.findByTestId("trust-ssh-key"));
  await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("the bastion now offers another key"));
  expect(commands.testConnection).toHaveBeenCalledTimes(1);
  expect(screen.getByTestId("trust-ssh-key")).toBeEnabled();
});
