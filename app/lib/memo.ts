/**
 * Memoises `compute` on a string key, keeping at most `limit` results and forgetting the least
 * recently used one first. For keys that come from people's settings or requests (locales,
 * zones, year ranges): a plain Map would grow with whatever a client sends.
 */
export function memoize<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const entries = new Map<string, V>();
  return (key) => {
    if (entries.has(key)) {
      const value = entries.get(key) as V;
      // Re-inserting moves the key to the end: Map keeps insertion order, so the first key is
      // always the least recently used.
      entries.delete(key);
      entries.set(key, value);
      return value;
    }
    const value = compute(key);
    entries.set(key, value);
    if (entries.size > limit) entries.delete(entries.keys().next().value as string);
    return value;
  };
}
