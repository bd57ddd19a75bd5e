// A database URL taken apart into the fields a connection form shows, and put back together.
// The rules follow the Rust side (crates/db/src/url.rs), which reads whatever is sent:
// SQLAlchemy's URLs (`postgresql+psycopg2://u@h/db`, `sqlite:///relative.db`,
// `sqlite:////absolute.db`) and plain ones (`postgres://`, `mysql://`, `mariadb://`).
// A password is never part of a composed URL: it belongs in the keychain.
// An SSH bastion (PostgreSQL, MySQL) is written as `?ssh=user@host:port&ssh_key=PATH`
// (crates/db/src/tunnel.rs).

export type Engine = "postgres" | "mysql" | "sqlite";

/** "" is the default: no `sslmode` written (prefer TLS, none on this machine's own loopback). */
export type TlsMode = "" | "disable" | "prefer" | "require" | "verify-ca" | "verify-full";

export type ConnectionFields = {
  engine: Engine;
  /** SQLAlchemy's driver as written after `+` (`psycopg2`), or "". */
  driver: string;
  /** Without brackets, also an IPv6 address; "" is localhost. */
  host: string;
  /** Digits, or "" for the engine's default. */
  port: string;
  database: string;
  user: string;
  tls: TlsMode;
  /** PostgreSQL: one tenant's schema, or "" for the whole database. */
  schema: string;
  /** SQLite: the file's path ("" or ":memory:": in memory). */
  file: string;
  /** An SSH bastion the database is reached through (`?ssh=user@host:port`): its user, */
  sshUser: string;
  /** its host (without brackets, also an IPv6 address; "" is no bastion), */
  sshHost: string;
  /** its port (digits, or "" for 22), */
  sshPort: string;
  /** and a private key file (`&ssh_key=`; "": the SSH agent's keys). Not for SQLite. */
  sshKey: string;
  /** Other query parameters, each as written (`key=value`), in their order: kept as they are. */
  params: string[];
};

export type Parsed = { fields: ConnectionFields; password: string | null } | { error: string };

export const DEFAULT_PORT: Record<Engine, string> = { postgres: "5432", mysql: "3306", sqlite: "" };

export const TLS_MODES: Exclude<TlsMode, "">[] = ["disable", "prefer", "require", "verify-ca", "verify-full"];

export function emptyFields(engine: Engine = "postgres"): ConnectionFields {
  return {
    engine, driver: "", host: "", port: "", database: "", user: "", tls: "", schema: "", file: "",
    sshUser: "", sshHost: "", sshPort: "", sshKey: "", params: [],
  };
}

const EXPECTED = "expected a URL like postgresql://user@host/db, mysql://user@host/db or sqlite:///file.db";
const TLS_KEYS = new Set(["sslmode", "ssl_mode", "ssl-mode", "ssl"]);
// What an opaque host (the URL standard's, which the Rust side's url crate follows) may not hold.
const NOT_IN_HOST = /[\0\t\n\r #/:<>?@[\\\]^|]/;

/** TLS mode names and the aliases the Rust side accepts (TlsMode::parse). */
export function tlsModeOf(value: string): Exclude<TlsMode, ""> | null {
  switch (value.toLowerCase().replace(/_/g, "-")) {
    case "disable":
    case "disabled":
    case "false":
      return "disable";
    case "allow":
    case "prefer":
    case "preferred":
      return "prefer";
    case "require":
    case "required":
    case "true":
      return "require";
    case "verify-ca":
      return "verify-ca";
    case "verify-full":
    case "verify-identity":
      return "verify-full";
    default:
      return null;
  }
}

/** Percent-decoding as the Rust side does it: bytes, then UTF-8 with replacement characters. */
function decode(s: string): string {
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < s.length; ) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const c = String.fromCodePoint(s.codePointAt(i)!);
      bytes.push(...utf8.encode(c));
      i += c.length;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** A query parameter's key or value (form encoding: `+` is a space). */
const decodeQuery = (s: string) => decode(s.replace(/\+/g, " "));

/** A port as Rust's `u16` parse reads it (a `+` in front allowed), or null. */
function portOf(p: string): string | null {
  return /^\+?\d+$/.test(p) && Number(p.replace("+", "")) <= 65535 ? String(Number(p.replace("+", ""))) : null;
}

type Ssh = { sshUser: string; sshHost: string; sshPort: string };

/** `ssh=user@host[:port]` as the Rust side reads it (SshSettings::parse). */
function parseSsh(spec: string): Ssh | { error: string } {
  const wrong = { error: `ssh=${spec}: write it as user@host or user@host:port` };
  const at = spec.indexOf("@");
  if (at < 0) return wrong;
  const user = spec.slice(0, at);
  const rest = spec.slice(at + 1);
  let host = rest;
  let port = "";
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    const h = rest.slice(0, colon);
    const p = rest.slice(colon + 1);
    // A colon after an IPv6 address's closing bracket only if a port follows it.
    if (!h.endsWith("]") || portOf(p) !== null) {
      const read = portOf(p);
      if (read === null) return { error: `ssh=${spec}: the port '${p}' is not a number` };
      host = h;
      port = read;
    }
  }
  host = host.replace(/^[[\]]+|[[\]]+$/g, "");
  if (!user || !host) return wrong;
  return { sshUser: user, sshHost: host, sshPort: port };
}

