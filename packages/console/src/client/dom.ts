/**
 * A tiny DOM builder and the console's formatters. `h()` creates elements from a tag, attributes and
 * children; text always goes in as text nodes (never HTML), so nothing the node or a peer sends can
 * inject markup.
 * @module
 */

/** Attributes of `h()`: strings/numbers/booleans become attributes; `on*` functions become listeners. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
/** A child of `h()`: a node, text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Creates `<tag>` with `attrs` and `children`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends `children` (flattened, skipping empty ones) to `parent`. */
export function append(parent: Node, children: Array<Child | Child[]>): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `parent`. */
export function replace(parent: Element, ...children: Array<Child | Child[]>): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Integer TRM with thousands separators. */
export function trm(amount: number | null | undefined): string {
  return typeof amount === "number" ? `${amount.toLocaleString("en-US")} TRM` : "—";
}

/** A number with separators, or a dash. */
export function num(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toLocaleString("en-US") : "—";
}

/** The first 8 and last 4 characters of a hex id. */
export function short(id: string | null | undefined): string {
  if (typeof id !== "string") return "—";
  return id.length <= 14 ? id : `${id.slice(0, 8)}…${id.slice(-4)}`;
}

/** A time of day (local) from epoch milliseconds. */
export function time(ms: number | null | undefined): string {
  return typeof ms === "number" ? new Date(ms).toLocaleTimeString() : "—";
}

/** A labelled form control: `<label for>` beside (not around) the control, so its name is the label alone. */
export function field(label: string, control: HTMLElement & { id: string }): HTMLDivElement {
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

/** `<dl class="cards">` of label → value pairs. */
export function cards(entries: Array<[string, string]>, label: string): HTMLDListElement {
  return h(
    "dl",
    { class: "cards", "aria-label": label },
    entries.map(([name, value]) => h("div", {}, h("dt", {}, name), h("dd", {}, value))),
  );
}

/** A table with a caption and header row; `rows` are arrays of cells. */
export function table(caption: string, headers: string[], rows: Child[][]): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headers.map((name) => h("th", { scope: "col" }, name)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.length === 0
          ? h("tr", {}, h("td", { colspan: headers.length, class: "muted" }, "none"))
          : rows.map((cells) =>
              h(
                "tr",
                {},
                cells.map((cell) => h("td", {}, cell)),
              ),
            ),
      ),
    ),
  );
}
