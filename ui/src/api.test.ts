import { call, CommandError } from "./api";

test("a failed command becomes an error carrying its kind and message", async () => {
  await expect(call(Promise.resolve({ status: "ok" as const, data: 3 }))).resolves.toBe(3);
  const failed = call(Promise.resolve({ status: "error" as const, error: { kind: "database" as const, message: "nothing is listening" } }));
  await expect(failed).rejects.toBeInstanceOf(CommandError);
  await expect(failed).rejects.toThrow("nothing is listening");
});