/** Reads a URL into the form's fields, the password (if it has one) apart. */
export function parseUrl(url: string): Parsed {
  // The URL standard drops tabs and newlines anywhere and spaces at either end.
  const raw = url.replace(/[\t\n\r]/g, "").trim();
  const at = raw.indexOf("://");
  if (at < 0) return { error: EXPECTED };
  const scheme = raw.slice(0, at);
  const rest = raw.slice(at + 3);
  const plus = scheme.indexOf("+");
  const base = (plus < 0 ? scheme : scheme.slice(0, plus)).toLowerCase();
  const driver = plus < 0 ? "" : scheme.slice(plus + 1);
  let engine: Engine;
  switch (base) {
    case "postgresql":
    case "postgres":
    case "pgsql":
      engine = "postgres";
      break;
    case "mysql":
    case "mariadb":
      engine = "mysql";
      break;
    case "sqlite":
      engine = "sqlite";
      break;
    default:
      return { error: `unsupported database '${base}' (PostgreSQL, MySQL/MariaDB and SQLite are supported)` };
  }
  const fields = { ...emptyFields(engine), driver };

  if (engine === "sqlite") {
    // sqlite:///relative.db, sqlite:////absolute.db; sqlite:// is in memory. Not percent-decoded.
    const q = rest.indexOf("?");
    const noQuery = (q < 0 ? rest : rest.slice(0, q)).trimEnd();
    fields.file = noQuery.startsWith("/") ? noQuery.slice(1) : noQuery;
    fields.params = q < 0 ? [] : rest.slice(q + 1).split("&").filter((p) => p !== "");
    return { fields, password: null };
  }

  let afterHost = rest;
  const hash = afterHost.indexOf("#");
  if (hash >= 0) afterHost = afterHost.slice(0, hash);
  const q = afterHost.indexOf("?");
  const query = q < 0 ? "" : afterHost.slice(q + 1);
  if (q >= 0) afterHost = afterHost.slice(0, q);
  const slash = afterHost.indexOf("/");
  const authority = slash < 0 ? afterHost : afterHost.slice(0, slash);
  const path = slash < 0 ? "" : afterHost.slice(slash);

  const lastAt = authority.lastIndexOf("@");
  const userinfo = lastAt < 0 ? "" : authority.slice(0, lastAt);
  const hostPort = lastAt < 0 ? authority : authority.slice(lastAt + 1);
  const colon = userinfo.indexOf(":");
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const password = colon < 0 ? "" : userinfo.slice(colon + 1);

  let host: string;
  let port: string;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close < 0 || !/^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/.test(hostPort.slice(1, close))) {
      return { error: "invalid IPv6 address in the host or port part" };
    }
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) return { error: "invalid IPv6 address in the host or port part" };
    port = after.slice(1);
  } else {
    const c = hostPort.indexOf(":");
    host = c < 0 ? hostPort : hostPort.slice(0, c);
    port = c < 0 ? "" : hostPort.slice(c + 1);
    if (NOT_IN_HOST.test(host)) return { error: "invalid domain character in the host or port part" };
    if (c >= 0 && host === "") return { error: "empty host in the host or port part" };
  }
  if (port !== "") {
    if (!/^\d+$/.test(port) || Number(port) > 65535) return { error: "invalid port number in the host or port part" };
    port = String(Number(port));
  }
  // A user or a port with no host in front of it is refused, as the Rust side refuses it.
  if (host === "" && (port !== "" || lastAt >= 0)) return { error: "empty host in the host or port part" };

  fields.host = host;
  fields.port = port;
  fields.user = decode(user);
  fields.database = decode(path.replace(/^\/+/, ""));

  for (const piece of query.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const key = decodeQuery(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? "" : decodeQuery(piece.slice(eq + 1));
    if (TLS_KEYS.has(key)) {
      const mode = tlsModeOf(value);
      if (!mode) return { error: `unknown TLS mode '${value.toLowerCase().replace(/_/g, "-")}' (disable, prefer, require, verify-ca, verify-full)` };
      fields.tls = mode;
    } else if (key === "host" && !value.startsWith("/")) {
      // libpq's host parameter: the host, as the URL's own host part would hold it.
      const bare = value.replace(/^\[(.*)\]$/, "$1");
      if (bare.includes(":") ? !/^[0-9a-fA-F:.]+$/.test(bare) : NOT_IN_HOST.test(bare)) return { error: `invalid domain character in ?host=${value}` };
      fields.host = bare;
    } else if (key === "schema") {
      if (engine !== "postgres") {
        return { error: "?schema= names a PostgreSQL schema; on MySQL each database is a schema of its own, so name it as the database" };
      }
      fields.schema = value.trim();
    } else if (key === "ssh") {
      const ssh = parseSsh(value);
      if ("error" in ssh) return ssh;
      Object.assign(fields, ssh);
    } else if (key === "ssh_key") {
      fields.sshKey = value;
    } else {
      // A Unix socket directory (`host=/var/run/postgresql`) and whatever else: kept as written.
      fields.params.push(piece);
    }
  }
  return { fields, password: password === "" ? null : decode(password) };
}

