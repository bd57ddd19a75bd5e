// Unwraps the generated commands' `{status, data | error}` results into values or thrown
// errors with a readable message, so components can simply await them.
import type { AppError } from "./bindings";

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
