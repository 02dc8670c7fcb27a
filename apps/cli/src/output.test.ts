/**
 * Proves the output rules: colours only on a TTY and never with NO_COLOR or --no-color, `--json` prints
 * exactly one parseable document, tables align and shorten long cells, and fields render timestamps and
 * nested objects one value per line.
 */
import { describe, expect, it } from "vitest";
import { colorEnabled, createOutput, flattenEntries, formatField, renderTable } from "./output.js";

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, write: (text: string) => chunks.push(text), text: () => chunks.join("") };
}

describe("output", () => {
  it("uses colours only on a TTY without NO_COLOR or --no-color", () => {
    expect(colorEnabled(sink(true), {}, true)).toBe(true);
    expect(colorEnabled(sink(false), {}, true)).toBe(false);
    expect(colorEnabled(sink(true), { NO_COLOR: "1" }, true)).toBe(false);
    expect(colorEnabled(sink(true), {}, false)).toBe(false);
  });

  it("prints JSON only in --json mode, and the human view otherwise", () => {
    const stdout = sink();
    const out = createOutput({ json: true, color: false, stdout, stderr: sink() });
    out.result({ a: 1 }, () => out.line("human"));
    expect(JSON.parse(stdout.text())).toEqual({ a: 1 });
    const human = sink();
    const people = createOutput({ json: false, color: false, stdout: human, stderr: sink() });
    people.result({ a: 1 }, () => people.line("human"));
    expect(human.text()).toBe("human\n");
  });

  it("aligns tables and shortens long cells", () => {
    const table = renderTable(
      [
        { name: "a", n: 5, text: "x".repeat(100) },
        { name: "bbb", n: 12_345, text: "short" },
      ],
      [
        { header: "name", value: (r) => r.name },
        { header: "n", value: (r) => r.n, align: "right" },
        { header: "text", value: (r) => r.text },
      ],
    );
    const lines = table.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+N\s+TEXT$/);
    expect(lines[2]).toMatch(/^bbb\s+12,345\s+short$/);
    expect(lines[1]?.endsWith("…")).toBe(true);
    expect(lines[1]?.length).toBeLessThan(100);
  });

  it("renders timestamps and nested objects in fields", () => {
    expect(formatField("generated_at_ms", 1_795_779_865_298)).toBe("2026-11-27T11:44:25.298Z");
    expect(formatField("timeout_ms", 5_000)).toBe("5,000");
    expect(flattenEntries([["usage", { requests: 2, spent_trm: 0 }]])).toEqual([
      ["usage.requests", 2],
      ["usage.spent_trm", 0],
    ]);
  });
});
