import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { About } from "./About";

const commands = vi.hoisted(() => ({ about: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

test("About names the version, the data folder that uninstalling leaves alone, and the store's schema", async () => {
  commands.about.mockResolvedValue({ status: "ok", data: { version: "0.2.0", data_dir: "/home/ana/.local/share/app.stratum.desktop", store_schema: 8, platform: "linux x86_64" } });
  const closed = vi.fn();
  render(<About onClose={closed} />);
  expect(await screen.findByTestId("about-version")).toHaveTextContent("0.2.0");
  expect(screen.getByTestId("about-data-dir")).toHaveTextContent("/home/ana/.local/share/app.stratum.desktop");
  expect(screen.getByTestId("about")).toHaveTextContent("Uninstalling Stratum leaves this folder alone");
  expect(screen.getByTestId("about")).toHaveTextContent("schema 8");
  fireEvent.keyDown(window, { key: "Escape" });
  expect(closed).toHaveBeenCalled();
});
