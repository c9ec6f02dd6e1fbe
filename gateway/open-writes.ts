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
 * The root fields a selection runs that `counts`, through its inline fragments and fragment spreads
 * (each fragment once).
 */
function rootFields(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: Set<string>, counts: (name: string) => boolean): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename' && counts(selection.name.value)) count++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += rootFields(selection.selectionSet, fragments, seen, counts);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) count += rootFields(fragment.selectionSet, fragments, seen, counts);
    }
  }
  return count;
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
 */
export function limitingOpenWrites(allowance: WriteAllowance, limits: WriteLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue, document }) {
          if (operation?.operation !== 'mutation') return;
          const key = limits.keyOf(contextValue);
          if (key === null) return;
          // Each write counts, however the operation holds it: `a: send… b: send…` is two.
          const counted = limits.counted();
          const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
          const writes = rootFields(operation.selectionSet, fragments, new Set(), (name) => counted.has(name));
          if (writes === 0) return;
          const wait = allowance.take(key, writes);
          if (wait === 0) return;
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
      };
    },
  };
}
