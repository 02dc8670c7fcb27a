/**
 * Test fixture (not part of the build): a real node in a fresh temporary home — real ledger file, real
 * safety gate, real node.db, and the real tiny model when asked for — plus helpers to call it.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, createSigner, generateSeed, type Signer } from "@tirami/core";
import { signTrade, type Trade } from "@tirami/proto";
import { testModelPath } from "@tirami/test-kit";
import { type Logger, pino } from "pino";
import { readNodeConfig } from "../src/config.js";
import { createNode, type TiramiNode } from "../src/node.js";
import type { Counterparty } from "@tirami/ledger";

/** A node in a temporary home; `close()` stops it and deletes the home. */
export interface TestNode {
  node: TiramiNode;
  home: string;
  token: string;
  /** `Authorization` header for a token (default: the operator's). */
  auth(token?: string): { authorization: string };
  close(): Promise<void>;
}

/** Creates a node in a fresh temporary home. `flags` override config options (as strings or values). */
export async function createTestNode(
  options: { model?: boolean; flags?: Record<string, unknown>; clock?: Clock; logger?: Logger } = {},
): Promise<TestNode> {
  const home = mkdtempSync(join(tmpdir(), "tirami-node-test-"));
  const config = readNodeConfig({
    flags: {
      home,
      api_port: 0,
      threads: 1,
      context_size: 512,
      log_level: "silent",
      // A fixed price keeps expected costs exact; pass `price_trm_per_token: undefined` for live pricing.
      price_trm_per_token: 1,
      ...(options.model === true ? { model: testModelPath(), chat_wrapper: "general" } : {}),
      ...options.flags,
    },
  });
  let node: TiramiNode;
  try {
    node = await createNode({
      config,
      logger: options.logger ?? pino({ level: "silent" }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const token = node.operatorToken.token;
  return {
    node,
    home,
    token,
    auth: (bearer = token) => ({ authorization: `Bearer ${bearer}` }),
    async close() {
      await node.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A counterparty node key that signs whatever trade it is shown (the provider side of a purchase). */
export function createCounterparty(
  signer: Signer = createSigner(generateSeed()),
): Counterparty & { signer: Signer; seen: Trade[] } {
  const seen: Trade[] = [];
  return {
    signer,
    seen,
    account: signer.accountId,
    signTrade: async (trade) => {
      seen.push(trade);
      return signTrade(trade, signer);
    },
  };
}
