import { composeUrl, emptyFields, parseUrl, tlsModeOf, withoutPassword, type ConnectionFields } from "./connectionUrl";

const fieldsOf = (url: string): ConnectionFields => {
  const parsed = parseUrl(url);
  if ("error" in parsed) throw new Error(`${url}: ${parsed.error}`);
  return parsed.fields;
};
const roundTrip = (url: string) => composeUrl(fieldsOf(url));

test("a PostgreSQL URL reads into the fields and back", () => {
  const url = "postgresql://erp@db.example:6543/erp?sslmode=require&schema=tenant_a";
  expect(parseUrl(url)).toEqual({
    fields: { ...emptyFields("postgres"), host: "db.example", port: "6543", user: "erp", database: "erp", tls: "require", schema: "tenant_a" },
    password: null,
  });
  expect(roundTrip(url)).toBe(url);
  expect(roundTrip("postgresql://db.example/erp")).toBe("postgresql://db.example/erp");
});

test("a MySQL URL reads into the fields and back; mariadb:// is MySQL", () => {
  const url = "mysql://root@127.0.0.1:3306/shop?sslmode=disable";
  expect(fieldsOf(url)).toEqual({ ...emptyFields("mysql"), host: "127.0.0.1", port: "3306", user: "root", database: "shop", tls: "disable" });
  expect(roundTrip(url)).toBe(url);
  expect(fieldsOf("mariadb://root@db/shop").engine).toBe("mysql");
  expect(roundTrip("mariadb://root@db/shop")).toBe("mysql://root@db/shop");
});

test("the other PostgreSQL schemes are PostgreSQL, written as postgresql://", () => {
  for (const scheme of ["postgres", "pgsql", "PostgreSQL"]) {
    expect(fieldsOf(`${scheme}://u@h/db`).engine).toBe("postgres");
    expect(roundTrip(`${scheme}://u@h/db`)).toBe("postgresql://u@h/db");
  }
});

test("SQLite: a relative path has three slashes, an absolute one four, none is in memory", () => {
  expect(fieldsOf("sqlite:///relative.db")).toEqual({ ...emptyFields("sqlite"), file: "relative.db" });
  expect(roundTrip("sqlite:///relative.db")).toBe("sqlite:///relative.db");
  expect(fieldsOf("sqlite:////var/app.db").file).toBe("/var/app.db");
  expect(roundTrip("sqlite:////var/app.db")).toBe("sqlite:////var/app.db");
  expect(composeUrl({ ...emptyFields("sqlite"), file: "/var/app.db" })).toBe("sqlite:////var/app.db");
  expect(composeUrl({ ...emptyFields("sqlite"), file: "data/app.db" })).toBe("sqlite:///data/app.db");
  expect(fieldsOf("sqlite://").file).toBe("");
  expect(roundTrip("sqlite://")).toBe("sqlite://");
  // Not percent-decoded, as the Rust side reads it.
  expect(fieldsOf("sqlite:///my%20file.db").file).toBe("my%20file.db");
});

test("SQLAlchemy's driver suffix is kept through a round trip", () => {
  const pg = "postgresql+psycopg2://scott@db.example:6543/erp";
  expect(fieldsOf(pg)).toMatchObject({ engine: "postgres", driver: "psycopg2" });
  expect(roundTrip(pg)).toBe(pg);
  expect(roundTrip("mysql+pymysql://root@127.0.0.1/shop")).toBe("mysql+pymysql://root@127.0.0.1/shop");
  expect(roundTrip("sqlite+pysqlite:////var/app.db")).toBe("sqlite+pysqlite:////var/app.db");
});

test("an IPv6 host is written in brackets and kept without them in the field", () => {
  expect(fieldsOf("postgresql://u@[::1]:5432/x")).toMatchObject({ host: "::1", port: "5432" });
  expect(roundTrip("postgresql://u@[::1]:5432/x")).toBe("postgresql://u@[::1]:5432/x");
  expect(composeUrl({ ...emptyFields(), host: "fe80::1", database: "x" })).toBe("postgresql://[fe80::1]/x");
  expect(composeUrl({ ...emptyFields(), host: "[::1]", database: "x" })).toBe("postgresql://[::1]/x");
  // libpq's host parameter goes into the Host field.
  expect(fieldsOf("postgresql://u@h/db?host=::1")).toMatchObject({ host: "::1", params: [] });
});

