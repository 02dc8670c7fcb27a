/**
 * Loans (docs/lending.md): this node's credit, the lending pool and its loans, read-only here (lending
 * and borrowing are acts of the operator's CLI or API).
 * @module
 */
import { type Ctx, codeOf, errorBox, poll, type View } from "../context.js";
import { cards, h, replace, short, table, time, trm } from "../dom.js";

interface Loan {
  loan_id: string;
  role: string;
  principal_trm: number;
  total_due_trm: number;
  collateral_trm: number;
  due_ms: number;
  status: string;
}

export const loansView: View = {
  id: "loans",
  title: "Loans",
  mount(root: HTMLElement, ctx: Ctx) {
    const body = h("div", {});
    replace(root, h("h2", {}, "Loans"), body);
    return poll(async () => {
      try {
        const [loans, pool] = await Promise.all([
          ctx.api.get<{ loans: Loan[] }>("/v1/tirami/loans"),
          ctx.api.get<Record<string, unknown>>("/v1/tirami/pool").catch((error: unknown) => {
            if (codeOf(error) === "MESH_DISABLED") return null;
            throw error;
          }),
        ]);
        replace(
          body,
          pool === null
            ? h("p", { class: "notice" }, "No lending pool: this node has not joined a mesh.")
            : cards(
                Object.entries(pool)
                  .filter(([, value]) => typeof value === "number")
                  .map(([name, value]): [string, string] => [
                    name.replaceAll("_", " "),
                    name.endsWith("_trm") ? trm(value as number) : String(value),
                  ]),
                "Lending pool",
              ),
          h("h3", {}, "Loans"),
          table(
            "Loans",
            ["Loan", "Role", "Principal", "Due", "Collateral", "Due at", "Status"],
            loans.loans.map((l) => [
              h("span", { class: "mono" }, short(l.loan_id)),
              l.role,
              trm(l.principal_trm),
              trm(l.total_due_trm),
              trm(l.collateral_trm),
              time(l.due_ms),
              l.status,
            ]),
          ),
        );
      } catch (error) {
        replace(body, errorBox(error));
      }
    }, 5_000);
  },
};
