import { ApolloArmor } from '@escape.tech/graphql-armor';

/** Request limits per audience (DESIGN.md §10.1): anonymous callers get the tightest ones. */
export const LIMITS = {
  anonymous: { depth: 6, aliases: 15, tokens: 1000, cost: 5000, directives: 10 },
  agency: { depth: 12, aliases: 40, tokens: 4000, cost: 20000, directives: 20 },
} as const;

export type Audience = keyof typeof LIMITS;

/**
 * graphql-armor's protections for one audience: depth, aliases, cost and directives are
 * checked before planning, so a refused query reaches no subgraph; field suggestions ("Did you
 * mean …") are blocked; batching is off.
 */
export function armorFor(audience: Audience) {
  const limit = LIMITS[audience];
  return new ApolloArmor({
    maxDepth: { n: limit.depth },
    maxAliases: { n: limit.aliases },
    // Tokens are limited by graphql-js's own parser (parseOptions in server.ts): armor's token plugin
    // re-parses in a hook where any syntax error becomes a 500.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limit.cost },
    maxDirectives: { n: limit.directives },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
