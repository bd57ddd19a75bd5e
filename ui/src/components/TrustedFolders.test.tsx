import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { vi } from "vitest";
import { TrustedFolders } from "./TrustedFolders";

const commands = vi.hoisted(() => ({ listTrustedFolders: vi.fn(), revokeTrustedFolder: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });
const acme = { path: "/home/ana/clients/acme-erp", trusted_at: "2026-11-30 09:00:00" };
const nordic = { path: "/home/ana/clients/nordic-shop", trusted_at: "2026-11-28 14:12:05" };

beforeEach(() => vi.clearAllMocks());

test("the trusted folders are listed and one is revoked", async () => {
  commands.listTrustedFolders.mockReturnValueOnce(ok([acme, nordic])).mockReturnValueOnce(ok([nordic]));
  commands.revokeTrustedFolder.mockReturnValue(ok(true));
  render(<TrustedFolders onClose={vi.fn()} />);
  const rows = await screen.findAllByTestId("trusted-folder");
  expect(rows).toHaveLength(2);
  expect(rows[0]).toHaveTextContent("/home/ana/clients/acme-erp");
  expect(rows[0]).toHaveTextContent("trusted 2026-11-30 09:00:00");
  expect(screen.getByTestId("trusted-folders")).toHaveTextContent("Stratum asks again before its code runs");
  fireEvent.click(within(rows[0]).getByRole("button", { name: "Revoke /home/ana/clients/acme-erp" }));
  await waitFor(() => expect(screen.getAllByTestId("trusted-folder")).toHaveLength(1));
  expect(commands.revokeTrustedFolder).toHaveBeenCalledWith("/home/ana/clients/acme-erp");
  expect(screen.getByTestId("trusted-folder")).toHaveTextContent("nordic-shop");
});

test("with no folder trusted it says when Stratum asks, and Escape closes it", async () => {
  commands.listTrustedFolders.mockReturnValue(ok([]));
  const closed = vi.fn();
  render(<TrustedFolders onClose={closed} />);
  expect(await screen.findByTestId("trusted-none")).toHaveTextContent("Stratum asks the first time an Alembic project's code would run");
  fireEvent.keyDown(window, { key: "Escape" });
  expect(closed).toHaveBeenCalled();
});

test("a revoke that fails says why and keeps the list", async () => {
  commands.listTrustedFolders.mockReturnValue(ok([acme]));
  commands.revokeTrustedFolder.mockReturnValue(Promise.resolve({ status: "error" as const, error: { kind: "store" as const, message: "the local store failed: disk I/O error" } }));
  render(<TrustedFolders onClose={vi.fn()} />);
  fireEvent.click(await screen.findByTestId("revoke-folder"));
  expect(await screen.findByRole("alert")).toHaveTextContent("disk I/O error");
  expect(screen.getByTestId("trusted-folder")).toHaveTextContent("acme-erp");
});
