/**
 * Open data a subgraph said may be kept (`Cache-Control: public, max-age=N`), remembered by the
 * gateway per fetch and, for entity fetches, per entity, until it expires. A subgraph says so only
 * of an answer whose every field is OPEN and that carries no error (subgraphs/kit/server.ts), so
 * what is kept is the same for every caller.
 *
 * Each entry is kept as its JSON text and parsed afresh on every use: the gateway merges what a
 * fetch returns into the response it builds, so no two requests may share an object.
 */
export class OpenDataCache {
  private readonly entries = new Map<string, { readonly json: string; readonly expires: number }>();
  private readonly shapes = new Map<string, string>();
  /**
   * By subgraph, the operation texts whose last answer it did not let anyone keep. Keyed by the
   * query planner's own strings, whose hashes V8 keeps, so the check costs a fetch next to nothing.
   */
  private readonly unshareable = new Map<string, Set<string>>();
  private bytes = 0;

  /**
   * @param budgetBytes the most JSON text (keys included) kept at once; the oldest entries go first.
   * @param now the clock, in milliseconds.
   */
  constructor(
    private readonly budgetBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many entries are kept now (expired ones included until they are next read or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * A short stand-in for a long key part (a subgraph, its operation text and the variables other
   * than the representations), so that each entry's key stays short. Bounded: past 1,000 distinct
   * shapes everything is forgotten and numbering starts again.
   */
  shape(text: string): string {
    let id = this.shapes.get(text);
    if (id === undefined) {
      if (this.shapes.size >= 1000) this.clear();
      id = `${this.shapes.size}`;
      this.shapes.set(text, id);
    }
    return id;
  }

  /**
   * False when the last answer of `subgraph` to operation `query` was not shareable (as most are:
   * anything not OPEN), so that such fetches cost the cache no work; true until then, and again once
   * one is.
   */
  mayKeep(subgraph: string, query: string): boolean {
    return this.unshareable.get(subgraph)?.has(query) !== true;
  }

  /** Notes whether the latest answer of `subgraph` to `query` could be kept (at most 1,000 texts a subgraph). */
  learn(subgraph: string, query: string, shareable: boolean): void {
    let texts = this.unshareable.get(subgraph);
    if (shareable) {
      texts?.delete(query);
      return;
    }
    if (texts === undefined) this.unshareable.set(subgraph, (texts = new Set()));
    if (texts.size >= 1000) texts.clear();
    texts.add(query);
  }

  /** A fresh copy of what `key` holds, or undefined when nothing unexpired is kept under it. */
  get(key: string): unknown {
    return this.kept(key)?.value;
  }

  /**
   * What `key` holds, a fresh copy, with the whole seconds it may still be kept (what a cache
   * downstream of the gateway may be told), or undefined when nothing unexpired is kept under it.
   */
  kept(key: string): { readonly value: unknown; readonly secondsLeft: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const left = entry.expires - this.now();
    if (left <= 0) {
      this.drop(key, entry.json);
      return undefined;
    }
    return { value: JSON.parse(entry.json) as unknown, secondsLeft: Math.floor(left / 1000) };
  }

  /** The largest entry kept: 1/64 of the budget, so that no single answer crowds out the rest. */
  get largestEntry(): number {
    return this.budgetBytes / 64;
  }

  /** Keeps `json` under `key` for `maxAgeSeconds`; an entry over `largestEntry` is not kept. */
  set(key: string, json: string, maxAgeSeconds: number): void {
    const size = key.length + json.length;
    if (maxAgeSeconds <= 0 || size > this.largestEntry) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) this.drop(key, previous.json);
    this.entries.set(key, { json, expires: this.now() + maxAgeSeconds * 1000 });
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.drop(oldest, entry.json);
    }
  }

  /** Forgets everything (e.g. when a new supergraph is served). */
  clear(): void {
    this.entries.clear();
    this.shapes.clear();
    this.unshareable.clear();
    this.bytes = 0;
  }

  private drop(key: string, json: string): void {
    this.entries.delete(key);
    this.bytes -= key.length + json.length;
  }
}

/**
 * The seconds a `Cache-Control` header lets a shared cache keep an answer: its max-age when it
 * says `public`, and 0 for anything else (no header, private, no-store, no-cache, or no max-age).
 */
export function sharedMaxAge(header: string | null | undefined): number {
  if (!header) return 0;
  let isPublic = false;
  let maxAge = 0;
  for (const part of header.toLowerCase().split(',')) {
    const directive = part.trim();
    if (directive === 'public') isPublic = true;
    else if (directive === 'private' || directive === 'no-store' || directive === 'no-cache') return 0;
    else if (directive.startsWith('max-age=')) {
      const value = directive.slice('max-age='.length);
      maxAge = /^\d{1,9}$/.test(value) ? Number(value) : 0;
    }
  }
  return isPublic ? maxAge : 0;
}
