import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { ErrorCode } from '../subgraphs/kit/errors';
import type { GatewayContext } from './context';

/** How many writes anyone may send (feedback on open data) one sender may send per hour, by default. */
export const OPEN_WRITES_PER_HOUR = 20;

const HOUR_MS = 3_600_000;

/** Senders remembered at most; beyond, windows that have ended are forgotten first, then the oldest. */
const MAX_ADDRESSES = 10_000;

/**
 * Counts the writes of each sender (a client address, or a citizen) in fixed one-hour windows. What
 * anyone may send with no account must not let one sender fill an agency's inbox. Behind a reverse
 * proxy every client has the proxy's address: the proxy should limit by the client's own.
 */
export class WriteAllowance {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perHour: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes `writes` writes for `address`, all or none; returns the seconds until its allowance is
   * renewed when they do not fit, else 0.
   */
  take(address: string, writes = 1): number {
    const now = this.now();
    let window = this.windows.get(address);
    if (window === undefined || now - window.start >= HOUR_MS) {
      if (window === undefined && this.windows.size >= MAX_ADDRESSES) this.forgetEnded(now);
      window = { start: now, count: 0 };
      this.windows.set(address, window);
    }
    if (window.count + writes > this.perHour) return Math.max(1, Math.ceil((window.start + HOUR_MS - now) / 1000));
    window.count += writes;
    return 0;
  }

  /** Gives back `writes` taken for `address` in its current window, which did not go through. */
  giveBack(address: string, writes: number): void {
    const window = this.windows.get(address);
    if (window !== undefined) window.count = Math.max(0, window.count - writes);
  }

  private forgetEnded(now: number): void {
    for (const [address, window] of this.windows) if (now - window.start >= HOUR_MS) this.windows.delete(address);
    // Every window still running: the oldest make room (a Map keeps insertion order).
    for (const address of this.windows.keys()) {
      if (this.windows.size < MAX_ADDRESSES) break;
      this.windows.delete(address);
    }
  }
}

/**
 * The response keys (alias, else name) of the root fields a selection runs that `counts`, through its
 * inline fragments and fragment spreads (each fragment once). Fields of one key are merged into one
 * write, as GraphQL runs them.
 */
function rootFieldKeys(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: Set<string>, counts: (name: string) => boolean, keys = new Set<string>()): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename' && counts(selection.name.value)) keys.add(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFieldKeys(selection.selectionSet, fragments, seen, counts, keys);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) rootFieldKeys(fragment.selectionSet, fragments, seen, counts, keys);
    }
  }
  return keys;
}

/** The mutations of the open contract: those anyone may send. */
export function openMutationNames(openSupergraphSdl: string): ReadonlySet<string> {
  const api = Supergraph.build(openSupergraphSdl).apiSchema().toGraphQLJSSchema();
  return new Set(Object.keys(api.getMutationType()?.getFields() ?? {}));
}

/** Whose writes an allowance counts, and which writes. */
export interface WriteLimits {
  /** The key a caller's writes are counted under; null for callers not limited (officials, accountable to their agency). */
  readonly keyOf: (context: GatewayContext) => string | null;
  /** The mutations counted: those anyone may send, the open contract's. */
  readonly counted: () => ReadonlySet<string>;
}

/**
 * Refuses the writes anyone may send (the open contract's mutations) past the caller's allowance:
 * 429 RATE_LIMITED, with Retry-After. Anonymous callers are counted by address, citizens by their id.
 * A write counts only if it went through: one refused (a message too long, a dataset that is not
 * one) or that failed (an agency's system down) is given back once the answer is known, so that
 * mending a form's mistakes does not spend the hour's allowance.
 */
export function limitingOpenWrites(allowance: WriteAllowance, limits: WriteLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      /** The writes this request took: whose, and the response keys of the fields that make them. */
      let taken: { readonly key: string; readonly fields: readonly string[] } | undefined;
      return {
        async didResolveOperation({ operation, contextValue, document }) {
          if (operation?.operation !== 'mutation') return;
          const key = limits.keyOf(contextValue);
          if (key === null) return;
          // Each write counts, however the operation holds it: `a: send… b: send…` is two.
          const counted = limits.counted();
          const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
          const fields = [...rootFieldKeys(operation.selectionSet, fragments, new Set(), (name) => counted.has(name))];
          if (fields.length === 0) return;
          const wait = allowance.take(key, fields.length);
          if (wait === 0) {
            taken = { key, fields };
            return;
          }
          // Apollo Server sets the status and headers from `http` (its headers a Map, which graphql-yoga's
          // typing of the same extension, a record, would refuse).
          const extensions: Record<string, unknown> = {
            code: ErrorCode.RATE_LIMITED,
            retryAfterSeconds: wait,
            http: { status: 429, headers: new HeaderMap([['retry-after', String(wait)]]) },
          };
          throw new GraphQLError(
            `Địa chỉ này đã gửi quá nhiều góp ý trong một giờ; hãy thử lại sau ${Math.ceil(wait / 60)} phút. ` +
              `(Too many writes from this address this hour; try again in ${Math.ceil(wait / 60)} minutes.)`,
            { extensions },
          );
        },
        async willSendResponse({ response }) {
          if (!taken) return;
          // A write went through when its field answered something; a refused or failed one answers null (or nothing ran).
          const data = response.body.kind === 'single' ? response.body.singleResult.data : undefined;
          const through = taken.fields.filter((field) => data?.[field] !== null && data?.[field] !== undefined).length;
          if (through < taken.fields.length) allowance.giveBack(taken.key, taken.fields.length - through);
        },
      };
    },
  };
}
