/**
 * The strongly connected component of one vertex: the vertices both reachable from it and reaching it.
 * Two breadth-first walks (forward, then over reversed edges), O(V + E), iterative — the same component
 * the reference's Tarjan pass finds for that vertex (docs/upstream.md §4.7), without computing the others.
 * @module
 */

/** The component of `start` in the directed graph `edges` (adjacency lists, repeats allowed). */
export function stronglyConnectedComponent<V>(start: V, edges: ReadonlyMap<V, readonly V[]>): Set<V> {
  const reversed = new Map<V, V[]>();
  for (const [from, targets] of edges)
    for (const to of targets) {
      const list = reversed.get(to);
      if (list === undefined) reversed.set(to, [from]);
      else list.push(from);
    }
  const forward = reachable(start, edges);
  const backward = reachable(start, reversed);
  return new Set([...forward].filter((vertex) => backward.has(vertex)));
}

function reachable<V>(start: V, edges: ReadonlyMap<V, readonly V[]>): Set<V> {
  const seen = new Set<V>([start]);
  const queue: V[] = [start];
  for (let index = 0; index < queue.length; index++)
    for (const next of edges.get(queue[index] as V) ?? [])
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
  return seen;
}
