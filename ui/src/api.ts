// Unwraps the generated commands' `{status, data | error}` results into values or thrown
// errors with a readable message, so components can simply await them; and asks for trust
// before an Alembic project's code runs, in one place for every command.
import { useSyncExternalStore } from "react";
import { Channel } from "@tauri-apps/api/core";
import { commands as generated, type AppError, type UntrustedFolder } from "./bindings";

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

export class CommandError extends Error {
  kind: AppError["kind"];
  error: AppError;
  constructor(e: AppError) {
    super(typeof e.message === "string" ? e.message : e.message.message);
    this.kind = e.kind;
    this.error = e;
  }
}

export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (r.status === "error") throw new CommandError(r.error);
  return r.data;
}

export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Shows the trust prompt for a folder; true when the user trusts it. */
export type TrustAsker = (folder: UntrustedFolder) => Promise<boolean>;

let asker: TrustAsker | null = null;
// One prompt per folder however many commands were refused at once (a preview asks for its
// plan and its release gate together): they all wait for the same answer.
const asking = new Map<string, Promise<Result<unknown> | null>>();
let trustGeneration = 0;
const trustListeners = new Set<() => void>();

/** The trust prompt, while it is mounted; without one a refusal is an ordinary error. */
export function setTrustAsker(a: TrustAsker): () => void {
  asker = a;
  return () => {
    if (asker === a) asker = null;
  };
}

/** Tells whoever reads what trust changes (the timeline's findings) to read it again. */
export function trustChanged() {
  trustGeneration += 1;
  trustListeners.forEach((l) => l());
}

function onTrustChange(listener: () => void): () => void {
  trustListeners.add(listener);
  return () => trustListeners.delete(listener);
}

/** A number that changes whenever a folder is trusted or revoked. */
export function useTrustGeneration(): number {
  return useSyncExternalStore(onTrustChange, () => trustGeneration);
}

/** Asks once per folder at a time; null when it is now trusted, else the result to give back. */
function askTrust(folder: UntrustedFolder, refused: Result<unknown>): Promise<Result<unknown> | null> {
  let answer = asking.get(folder.folder);
  if (!answer) {
    const ask = asker;
    answer = (ask ? ask(folder) : Promise.resolve(false))
      .then(async (yes) => {
        if (!yes) return refused;
        const trusted = await generated.trustFolder(folder.folder);
        if (trusted.status === "error") return trusted;
        trustChanged();
        return null;
      })
      .finally(() => asking.delete(folder.folder));
    asking.set(folder.folder, answer);
  }
  return answer;
}

// Tauri ends a channel when the refused command returns, so a retry needs a fresh one feeding
// the same handler.
function freshChannel(arg: unknown): unknown {
  if (!(arg instanceof Channel)) return arg;
  const old = arg;
  const fresh = new Channel<unknown>();
  fresh.onmessage = (m) => old.onmessage(m);
  return fresh;
}

/**
 * Read by the window on its own, not at the user's asking: a refusal is not worth a prompt (it
 * fails quietly), and they are read again once a folder is trusted.
 */
const ASKS_NOT = new Set<string>(["pendingFindings"]);

type Command = (...args: unknown[]) => Promise<Result<unknown>>;

/**
 * The generated commands, asking for trust when one is refused because an Alembic project's
 * folder is not trusted yet: on "Trust and continue" the folder is trusted and the same command
 * runs again; on "Cancel" the refusal is its error.
 */
export const commands: typeof generated = new Proxy(generated, {
  get(target, name, receiver) {
    const original: unknown = Reflect.get(target, name, receiver);
    if (typeof original !== "function" || typeof name !== "string" || ASKS_NOT.has(name)) return original;
    const command = original as Command;
    return async (...first: unknown[]) => {
      let args = first;
      let r = await command(...args);
      // A batch over several projects is refused once per folder, one after the other.
      const asked = new Set<string>();
      while (r.status === "error" && r.error.kind === "untrusted" && !asked.has(r.error.message.folder)) {
        asked.add(r.error.message.folder);
        const refusal = await askTrust(r.error.message, r);
        if (refusal) return refusal;
        args = args.map(freshChannel);
        r = await command(...args);
      }
      return r;
    };
  },
});
