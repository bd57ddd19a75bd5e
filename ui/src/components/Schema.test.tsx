import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { Schema } from "./Schema";
import type { ProfileView, SchemaView } from "../bindings";

const commands = vi.hoisted(() => ({ databaseSchema: vi.fn(), schemaDrift: vi.fn(), schemaDiff: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));
const ok = <T,>(data: T) => Promise.resolve({ status: "ok" as const, data });

const profile = (id: number, name: string): ProfileView => ({ id, name, client: "", environment: "development", database: "db", url: "postgresql://db/db", engine: "postgres", project_dir: "/p", auto_backup: false, backup_keep: 10, python: "", version_table: "", version_table_schema: "", alembic_values: "", tags: [], release_gate: false, maintenance_window: "" });
const view: SchemaView = {
  millis: 12,
  audit: [{ rule: "cascade-delete", table: "public.invoice_lines", message: "public.invoice_lines (invoice_id) -> public.invoices deletes rows ON DELETE CASCADE" }],
  provenance: { tables: { invoices: { created: "001", last_changed: "004" } }, columns: { "invoices.total": { created: "004", last_changed: "004" } }, indexes: {} },
  schema: {
    engine: "postgres", views: [], sequences: [], enums: [],
    tables: [
      { schema: "public", name: "invoices", columns: [{ name: "id", data_type: "bigint", nullable: false, default: null, identity: "always" }, { name: "total", data_type: "numeric(12,2)", nullable: true, default: null, identity: null }], primary_key: { name: "invoices_pkey", columns: ["id"] }, unique_keys: [], indexes: [], foreign_keys: [], row_estimate: 10, size_bytes: 8192 },
      { schema: "public", name: "invoice_lines", columns: [{ name: "invoice_id", data_type: "bigint", nullable: false, default: null, identity: null }], primary_key: null, unique_keys: [], indexes: [], foreign_keys: [{ name: "fk", columns: ["invoice_id"], ref_schema: "public", ref_table: "invoices", ref_columns: ["id"], on_delete: "CASCADE", on_update: "NO ACTION" }], row_estimate: 0, size_bytes: 0 },
    ],
  },
};

test("a table shows where it came from, its keys in and out, and a diff with another profile", async () => {
  commands.databaseSchema.mockReturnValue(ok(view));
  commands.schemaDiff.mockReturnValue(ok([{ kind: "table", object: "public.invoice_lines", message: "table public.invoice_lines is in Acme but not in Globex" }]));
  render(<Schema profile={profile(1, "Acme")} profiles={[profile(1, "Acme"), profile(2, "Globex")]} />);
  expect(await screen.findByTestId("table-provenance")).toHaveTextContent("Created by revision 001, last changed by 004.");
  expect(screen.getByTestId("foreign-keys")).toHaveTextContent("invoice_lines (invoice_id) → this table ON DELETE CASCADE");
  expect(screen.getByTestId("tenant-audit")).toHaveTextContent("Tenant audit: 1 finding(s)");
  fireEvent.click(screen.getByTestId("compare-schema"));
  expect(await screen.findByTestId("diff-result")).toHaveTextContent("table public.invoice_lines is in Acme but not in Globex");
  expect(commands.schemaDiff).toHaveBeenCalledWith(1, 2);
});
