import DataLoader from 'dataloader';

/**
 * A per-request loader of one row per key. `fetch` gets all keys of one tick in a single call (one
 * SQL statement); results come back in key order and a key with no row resolves to null.
 * Create loaders per request only: a loader shared across requests would leak rows between callers.
 */
export function rowLoader<K, Row>(
  fetch: (keys: readonly K[]) => Promise<Row[]>,
  keyOfRow: (row: Row) => string,
  keyOf: (key: K) => string = String,
): DataLoader<K, Row | null, string> {
  return mapLoader<K, Row | null>(
    async (keys) => {
      const byKey = new Map<string, Row>();
      for (const row of await fetch(keys)) byKey.set(keyOfRow(row), row);
      return byKey;
    },
    keyOf,
    () => null,
  );
}

/**
 * A per-request loader of the rows that belong to each key (one-to-many), in one statement per
 * batch. A key with no rows resolves to an empty list.
 */
export function groupLoader<K, Row>(
  fetch: (keys: readonly K[]) => Promise<Row[]>,
  groupOfRow: (row: Row) => string,
  keyOf: (key: K) => string = String,
): DataLoader<K, Row[], string> {
  return mapLoader<K, Row[]>(
    async (keys) => {
      const groups = new Map<string, Row[]>();
      for (const row of await fetch(keys)) {
        const group = groupOfRow(row);
        const list = groups.get(group);
        if (list) list.push(row);
        else groups.set(group, [row]);
      }
      return groups;
    },
    keyOf,
    () => [],
  );
}

/**
 * One loader per distinct argument (a page size, a page) within a request: parents asking with the
 * same argument share one statement, and a list cached for one argument is never served for another.
 */
export function loaderPerArgument<A, L>(create: (argument: A) => L, keyOf: (argument: A) => string | number = String): (argument: A) => L {
  const loaders = new Map<string | number, L>();
  return (argument) => {
    const key = keyOf(argument);
    let loader = loaders.get(key);
    if (!loader) {
      loader = create(argument);
      loaders.set(key, loader);
    }
    return loader;
  };
}

/**
 * A per-request loader over a fetch that answers a whole batch (one statement) as a map from each
 * key's cache key to its value; a key the map lacks resolves to `missing()`.
 */
export function mapLoader<K, V>(
  fetch: (keys: readonly K[]) => Promise<ReadonlyMap<string, V>>,
  keyOf: (key: K) => string,
  missing: () => V,
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const found = await fetch(keys);
      return keys.map((key) => found.get(keyOf(key)) ?? missing());
    },
    { cacheKeyFn: keyOf, maxBatchSize: 1000 },
  );
}
