/**
 * The mind's routes under `/v1/tirami/mind` (docs/mind.md; names after docs/upstream.md §10.2, units in
 * names): `POST /init`, `GET /state`, `POST /improve` (runs up to `n_cycles` cycles and answers when
 * they end; the CLI asks one cycle at a time to show progress), `GET|POST /budget`, `GET /stats`,
 * `POST /optimiser`, `GET /harness` (current), `GET /harness/versions`, `GET /harness/:version`,
 * `GET /harness/:version/diff?against=`, `GET /cycles`, `GET /cycles/:id` and `POST /bench`. Changing
 * the mind or spending for it is the operator's; agents read. A client that leaves aborts the run (its
 * cycle is closed as deferred, ABORTED).
 * @module
 */
import {
  type Mind,
  type MindInit,
  type OptimiserConfig,
  parseTasks,
  parseTasksJsonl,
  type TaskSet,
} from "@tirami/mind";
import { Hono } from "hono";
import { NodeError, NodeErrorCode } from "../errors.js";
import { operatorOnly } from "../middleware/auth.js";
import { readJsonBody } from "../openai/json-body.js";
import { parseBody } from "../openai/schemas.js";
import type { AppEnv } from "../principal.js";
import {
  mindBenchBody,
  mindBudgetBody,
  mindImproveBody,
  mindInitBody,
  mindOptimiserBody,
} from "@tirami/client";
import { integerParam } from "./query.js";

export interface MindRoutesDeps {
  mind: Mind;
  /** The id of this node's model, if one is loaded (the default route of a new harness). */
  localModel(): string | undefined;
}

const LIST_LIMIT_MAX = 500;

/** The task set a body names: inline tasks, JSONL, a built-in name, or none (undefined). */
function taskSetOf(body: {
  tasks?: unknown[];
  tasks_jsonl?: string;
  task_set?: string;
}): TaskSet | string | undefined {
  const given = [body.tasks, body.tasks_jsonl, body.task_set].filter((v) => v !== undefined).length;
  if (given > 1)
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, "give one of tasks, tasks_jsonl and task_set", {
      param: "tasks",
    });
  if (body.tasks !== undefined) return parseTasks(body.tasks);
  if (body.tasks_jsonl !== undefined) return parseTasksJsonl(body.tasks_jsonl);
  return body.task_set;
}

/** Routes of the mind. */
export function mindRoutes(deps: MindRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { mind } = deps;
  const version = (raw: string, name: string) =>
    integerParam(raw, name, undefined, 1, Number.MAX_SAFE_INTEGER) as number;

  app.post("/mind/init", operatorOnly(), async (c) => {
    const body = parseBody(mindInitBody, await readJsonBody(c));
    const local = deps.localModel();
    const routes = body.model_routes ?? (local === undefined ? undefined : { default: local });
    if (routes === undefined)
      throw new NodeError(
        NodeErrorCode.INVALID_REQUEST,
        "model_routes: no model is loaded here; name the default model",
        {
          param: "model_routes",
        },
      );
    const init: MindInit = {
      harness: {
        system_prompt: body.system_prompt,
        model_routes: routes,
        ...(body.tools === undefined ? {} : { tools: body.tools as MindInit["harness"]["tools"] }),
        ...(body.sub_agents === undefined
          ? {}
          : { sub_agents: body.sub_agents as MindInit["harness"]["sub_agents"] }),
        ...(body.description === undefined ? {} : { description: body.description }),
      },
      optimiser: body.optimiser as OptimiserConfig | undefined,
      budget: body.budget,
      tasks: taskSetOf(body),
      // The schema checked `provider` is an account id (hex64); the brand is the type's.
      routing: body.routing as MindInit["routing"],
      replace: body.replace,
    };
    return c.json({ ok: true, ...mind.init(init) }, 201);
  });

  app.get("/mind/state", (c) => c.json(mind.state()));
  app.get("/mind/stats", (c) => c.json(mind.stats()));
  app.get("/mind/budget", (c) => c.json(mind.budget()));
  app.post("/mind/budget", operatorOnly(), async (c) => {
    const body = parseBody(mindBudgetBody, await readJsonBody(c));
    return c.json({ ok: true, ...mind.setBudget(body) });
  });
  app.post("/mind/optimiser", operatorOnly(), async (c) => {
    const body = parseBody(mindOptimiserBody, await readJsonBody(c));
    return c.json({ ok: true, optimiser: mind.setOptimiser(body.optimiser as OptimiserConfig) });
  });

  app.post("/mind/improve", operatorOnly(), async (c) => {
    const body = parseBody(mindImproveBody, await readJsonBody(c));
    const result = await mind.improve({
      cycles: body.n_cycles,
      optimiser: body.optimiser as OptimiserConfig | undefined,
      signal: c.req.raw.signal,
    });
    return c.json(result);
  });

  app.post("/mind/bench", operatorOnly(), async (c) => {
    const body = parseBody(mindBenchBody, await readJsonBody(c));
    const tasks = taskSetOf(body);
    return c.json(
      await mind.bench({
        ...(body.version === undefined ? {} : { version: body.version }),
        ...(tasks === undefined ? {} : { tasks }),
        signal: c.req.raw.signal,
      }),
    );
  });

  app.get("/mind/harness", (c) => c.json(mind.version(mind.state().harness_version)));
  app.get("/mind/harness/versions", (c) => {
    const limit = integerParam(c.req.query("limit"), "limit", 100, 1, LIST_LIMIT_MAX);
    const before = integerParam(c.req.query("before"), "before", undefined, 1, Number.MAX_SAFE_INTEGER);
    return c.json({
      versions: mind.versions({
        ...(limit === undefined ? {} : { limit }),
        ...(before === undefined ? {} : { beforeVersion: before }),
      }),
    });
  });
  app.get("/mind/harness/:version", (c) => c.json(mind.version(version(c.req.param("version"), "version"))));
  app.get("/mind/harness/:version/diff", (c) => {
    const to = mind.version(version(c.req.param("version"), "version"));
    const againstRaw = c.req.query("against");
    const from = againstRaw === undefined ? to.parent_version : version(againstRaw, "against");
    if (from === null)
      throw new NodeError(
        NodeErrorCode.INVALID_REQUEST,
        `version ${to.version} is a root: name one to compare with`,
        {
          param: "against",
        },
      );
    return c.json({ from, to: to.version, changes: mind.diff(from, to.version) });
  });

  app.get("/mind/cycles", (c) => {
    const limit = integerParam(c.req.query("limit"), "limit", 20, 1, LIST_LIMIT_MAX);
    const before = integerParam(c.req.query("before"), "before", undefined, 1, Number.MAX_SAFE_INTEGER);
    return c.json({
      cycles: mind.cycles({
        ...(limit === undefined ? {} : { limit }),
        ...(before === undefined ? {} : { beforeId: before }),
      }),
    });
  });
  app.get("/mind/cycles/:id", (c) => {
    const cycle = mind.cycle(version(c.req.param("id"), "id"));
    if (cycle === undefined) throw new NodeError(NodeErrorCode.NOT_FOUND, "no such cycle");
    return c.json(cycle);
  });
  return app;
}
