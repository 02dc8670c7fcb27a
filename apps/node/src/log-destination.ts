/**
 * Where the node's log goes: JSON lines (pino) on standard error for machines, or — when standard error
 * is a terminal — one human-readable line per entry (`12:03:04.567 INFO  chat stories260K for operator
 * on local: …`), since the message of every operator-facing line already says everything.
 * @module
 */
import pino from "pino";

const LEVELS: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** One JSON log line as a terminal line: time, level, message, and the error's message if any. */
export function formatLogLine(line: string): string {
  let entry: { time?: number; level?: number; msg?: string; err?: { message?: string } };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 23) : "";
  const level = LEVELS[entry.level ?? 30] ?? String(entry.level);
  const error = typeof entry.err?.message === "string" ? `: ${entry.err.message}` : "";
  return `${time} ${level.padEnd(5)} ${entry.msg ?? ""}${error}\n`;
}

/** Standard error as a pino destination: readable lines on a terminal, JSON lines otherwise. */
export function logDestination(): pino.DestinationStream {
  if (process.stderr.isTTY !== true) return pino.destination(2);
  return { write: (line: string) => void process.stderr.write(formatLogLine(line)) };
}
