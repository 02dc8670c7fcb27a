/**
 * Proves the bounded FIFO semaphore behind engine concurrency with fast-check: for any interleaving of
 * acquires, releases and aborts, holders never exceed capacity, waiters never exceed the queue bound,
 * grants follow arrival order, overflow is refused at once with ENGINE_BUSY, and aborted waiters leave.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EngineBusyError } from "./errors.js";
import { SlotWaitAborted, Slots } from "./slots.js";

type Op = { kind: "acquire" } | { kind: "release" } | { kind: "abort"; pick: number };

describe("Slots", () => {
  it("keeps its bounds and FIFO order under any interleaving", async () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: "acquire" } as const),
      fc.constant({ kind: "release" } as const),
      fc.nat(20).map((pick) => ({ kind: "abort", pick }) as const),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(op, { maxLength: 60 }),
        async (capacity, queueMax, ops) => {
          const slots = new Slots({ capacity, queueMax, retryAfterMs: 5 });
          let holders = 0;
          let nextId = 0;
          const waiting: { id: number; controller: AbortController }[] = [];
          const granted: number[] = [];
          const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
          for (const step of ops) {
            if (step.kind === "acquire") {
              const id = nextId++;
              const controller = new AbortController();
              const wasFull = slots.stats().queued >= queueMax && slots.stats().free === 0;
              const pending = slots.acquire(controller.signal).then(
                () => {
                  holders += 1;
                  granted.push(id);
                },
                (error: unknown) => {
                  if (error instanceof EngineBusyError) expect(wasFull).toBe(true);
                  else expect(error).toBeInstanceOf(SlotWaitAborted);
                },
              );
              if (slots.stats().queued > waiting.length) waiting.push({ id, controller });
              void pending;
            } else if (step.kind === "release" && holders > 0) {
              holders -= 1;
              slots.release();
              waiting.shift();
            } else if (step.kind === "abort" && waiting.length > 0) {
              const [victim] = waiting.splice(step.pick % waiting.length, 1);
              victim!.controller.abort();
            }
            await flush();
            const stats = slots.stats();
            expect(stats.active).toBeLessThanOrEqual(capacity);
            expect(stats.queued).toBeLessThanOrEqual(queueMax);
            expect(stats.active).toBe(holders);
            expect(stats.queued).toBe(waiting.length);
          }
          expect(granted).toEqual([...granted].sort((a, b) => a - b));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses at once when every slot is held and the queue is full", async () => {
    const slots = new Slots({ capacity: 1, queueMax: 1, retryAfterMs: 250 });
    await slots.acquire();
    const queued = slots.acquire();
    await expect(slots.acquire()).rejects.toMatchObject({
      code: "ENGINE_BUSY",
      retryAfterMs: 250,
      details: { queued: 1, capacity: 1 },
    });
    slots.release();
    await queued;
    expect(slots.stats()).toMatchObject({ active: 1, queued: 0 });
  });
});
