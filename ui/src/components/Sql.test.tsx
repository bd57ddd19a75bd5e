import { render } from "@testing-library/react";
import { Sql } from "./Sql";

test("SQL is highlighted and its text is escaped, never interpreted", () => {
  const { container } = render(<Sql code={"SELECT '<b>x</b>' FROM t; -- note"} />);
  expect(container.querySelector(".hljs-keyword")?.textContent).toBe("SELECT");
  expect(container.querySelector("b")).toBeNull();
  expect(container.textContent).toBe("SELECT '<b>x</b>' FROM t; -- note");
});
