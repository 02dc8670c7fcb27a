/**
 * Everything the CLI prints goes through here: readable tables and key/value lists by default, exact JSON
 * with `--json` (one document on stdout, nothing else there), colours only when the stream is a TTY and
 * `NO_COLOR` is unset. Notes and progress go to stderr so stdout stays parseable.
 * @module
 */
import { TABLE_CELL_CHARS_MAX } from "./constants.js";

/** A writable text sink: `process.stdout`, `process.stderr`, or a test buffer. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

/** A column of a table: its header and how to read the cell from a row. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
  align?: "left" | "right";
}

export interface Output {
  readonly json: boolean;
  /** Prints `value` as JSON (with `--json`) or calls `human` to print it for people. */
  result(value: unknown, human: () => void): void;
  /** A line on stdout (human mode only callers). */
  line(text?: string): void;
  /** A table on stdout. */
  table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): void;
  /** Aligned `key  value` lines on stdout. */
  fields(entries: readonly (readonly [string, unknown])[]): void;
  /** A note on stderr (never pollutes `--json` output). */
  note(text: string): void;
  /** Raw text on stdout, for streaming tokens. */
  raw(text: string): void;
  readonly color: Colors;
  readonly stdout: Sink;
  readonly stderr: Sink;
}

export interface Colors {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** True when colours should be used on `sink` (a TTY, `NO_COLOR` unset, not disabled by flag). */
export function colorEnabled(sink: Sink, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return sink.isTTY === true;
}

export function createColors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001B[${open}m${text}\u001B[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** Renders one value for a table cell or a field. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "-";
  if (typeof value === "string") return value;
  if (typeof value === "number")
    return Number.isInteger(value) ? value.toLocaleString("en-US") : String(Number(value.toFixed(6)));
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value);
}

/** Timestamps after 2001 in a `*_ms` field are shown as ISO times; 0 and durations stay numbers. */
const TIMESTAMP_MS_MIN = 1_000_000_000_000;

/** Renders a `key  value` field: `*_ms` timestamps as ISO times, everything else by `formatValue`. */
export function formatField(key: string, value: unknown): string {
  if (key.endsWith("_ms") && typeof value === "number" && value >= TIMESTAMP_MS_MIN)
    return new Date(value).toISOString();
  return formatValue(value);
}

/** Expands plain nested objects one level (`usage.requests`), so fields stay one value per line. */
export function flattenEntries(
  entries: readonly (readonly [string, unknown])[],
): (readonly [string, unknown])[] {
  const flat: (readonly [string, unknown])[] = [];
  for (const [key, value] of entries) {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0)
      for (const [inner, innerValue] of Object.entries(value)) flat.push([`${key}.${inner}`, innerValue]);
    else flat.push([key, value]);
  }
  return flat;
}

function clip(text: string): string {
  const single = text.replace(/\s+/g, " ");
  return single.length > TABLE_CELL_CHARS_MAX ? `${single.slice(0, TABLE_CELL_CHARS_MAX - 1)}…` : single;
}

/** Lays out rows as a plain-text table (no colours in cells, so widths are exact). */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => clip(formatValue(column.value(row)))));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const pad = (text: string, i: number) =>
    columns[i]?.align === "right" ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
  const lines = [columns.map((column, i) => pad(column.header.toUpperCase(), i)).join("  ")];
  for (const row of cells) lines.push(row.map((cell, i) => pad(cell, i)).join("  "));
  return `${lines.map((line) => line.trimEnd()).join("\n")}\n`;
}

export function createOutput(options: { json: boolean; color: boolean; stdout: Sink; stderr: Sink }): Output {
  const { stdout, stderr } = options;
  const color = createColors(options.color);
  return {
    json: options.json,
    color,
    stdout,
    stderr,
    result(value, human) {
      if (options.json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else human();
    },
    line: (text = "") => void stdout.write(`${text}\n`),
    table(rows, columns) {
      if (rows.length === 0) stdout.write(`${color.dim("(none)")}\n`);
      else stdout.write(renderTable(rows, columns));
    },
    fields(given) {
      const entries = flattenEntries(given);
      const width = Math.max(0, ...entries.map(([key]) => key.length));
      for (const [key, value] of entries)
        stdout.write(`${color.dim(key.padEnd(width))}  ${formatField(key, value)}\n`);
    },
    note: (text) => void stderr.write(`${text}\n`),
    raw: (text) => void stdout.write(text),
  };
}
