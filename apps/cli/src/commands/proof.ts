/**
 * `tirami proof <trade_id>`: fetches the signed trade and its RFC 9162 inclusion proof from the node, checks
 * the trade's signatures, recomputes its leaf from its canonical bytes, and verifies the proof here with the
 * ledger package's standalone `verifyInclusion` — against the root in the proof, the
 * node's current root, and (with `--root`) a root obtained elsewhere, e.g. from another node or a
 * settlement statement. A failed check exits 6.
 * @module
 */
import { fromHex, isHex32, toHex } from "@tirami/core";
import { isTradeId } from "@tirami/proto";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { CliError, CliErrorCode, ExitCode, usageError } from "../errors.js";
import { num, pick, record } from "../values.js";

export function proofCommand(deps: CliDeps): Command {
  return new Command("proof")
    .description("fetch a trade's inclusion proof and verify it locally")
    .argument("<trade_id>", "the trade id (64 hex)")
    .option("--root <hex>", "also check against this Merkle root (64 hex)")
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const tradeId = String(args[0]).toLowerCase();
        if (!isTradeId(tradeId))
          throw usageError(
            `trade id must be 64 hex characters, got "${String(args[0])}"`,
            "copy it from `tirami trades --json`",
          );
        const extraRoot = options["root"] as string | undefined;
        if (extraRoot !== undefined && !isHex32(extraRoot))
          throw usageError("--root must be 64 hex characters");
        const client = ctx.client();
        const [proof, signed] = await Promise.all([
          client.api.proof({ trade_id: tradeId }),
          client.api.trade({ trade_id: tradeId }),
        ]);
        const check = readProof(record(proof), tradeId);
        // Bind the proof to the trade: the leaf is recomputed here from the signed trade's canonical bytes,
        // after checking its id and both signatures, rather than taken from the node's word.
        const leaf = await deps.ledger.tradeLeaf(signed);
        if (!leaf.ok || record(signed)["trade_id"] !== tradeId || toHex(leaf.leafHash) !== check.leafHash)
          throw new CliError(
            CliErrorCode.VERIFY_FAILED,
            ExitCode.VERIFY_FAILED,
            leaf.ok
              ? `the node's trade ${tradeId} is not the leaf its proof is about`
              : `the node's trade ${tradeId} does not verify: ${leaf.failure}`,
            { hint: "the node's ledger may be corrupt: stop it and run `tirami ledger verify`" },
          );
        const verify = (rootHex: string) =>
          deps.ledger.verifyInclusion({
            leafHash: leaf.leafHash,
            index: check.index,
            treeSize: check.treeSize,
            proof: check.path.map((p) => fromHex(p)),
            root: fromHex(rootHex),
          });
        const roots: { label: string; root: string; ok: boolean }[] = [
          { label: "proof root", root: check.root, ok: await verify(check.root) },
        ];
        if (extraRoot !== undefined)
          roots.push({ label: "--root", root: extraRoot, ok: await verify(extraRoot) });
        const ok = roots.every((r) => r.ok);
        const result = {
          trade_id: tradeId,
          verified: ok,
          trade_signatures: "valid",
          leaf_index: check.index,
          tree_size: check.treeSize,
          leaf_hash: check.leafHash,
          proof: check.path,
          checks: roots,
        };
        ctx.out.result(result, () => {
          ctx.out.fields([
            ["trade", tradeId],
            ["leaf", `${check.index} of ${check.treeSize}`],
            ["audit path", `${check.path.length} hashes`],
            ...roots.map(
              (r) =>
                [
                  r.label,
                  `${r.root} ${r.ok ? ctx.out.color.green("✓ included") : ctx.out.color.red("✗ NOT included")}`,
                ] as const,
            ),
          ]);
        });
        if (!ok)
          throw new CliError(
            CliErrorCode.VERIFY_FAILED,
            ExitCode.VERIFY_FAILED,
            `the inclusion proof of ${tradeId} does not verify against ${roots
              .filter((r) => !r.ok)
              .map((r) => r.label)
              .join(" and ")}`,
            {
              hint:
                roots[0]?.ok === true
                  ? "that root's tree does not hold this trade: the other node may not have received it yet, or its log differs"
                  : "the node's proof contradicts its own root; stop the node and run `tirami ledger verify`",
            },
          );
      }),
    );
}

interface ProofFields {
  leafHash: string;
  index: number;
  treeSize: number;
  path: string[];
  root: string;
}

function readProof(proof: Record<string, unknown>, tradeId: string): ProofFields {
  const leafHash = pick(proof, "leaf_hash");
  const index = num(proof, "leaf_index", "index");
  const treeSize = num(proof, "tree_size");
  const path = pick(proof, "proof", "audit_path");
  const root = pick(proof, "root", "merkle_root");
  if (
    !isHex32(leafHash) ||
    index === undefined ||
    treeSize === undefined ||
    !Array.isArray(path) ||
    !path.every(isHex32) ||
    !isHex32(root)
  )
    throw new CliError(
      CliErrorCode.BAD_RESPONSE,
      ExitCode.VERIFY_FAILED,
      `the node's proof of ${tradeId} is malformed`,
      {
        hint: "expected { leaf_index, tree_size, leaf_hash, proof[], root } in hex",
      },
    );
  return { leafHash, index, treeSize, path: path as string[], root };
}
