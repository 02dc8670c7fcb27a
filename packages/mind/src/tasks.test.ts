/**
 * Proves task sets and checks: each check kind passes and fails where it should (exact trims, contains
 * and exact may ignore case, regex flags, JSON schema through core's validator, numeric tolerance on
 * the first number); JSONL is read line by line with blank lines skipped; bad input (unknown check,
 * regex that does not compile, duplicate ids, too many tasks, bad JSON) is refused naming where.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_TASK_SETS } from "./builtin-tasks.js";
import { parseCheck, passes } from "./checks.js";
import { TASKS_MAX } from "./constants.js";
import { parseTasks, parseTasksJsonl } from "./tasks.js";

describe("checks", () => {
  it("passes and fails each kind where it should", () => {
    const cases: Array<[unknown, string, boolean]> = [
      [{ type: "exact", value: "Paris" }, "  Paris\n", true],
      [{ type: "exact", value: "Paris" }, "paris", false],
      [{ type: "exact", value: "Paris", case_sensitive: false }, "paris", true],
      [{ type: "contains", value: "dog" }, "a dog ran", true],
      [{ type: "contains", value: "Dog" }, "a dog ran", false],
      [{ type: "contains", value: "Dog", case_sensitive: false }, "a dog ran", true],
      [{ type: "regex", pattern: "^\\d{3}$" }, "123", true],
      [{ type: "regex", pattern: "^abc", flags: "i" }, "ABCdef", true],
      [{ type: "regex", pattern: "^abc" }, "xabc", false],
      [
        {
          type: "json_schema",
          schema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
        },
        ' {"n": 3} ',
        true,
      ],
      [
        {
          type: "json_schema",
          schema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
        },
        '{"n": "3"}',
        false,
      ],
      [{ type: "json_schema", schema: { type: "object" } }, "not json", false],
      [{ type: "numeric", value: 42, tolerance: 0.5 }, "The answer is 42.4, surely", true],
      [{ type: "numeric", value: 42, tolerance: 0.5 }, "about 43", false],
      [{ type: "numeric", value: -1e3, tolerance: 0 }, "x = -1e3", true],
      [{ type: "numeric", value: 1, tolerance: 1 }, "no number", false],
    ];
    for (const [check, answer, expected] of cases)
      expect([check, answer, passes(parseCheck(check), answer)]).toEqual([check, answer, expected]);
  });

  it("refuses checks it cannot run", () => {
    for (const bad of [
      { type: "fuzzy", value: "x" },
      { type: "regex", pattern: "(" },
      { type: "regex", pattern: "a", flags: "g" },
      { type: "contains", value: "" },
      { type: "numeric", value: 1, tolerance: -1 },
      { type: "json_schema", schema: { type: "nonsense" } },
    ])
      expect(() => parseCheck(bad)).toThrow(/check/);
  });
});

describe("task sets", () => {
  it("reads JSONL with defaults and blank lines skipped", () => {
    const set = parseTasksJsonl(
      '{"prompt":"2+2?","check":{"type":"numeric","value":4,"tolerance":0}}\n\n{"id":"b","prompt":"Hi","route":"chat","max_tokens":8,"check":{"type":"contains","value":"hello"}}\n',
      "mine",
    );
    expect(set.name).toBe("mine");
    expect(set.tasks.map((t) => [t.id, t.route, t.max_tokens])).toEqual([
      ["task-1", "default", 48],
      ["b", "chat", 8],
    ]);
  });

  it("refuses bad sets naming the line or task", () => {
    expect(() => parseTasksJsonl('{"prompt":"a","check":{"type":"contains","value":"x"}}\nnope')).toThrow(
      /line 2/,
    );
    const task = { id: "x", prompt: "a", check: { type: "contains", value: "x" } };
    expect(() => parseTasks([task, task])).toThrow(/unique/);
    expect(() => parseTasks([{ prompt: "a", check: { type: "bogus" } }])).toThrow(/task 1/);
    expect(() => parseTasks([{ prompt: "a", max_tokens: 0, check: task.check }])).toThrow(/max_tokens/);
    expect(() =>
      parseTasks(Array.from({ length: TASKS_MAX + 1 }, () => ({ prompt: "a", check: task.check }))),
    ).toThrow(/tasks/);
    expect(() => parseTasks([])).toThrow(/tasks/);
  });

  it("ships the built-in stories set", () => {
    expect(BUILTIN_TASK_SETS.stories?.tasks.map((t) => t.check)).toEqual(
      ["Lily", "dog", "ball", "cat", "tree", "toy"].map((value) => ({ type: "contains", value })),
    );
  });
});
