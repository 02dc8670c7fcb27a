/**
 * The simulated mesh's shape: a ring through every honest node in a random order (so the honest nodes stay
 * connected whatever the Byzantine ones do), each Byzantine node tied to two random nodes, and
 * `extraEdgesPerNode` random chords per node on top — like a gossipsub mesh of small degree.
 * @module
 */
import type { Prng } from "./prng.js";

/** Neighbour lists (symmetric, no self-loops, no duplicates), sorted. */
export function buildTopology(
  rng: Prng,
  roles: readonly { byzantine: boolean }[],
  extraEdgesPerNode: number,
): number[][] {
  const count = roles.length;
  const sets = Array.from({ length: count }, () => new Set<number>());
  const link = (a: number, b: number) => {
    if (a === b) return;
    sets[a]!.add(b);
    sets[b]!.add(a);
  };
  const honest = roles.flatMap((role, i) => (role.byzantine ? [] : [i]));
  for (let i = honest.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [honest[i], honest[j]] = [honest[j]!, honest[i]!];
  }
  honest.forEach((node, k) => link(node, honest[(k + 1) % honest.length]!));
  roles.forEach((role, i) => {
    if (!role.byzantine) return;
    link(i, rng.pick(honest));
    link(i, rng.pick(honest));
  });
  for (let i = 0; i < count; i += 1)
    for (let e = 0; e < extraEdgesPerNode; e += 1) link(i, rng.int(0, count - 1));
  return sets.map((set) => [...set].sort((a, b) => a - b));
}
