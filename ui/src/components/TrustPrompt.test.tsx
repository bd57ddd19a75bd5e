import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { vi } from "vitest";
import { Channel } from "@tauri-apps/api/core";
import { TrustPrompt } from "./TrustPrompt";
import { useEscape } from "./useEscape";
import { call, CommandError, commands as api, messageOf } from "../api";
import type { Progress, UntrustedFolder } from "../bindings";

const commands = vi.hoisted(() => ({ revisionDetail: vi.fn(), planOperation: vi.fn(), pendingFindings: vi.fn(), runOperation: vi.fn(), trustFolder: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const folder: UntrustedFolder = {
  message: "Stratum has not run this Alembic project's code: its folder /home/ana/clients/acme-erp is not trusted yet.",
  folder: "/home/ana/clients/acme-erp",
  env_py: "/home/ana/clients/acme-erp/alembic/env.py",
};
const refused = (f: UntrustedFolder = folder) => Promise.resolve({ status: "error" as const, error: { kind: "untrusted" as const, message: f } });
const detail = { revision: "002", upgrade_sql: "ALTER TABLE users ADD COLUMN phone TEXT;", downgrade_sql: "", dialect: "postgresql", python: "def upgrade(): ...", note: null };

beforeEach(() => vi.clearAllMocks());

/** What a component does: a command at the user's asking, its answer or its error shown. */
function Reader() {
  const [shown, setShown] = useState("");
  return (
    <>
      <button onClick={() => call(api.revisionDetail(1, "002")).then((d) => setShown(d.upgrade_sql), (e) => setShown(`error: ${messageOf(e)}`))}>Read</button>
      <output data-testid="shown">{shown}</output>
    </>
  );
}

test("a command refused for an untrusted folder asks once, and on trust runs again and answers", async () => {
  commands.revisionDetail.mockReturnValueOnce(refused()).mockReturnValueOnce(ok(detail));
  commands.trustFolder.mockReturnValue(ok({ path: folder.folder, trusted_at: "2026-11-30 09:00:00" }));
  render(
    <>
      <Reader />
      <TrustPrompt />
    </>,
  );
  fireEvent.click(screen.getByText("Read"));
  const prompt = await screen.findByTestId("trust-prompt");
  expect(prompt).toHaveTextContent("Run this project's code?");
  expect(prompt).toHaveTextContent("env.py and revision files run with your rights");
  expect(screen.getByTestId("trust-folder")).toHaveTextContent("/home/ana/clients/acme-erp");
  // Its env.py is in the folder: named once, with the folder.
  expect(screen.queryByTestId("trust-env-py")).not.toBeInTheDocument();
  // Cancel is where the focus starts: Enter alone does not trust a folder.
  expect(screen.getByTestId("trust-cancel")).toHaveFocus();
  expect(commands.revisionDetail).toHaveBeenCalledTimes(1);
  fireEvent.click(screen.getByRole("button", { name: "Trust and continue" }));
  await waitFor(() => expect(screen.getByTestId("shown")).toHaveTextContent("ALTER TABLE users ADD COLUMN phone"));
  expect(commands.trustFolder).toHaveBeenCalledWith("/home/ana/clients/acme-erp");
  expect(commands.revisionDetail).toHaveBeenCalledTimes(2);
  expect(commands.revisionDetail).toHaveBeenLastCalledWith(1, "002");
  expect(screen.queryByTestId("trust-prompt")).not.toBeInTheDocument();
});

test("Cancel trusts nothing and the command fails with the refusal", async () => {
  commands.revisionDetail.mockReturnValue(refused());
  render(
    <>
      <Reader />
      <TrustPrompt />
    </>,
  );
  fireEvent.click(screen.getByText("Read"));
  fireEvent.click(await screen.findByTestId("trust-cancel"));
  await waitFor(() => expect(screen.getByTestId("shown")).toHaveTextContent("error: Stratum has not run this Alembic project's code"));
  expect(commands.trustFolder).not.toHaveBeenCalled();
  expect(commands.revisionDetail).toHaveBeenCalledTimes(1);
});

test("commands refused together for one folder share one prompt; an env.py outside the folder is named", async () => {
  const elsewhere = { ...folder, env_py: "/srv/shared/alembic/env.py" };
  commands.revisionDetail.mockReturnValueOnce(refused(elsewhere)).mockReturnValueOnce(ok(detail));
  commands.planOperation.mockReturnValueOnce(refused(elsewhere)).mockReturnValueOnce(ok({ steps: [] }));
  commands.trustFolder.mockReturnValue(ok({ path: folder.folder, trusted_at: "2026-11-30 09:00:00" }));
  render(<TrustPrompt />);
  let both: Promise<unknown[]> = Promise.resolve([]);
  act(() => {
    both = Promise.all([call(api.revisionDetail(1, "002")), call(api.planOperation(1, { kind: "upgrade", target: "heads" }))]);
  });
  expect(await screen.findByTestId("trust-env-py")).toHaveTextContent("/srv/shared/alembic/env.py");
  expect(screen.getAllByTestId("trust-prompt")).toHaveLength(1);
  fireEvent.click(screen.getByTestId("trust-continue"));
  await expect(both).resolves.toEqual([detail, { steps: [] }]);
  expect(commands.trustFolder).toHaveBeenCalledTimes(1);
});

test("Escape cancels the prompt only, not the dialog it opened over", async () => {
  commands.revisionDetail.mockReturnValue(refused());
  const below = vi.fn();
  function Below() {
    useEscape(below);
    return <Reader />;
  }
  render(
    <>
      <Below />
      <TrustPrompt />
    </>,
  );
  fireEvent.click(screen.getByText("Read"));
  await screen.findByTestId("trust-prompt");
  fireEvent.keyDown(document.body, { key: "Escape" });
  await waitFor(() => expect(screen.queryByTestId("trust-prompt")).not.toBeInTheDocument());
  expect(below).not.toHaveBeenCalled();
  await waitFor(() => expect(screen.getByTestId("shown")).toHaveTextContent("error:"));
  // With the prompt gone, Escape reaches the dialog again.
  fireEvent.keyDown(document.body, { key: "Escape" });
  expect(below).toHaveBeenCalledTimes(1);
});

test("a run asked again after trust streams its progress to the same handler on a fresh channel", async () => {
  const progress = new Channel<Progress>();
  const seen: Progress[] = [];
  progress.onmessage = (m) => seen.push(m);
  commands.runOperation.mockReturnValueOnce(refused()).mockImplementationOnce((...args: unknown[]) => {
    const channel = args.find((a) => a instanceof Channel) as Channel<Progress>;
    expect(channel).not.toBe(progress);
    channel.onmessage({ event: "output", line: "Running upgrade  -> 001" });
    return ok({ succeeded: true });
  });
  commands.trustFolder.mockReturnValue(ok({ path: folder.folder, trusted_at: "2026-11-30 09:00:00" }));
  render(<TrustPrompt />);
  let run: Promise<unknown> = Promise.resolve();
  act(() => {
    run = call(api.runOperation(1, { kind: "upgrade", target: "heads" }, "op-1", null, null, null, progress));
  });
  fireEvent.click(await screen.findByTestId("trust-continue"));
  await expect(run).resolves.toEqual({ succeeded: true });
  expect(seen).toEqual([{ event: "output", line: "Running upgrade  -> 001" }]);
});

test("what the window reads on its own is not worth a prompt", async () => {
  commands.pendingFindings.mockReturnValue(refused());
  render(<TrustPrompt />);
  await expect(call(api.pendingFindings(1))).rejects.toBeInstanceOf(CommandError);
  expect(screen.queryByTestId("trust-prompt")).not.toBeInTheDocument();
  expect(commands.pendingFindings).toHaveBeenCalledTimes(1);
});

test("without the prompt mounted, a refusal is an ordinary error", async () => {
  commands.revisionDetail.mockReturnValue(refused());
  const e = await call(api.revisionDetail(1, "002")).catch((e: unknown) => e);
  expect(e).toBeInstanceOf(CommandError);
  expect((e as CommandError).kind).toBe("untrusted");
  expect(commands.trustFolder).not.toHaveBeenCalled();
});

test("a trust that cannot be kept is the command's error", async () => {
  commands.revisionDetail.mockReturnValue(refused());
  commands.trustFolder.mockReturnValue(Promise.resolve({ status: "error" as const, error: { kind: "input" as const, message: "cannot find the folder /home/ana/clients/acme-erp" } }));
  render(
    <>
      <Reader />
      <TrustPrompt />
    </>,
  );
  fireEvent.click(screen.getByText("Read"));
  fireEvent.click(await screen.findByTestId("trust-continue"));
  await waitFor(() => expect(screen.getByTestId("shown")).toHaveTextContent("error: cannot find the folder"));
  expect(commands.revisionDetail).toHaveBeenCalledTimes(1);
});
