import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";
import { About } from "./About";

const commands = vi.hoisted(() => ({ about: vi.fn(), openLogFolder: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

const about = {
  version: "0.2.0",
  data_dir: "/home/ana/.local/share/app.stratum.desktop",
  log_dir: "/home/ana/.local/share/app.stratum.desktop/logs",
  store_schema: 8,
  platform: "linux x86_64",
};

test("About names the version, the data folder that uninstalling leaves alone, and the store's schema", async () => {
  commands.about.mockResolvedValue({ status: "ok", data: about });
  const closed = vi.fn();
  render(<About onClose={closed} />);
  expect(await screen.findByTestId("about-version")).toHaveTextContent("0.2.0");
  expect(screen.getByTestId("about-data-dir")).toHaveTextContent("/home/ana/.local/share/app.stratum.desktop");
  expect(screen.getByTestId("about")).toHaveTextContent("Uninstalling Stratum leaves this folder alone");
  expect(screen.getByTestId("about")).toHaveTextContent("schema 8");
  fireEvent.keyDown(window, { key: "Escape" });
  expect(closed).toHaveBeenCalled();
});

test("About shows the log folder and opens it in the file manager", async () => {
  commands.about.mockResolvedValue({ status: "ok", data: about });
  commands.openLogFolder.mockResolvedValue({ status: "ok", data: null });
  render(<About onClose={vi.fn()} />);
  expect(await screen.findByTestId("about-log-dir")).toHaveTextContent("/home/ana/.local/share/app.stratum.desktop/logs");
  expect(screen.getByTestId("about")).toHaveTextContent("never a password");
  fireEvent.click(screen.getByRole("button", { name: "Open log folder" }));
  await waitFor(() => expect(commands.openLogFolder).toHaveBeenCalledTimes(1));
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
});

test("A log folder the file manager cannot open says why", async () => {
  commands.about.mockResolvedValue({ status: "ok", data: about });
  commands.openLogFolder.mockResolvedValue({ status: "error", error: { kind: "input", message: "cannot open /x/logs in the file manager: no handler" } });
  render(<About onClose={vi.fn()} />);
  fireEvent.click(await screen.findByRole("button", { name: "Open log folder" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("no handler");
  expect(screen.getByRole("button", { name: "Open log folder" })).toBeEnabled();
});
