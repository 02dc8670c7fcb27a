/**
 * Weighted (lower) median, as upstream's `consensus_reputation`: sort by value, return the first value
 * whose cumulative weight reaches half the total. Entries with a non-positive or non-finite weight are
 * ignored. A single entry carrying more than half of the total weight decides the result — which is why
 * weights must come from local knowledge, never from the entry itself.
 * @module
 */

export interface WeightedValue {
  value: number;
  weight: number;
}

/** The lower weighted median of `entries`, or null when no entry has positive weight. */
export function weightedMedian(entries: readonly WeightedValue[]): number | null {
  const usable = entries.filter(
    (entry) => Number.isFinite(entry.weight) && entry.weight > 0 && Number.isFinite(entry.value),
  );
  if (usable.length === 0) return null;
  usable.sort((a, b) => a.value - b.value);
  const total = usable.reduce((sum, entry) => sum + entry.weight, 0);
  let cumulative = 0;
  for (const entry of usable) {
    cumulative += entry.weight;
    if (cumulative >= total / 2) return entry.value;
  }
  return (usable[usable.length - 1] as WeightedValue).value;
}