/** The URL the fields make, never with a password. */
export function composeUrl(f: ConnectionFields): string {
  const driver = f.driver ? `+${f.driver}` : "";
  if (f.engine === "sqlite") {
    // An absolute path starts with '/', which makes SQLAlchemy's four slashes.
    const file = f.file.trim();
    const query = f.params.length ? `?${f.params.join("&")}` : "";
    return `sqlite${driver}://${file ? `/${file}` : ""}${query}`;
  }
  const scheme = f.engine === "postgres" ? "postgresql" : "mysql";
  const user = f.user ? `${encodeURIComponent(f.user)}@` : "";
  let host = f.host.trim().replace(/^\[(.*)\]$/, "$1");
  if (host.includes(":")) host = `[${host}]`;
  const port = f.port.trim();
  // A user or a port needs a host in front of it; the Rust side reads an empty one as localhost.
  if (!host && (user || port)) host = "localhost";
  const path = f.database ? `/${encodeURIComponent(f.database)}` : "";
  const query = [...f.params];
  if (f.tls) query.push(`sslmode=${f.tls}`);
  query.push(...sshQuery(f));
  if (f.engine === "postgres" && f.schema.trim()) query.push(`schema=${encodeURIComponent(f.schema.trim())}`);
  return `${scheme}${driver}://${user}${host}${port ? `:${port}` : ""}${path}${query.length ? `?${query.join("&")}` : ""}`;
}

/**
 * A query value, percent-encoded but for what an SSH spec and a path are made of (`@`, `:`, `/`,
 * an IPv6 address's brackets), which a query holds as they are: `ssh=deploy@bastion:22`.
 */
const encodeReadable = (s: string) => encodeURIComponent(s).replace(/%(40|3A|2F|5B|5D)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** `ssh=` and `ssh_key=` as the fields write them: none without a bastion host or user. */
function sshQuery(f: ConnectionFields): string[] {
  let host = f.sshHost.trim().replace(/^\[(.*)\]$/, "$1");
  const user = f.sshUser.trim();
  let port = f.sshPort.trim();
  if (!host && !user) return [];
  if (host.includes(":")) {
    host = `[${host}]`;
    // The Rust side reads `user@[::1]` without a port as a port of `1]`: the default is written out.
    port ||= "22";
  }
  const query = [`ssh=${encodeReadable(`${user}@${host}${port ? `:${port}` : ""}`)}`];
  if (f.sshKey.trim()) query.push(`ssh_key=${encodeReadable(f.sshKey.trim())}`);
  return query;
}

/** The URL as written with its password (if any) taken out, the rest left as it is. */
export function withoutPassword(url: string): string {
  const at = url.indexOf("://");
  if (at < 0) return url;
  const rest = url.slice(at + 3);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const lastAt = authority.lastIndexOf("@");
  if (lastAt < 0) return url;
  const userinfo = authority.slice(0, lastAt);
  const colon = userinfo.indexOf(":");
  if (colon < 0) return url;
  const user = userinfo.slice(0, colon);
  const kept = user ? `${user}@` : "";
  return url.slice(0, at + 3) + kept + authority.slice(lastAt + 1) + (end < 0 ? "" : rest.slice(end));
}