test("a user and a database with special characters are percent-encoded and read back", () => {
  const f = { ...emptyFields(), host: "db", user: "ann@acme.example", database: "erp/eu west?" };
  const url = composeUrl(f);
  expect(url).toBe(`postgresql://${encodeURIComponent("ann@acme.example")}@db/${encodeURIComponent("erp/eu west?")}`);
  expect(fieldsOf(url)).toEqual(f);
  // The Rust side's stored form encodes every non-alphanumeric character.
  expect(fieldsOf("postgresql://my%5Fuser@db/my%5Fdb")).toMatchObject({ user: "my_user", database: "my_db" });
});

test("TLS: sslmode and its other spellings, with the aliases the Rust side takes; the default writes none", () => {
  expect(fieldsOf("postgresql://u@h/db?sslmode=require").tls).toBe("require");
  expect(fieldsOf("mysql://u@h/db?ssl-mode=VERIFY_IDENTITY").tls).toBe("verify-full");
  expect(fieldsOf("mysql://u@h/db?ssl_mode=preferred").tls).toBe("prefer");
  expect(fieldsOf("postgresql://u@h/db?ssl=true").tls).toBe("require");
  expect(fieldsOf("postgresql://u@h/db").tls).toBe("");
  expect(roundTrip("postgresql://u@h/db?ssl=false")).toBe("postgresql://u@h/db?sslmode=disable");
  expect(tlsModeOf("allow")).toBe("prefer");
  expect(tlsModeOf("verify_ca")).toBe("verify-ca");
  expect(parseUrl("postgresql://u@h/db?sslmode=sometimes")).toEqual({
    error: "unknown TLS mode 'sometimes' (disable, prefer, require, verify-ca, verify-full)",
  });
  expect(composeUrl({ ...emptyFields(), host: "h", database: "db", tls: "verify-full" })).toBe("postgresql://h/db?sslmode=verify-full");
});

test("the schema is PostgreSQL's only", () => {
  expect(fieldsOf("postgresql://u@h/db?schema=tenant_a").schema).toBe("tenant_a");
  expect(composeUrl({ ...emptyFields("mysql"), host: "h", database: "db", schema: "tenant_a" })).toBe("mysql://h/db");
  expect(composeUrl({ ...emptyFields(), host: "h", database: "db", schema: "tenant a" })).toBe("postgresql://h/db?schema=tenant%20a");
  // On MySQL each database is a schema of its own: the Rust side refuses it there.
  expect(parseUrl("mysql://u@h/db?schema=x")).toEqual({ error: expect.stringContaining("names a PostgreSQL schema") });
  // As the Rust side stores it: every non-alphanumeric character encoded.
  expect(fieldsOf("postgresql://u@h/db?sslmode=prefer&schema=tenant%5Fa")).toMatchObject({ tls: "prefer", schema: "tenant_a" });
});

test("a Unix socket and unknown query parameters are kept as written, in their order", () => {
  const socket = "postgresql://erp@localhost/erp?host=/var/run/postgresql";
  expect(fieldsOf(socket)).toMatchObject({ host: "localhost", params: ["host=/var/run/postgresql"] });
  expect(roundTrip(socket)).toBe(socket);
  // As the Rust side stores it: parameters first, then sslmode.
  const stored = "postgresql://erp@localhost/erp?host=%2Fvar%2Frun%2Fpostgresql&sslmode=disable";
  expect(roundTrip(stored)).toBe(stored);
  const unknown = "postgresql://u@h/db?application_name=stratum&connect_timeout=10&sslmode=require";
  expect(fieldsOf(unknown).params).toEqual(["application_name=stratum", "connect_timeout=10"]);
  expect(roundTrip(unknown)).toBe(unknown);
});

