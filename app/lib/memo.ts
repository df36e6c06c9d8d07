/**
 * Keeps at most `limit` values by a string key, forgetting the least recently used one first, and
 * computes a value when it is not kept (`get`, with the computation of the one asking). For keys
 * that come from people's settings or requests (locales, zones, year ranges): a plain Map would
 * grow with whatever a client sends. `forget(key)` drops one value (a computation that failed).
 */
export function keptValues<V>(limit: number) {
  const entries = new Map<string, V>();
  return {
    get(key: string, compute: () => V): V {
      if (entries.has(key)) {
        const value = entries.get(key) as V;
        // Re-inserting moves the key to the end: Map keeps insertion order, so the first key is
        // always the least recently used.
        entries.delete(key);
        entries.set(key, value);
        return value;
      }
      const value = compute();
      entries.set(key, value);
      if (entries.size > limit) entries.delete(entries.keys().next().value as string);
      return value;
    },
    forget(key: string) {
      entries.delete(key);
    },
  };
}

/** Memoises `compute` on a string key, keeping at most `limit` results (see keptValues). */
export function memoize<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const kept = keptValues<V>(limit);
  return (key) => kept.get(key, () => compute(key));
}
