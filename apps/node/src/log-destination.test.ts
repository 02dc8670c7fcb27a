/**
 * Proves the terminal form of log lines: a pino JSON line becomes time, level and message (plus an
 * error's message); a line that is not JSON passes through unchanged.
 */
import { describe, expect, it } from "vitest";
import { formatLogLine } from "./log-destination.js";

describe("formatLogLine", () => {
  it("shows time, level and message", () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      msg: "chat x for operator",
      who: "operator",
    });
    expect(formatLogLine(line)).toBe("03:04:05.678 INFO  chat x for operator\n");
  });
  it("adds an error's message", () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: "stream failed",
      err: { message: "boom", stack: "…" },
    });
    expect(formatLogLine(line)).toBe("00:00:00.000 ERROR stream failed: boom\n");
  });
  it("passes other text through", () => {
    expect(formatLogLine("not json")).toBe("not json\n");
  });
});