test("a password in a pasted URL is moved out: returned apart, never composed", () => {
  const parsed = parseUrl("postgresql+psycopg2://scott:t%40ger@db.example:6543/erp?sslmode=require");
  expect(parsed).toEqual({
    fields: { ...emptyFields(), driver: "psycopg2", host: "db.example", port: "6543", user: "scott", database: "erp", tls: "require" },
    password: "t@ger",
  });
  if ("error" in parsed) throw new Error(parsed.error);
  expect(composeUrl(parsed.fields)).toBe("postgresql+psycopg2://scott@db.example:6543/erp?sslmode=require");
  expect(withoutPassword("postgresql+psycopg2://scott:t%40ger@db.example:6543/erp?x=a:b@c")).toBe("postgresql+psycopg2://scott@db.example:6543/erp?x=a:b@c");
  expect(withoutPassword("mysql://:secret@db/shop")).toBe("mysql://db/shop");
  expect(withoutPassword("mysql://root@db/shop")).toBe("mysql://root@db/shop");
  expect(parseUrl("mysql://root:@db/shop")).toMatchObject({ password: null });
});

test("an empty host is localhost, written only where the URL needs one", () => {
  expect(fieldsOf("postgresql:///erp").host).toBe("");
  expect(roundTrip("postgresql:///erp")).toBe("postgresql:///erp");
  expect(composeUrl({ ...emptyFields(), user: "erp", database: "erp" })).toBe("postgresql://erp@localhost/erp");
  expect(composeUrl({ ...emptyFields("mysql"), port: "3307" })).toBe("mysql://localhost:3307");
  expect(composeUrl(emptyFields())).toBe("postgresql://");
});

test("what is not a URL, or not one Stratum reads, says so", () => {
  expect(parseUrl("db.example/erp")).toEqual({ error: expect.stringContaining("expected a URL like postgresql://") });
  expect(parseUrl("oracle://x/y")).toEqual({ error: expect.stringContaining("unsupported database 'oracle'") });
  expect(parseUrl("postgresql://u@h:99999/db")).toEqual({ error: expect.stringContaining("invalid port") });
  expect(parseUrl("postgresql://u@h:54x/db")).toEqual({ error: expect.stringContaining("invalid port") });
  expect(parseUrl("postgresql://u@/db")).toEqual({ error: expect.stringContaining("empty host") });
  expect(parseUrl("postgresql://a b/db")).toEqual({ error: expect.stringContaining("invalid domain character") });
  expect(parseUrl("postgresql://u@[::1/db")).toEqual({ error: expect.stringContaining("IPv6") });
});

test("a URL typed a character at a time reads as far as it goes without throwing", () => {
  const url = "postgresql://erp:pw@db.example:5432/erp?sslmode=require";
  for (let i = 0; i <= url.length; i++) expect(() => parseUrl(url.slice(0, i))).not.toThrow();
  expect(fieldsOf("postgresql://e")).toMatchObject({ host: "e", user: "" });
});

test("an SSH bastion reads into its fields and back, written after sslmode and before the schema", () => {
  const url = "postgresql://erp@10.0.0.5:5432/erp?sslmode=require&ssh=deploy@bastion.example:22&ssh_key=/home/me/.ssh/id_ed25519&schema=tenant_a";
  expect(fieldsOf(url)).toEqual({
    ...emptyFields("postgres"), host: "10.0.0.5", port: "5432", user: "erp", database: "erp", tls: "require", schema: "tenant_a",
    sshUser: "deploy", sshHost: "bastion.example", sshPort: "22", sshKey: "/home/me/.ssh/id_ed25519",
  });
  expect(roundTrip(url)).toBe(url);
  // Without a key (the SSH agent's keys) and without a port (22), on MySQL too.
  const agent = "mysql://root@db.internal/shop?ssh=ops@bastion";
  expect(fieldsOf(agent)).toMatchObject({ sshUser: "ops", sshHost: "bastion", sshPort: "", sshKey: "", params: [] });
  expect(roundTrip(agent)).toBe(agent);
  expect(composeUrl({ ...emptyFields(), host: "db", database: "erp", sshUser: "deploy", sshHost: "bastion.example", sshPort: "2222", sshKey: "~/.ssh/id_ed25519" }))
    .toBe("postgresql://db/erp?ssh=deploy@bastion.example:2222&ssh_key=~/.ssh/id_ed25519");
});

test("the Rust side's stored form of a bastion (%40, %3A, %2F) reads back", () => {
  const stored = "postgresql://erp@10.0.0.5:5432/erp?sslmode=require&ssh=deploy%40bastion-example%3A22&ssh_key=%2Fhome%2Fme%2F.ssh%2Fid_ed25519&schema=tenant%5Fa";
  const f = fieldsOf(stored);
  expect(f).toMatchObject({ sshUser: "deploy", sshHost: "bastion-example", sshPort: "22", sshKey: "/home/me/.ssh/id_ed25519", schema: "tenant_a", params: [] });
  const again = composeUrl(f);
  expect(again).toBe("postgresql://erp@10.0.0.5:5432/erp?sslmode=require&ssh=deploy@bastion-example:22&ssh_key=/home/me/.ssh/id_ed25519&schema=tenant_a");
  expect(fieldsOf(again)).toEqual(f);
  // An IPv6 bastion, in brackets, as the Rust side writes it.
  const v6 = fieldsOf("postgresql://u@db/x?ssh=ops%40%5Bfe80%3A%3A1%5D%3A2222");
  expect(v6).toMatchObject({ sshUser: "ops", sshHost: "fe80::1", sshPort: "2222" });
  expect(composeUrl(v6)).toBe("postgresql://u@db/x?ssh=ops@[fe80::1]:2222");
});

test("a URL without a bastion stays without one; SQLite has none", () => {
  for (const url of ["postgresql://erp@db.example:6543/erp?sslmode=require&schema=tenant_a", "mysql://root@127.0.0.1/shop", "postgresql:///erp"]) {
    expect(fieldsOf(url)).toMatchObject({ sshUser: "", sshHost: "", sshPort: "", sshKey: "" });
    expect(roundTrip(url)).not.toContain("ssh");
    expect(roundTrip(url)).toBe(url);
  }
  // A key or a port alone makes no bastion (the Rust side drops a key without one).
  expect(composeUrl({ ...emptyFields(), host: "db", database: "x", sshKey: "/k", sshPort: "22" })).toBe("postgresql://db/x");
  expect(roundTrip("postgresql://db/x?ssh_key=/k")).toBe("postgresql://db/x");
  // SQLite: the fields are not written, a parameter of that name kept as it is.
  expect(composeUrl({ ...emptyFields("sqlite"), file: "app.db", sshUser: "u", sshHost: "b" })).toBe("sqlite:///app.db");
  expect(fieldsOf("sqlite:///app.db?ssh=u@b")).toMatchObject({ sshHost: "", params: ["ssh=u@b"] });
});

test("a bastion's spec is written so the Rust side reads it: IPv6 in brackets with its port, the rest encoded", () => {
  // `user@[::1]` without a port is refused by the Rust side: the default port is written out.
  expect(composeUrl({ ...emptyFields(), host: "db", sshUser: "ops", sshHost: "::1" })).toBe("postgresql://db?ssh=ops@[::1]:22");
  expect(composeUrl({ ...emptyFields(), host: "db", sshUser: "ops", sshHost: "[fe80::2]", sshPort: "2200" })).toBe("postgresql://db?ssh=ops@[fe80::2]:2200");
  // What a query would read otherwise (`&`, `=`, `+`, `%`, `#`, spaces) is percent-encoded.
  const odd = { ...emptyFields(), host: "db", sshUser: "ops", sshHost: "bastion", sshKey: "/keys/a&b=c+d %e#f" };
  const url = composeUrl(odd);
  expect(url).toBe("postgresql://db?ssh=ops@bastion&ssh_key=/keys/a%26b%3Dc%2Bd%20%25e%23f");
  expect(fieldsOf(url)).toEqual(odd);
});

test("a bastion the Rust side would refuse says why", () => {
  expect(parseUrl("postgresql://u@db/x?ssh=bastion")).toEqual({ error: "ssh=bastion: write it as user@host or user@host:port" });
  expect(parseUrl("postgresql://u@db/x?ssh=@bastion")).toEqual({ error: expect.stringContaining("write it as user@host") });
  expect(parseUrl("postgresql://u@db/x?ssh=ops@")).toEqual({ error: expect.stringContaining("write it as user@host") });
  expect(parseUrl("postgresql://u@db/x?ssh=ops@bastion:ssh")).toEqual({ error: "ssh=ops@bastion:ssh: the port 'ssh' is not a number" });
  expect(parseUrl("postgresql://u@db/x?ssh=ops@bastion:70000")).toEqual({ error: expect.stringContaining("not a number") });
  const url = "postgresql://erp@db/erp?ssh=deploy@bastion.example:22&ssh_key=/home/me/.ssh/id";
  for (let i = 0; i <= url.length; i++) expect(() => parseUrl(url.slice(0, i))).not.toThrow();
});
