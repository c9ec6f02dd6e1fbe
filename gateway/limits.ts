import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, visit, type DocumentNode, type GraphQLSchema, type ValidationContext } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../subgraphs/kit/pagination';

/** Request limits per audience (DESIGN.md §10.1): anonymous callers get the tightest ones. */
export const LIMITS = {
  anonymous: { depth: 6, aliases: 15, tokens: 1000, cost: 5000, directives: 10 },
  // The cost admits the example queries as written: a citizen's enterprises, their parcels and the
  // permits on those, each list at its default 20, count 20 × 20 × 20 rows at the deepest.
  agency: { depth: 12, aliases: 40, tokens: 4000, cost: 100_000, directives: 20 },
} as const;

export type Audience = keyof typeof LIMITS;

/** How a limit is said, in both languages, as the cost limit is. */
const LIMIT_WORDS = {
  depth: { vi: 'Truy vấn lồng quá sâu', en: 'Query depth', unit: { vi: 'độ sâu', en: 'depth' } },
  aliases: { vi: 'Truy vấn có quá nhiều bí danh (alias)', en: 'Aliases', unit: { vi: 'số bí danh', en: 'aliases' } },
  directives: { vi: 'Truy vấn có quá nhiều chỉ thị (directive)', en: 'Directives', unit: { vi: 'số chỉ thị', en: 'directives' } },
} as const;

/**
 * Armor's refusal of a limit, said as the gateway's other refusals are: both languages, the limit in
 * `extensions.maximum`, no "Syntax Error:" (the query parsed; it is over a limit). Armor's own error
 * is not thrown (propagateOnRejection: false); this one is reported to the validation instead.
 */
function said(limit: keyof typeof LIMIT_WORDS, maximum: number) {
  const words = LIMIT_WORDS[limit];
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const found = /found (\d+)/.exec(error.message)?.[1];
        const count = found === undefined ? '' : ` ${found}`;
        context?.reportError(
          new GraphQLError(`${words.vi}: ${words.unit.vi}${count}, tối đa ${maximum}. (${words.en}${count} is over the limit of ${maximum}.)`, {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', maximum },
          }),
        );
      },
    ],
  };
}

/**
 * graphql-armor's protections for one audience: depth, aliases and directives are checked before
 * planning, so a refused query reaches no subgraph; field suggestions ("Did you mean …") are blocked;
 * batching is off. The cost is not armor's (see operationCost).
 */
export function armorFor(audience: Audience) {
  const limit = LIMITS[audience];
  return new ApolloArmor({
    maxDepth: { n: limit.depth, ...said('depth', limit.depth) },
    // __typename counts too: armor leaves it out by default, and 200 aliases of it are 200 fields to answer.
    maxAliases: { n: limit.aliases, allowList: [], ...said('aliases', limit.aliases) },
    // Tokens are limited by graphql-js's own parser (parseOptions in server.ts): armor's token plugin
    // re-parses in a hook where any syntax error becomes a 500.
    maxTokens: { enabled: false },
    // Armor's cost counts a list's page size only when written in the query (`first: 100`): passed
    // as a variable, the same page cost a hundredth as much.
    costLimit: { enabled: false },
    maxDirectives: { n: limit.directives, ...said('directives', limit.directives) },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}

/**
 * A list field with `first` costs its selection once per row it may return: the page size asked
 * for, written or as a variable, or the field's default when not given, or the subgraphs' default
 * when given as null (at most MAX_PAGE_SIZE, the most a subgraph returns; above it the subgraph
 * refuses the page itself).
 */
const perRow: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((argument) => argument.name === 'first')) return undefined;
  const first: unknown = args['first'];
  const rows = typeof first === 'number' ? Math.min(Math.max(first, 0), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return 1 + rows * childComplexity;
};

/** Every other field costs 1 and its selection. */
const ESTIMATORS = [perRow, simpleEstimator({ defaultComplexity: 1 })];

/** The variables the cost of `document` reads: those a `first` or a directive (@include, @skip) takes. */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(node) {
      if (node.name.value === 'first' && node.value.kind === Kind.VARIABLE) names.add(node.value.name.value);
    },
    Directive(node) {
      for (const argument of node.arguments ?? []) if (argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
    },
  });
  return [...names].sort();
}

/** Costs worked out for one document: by operation name and the values of the variables its cost reads. */
interface DocumentCosts {
  readonly variables: readonly string[];
  readonly costs: Map<string, number>;
}

/** Distinct (operation, values) costs kept per document; past it they are forgotten and worked out again. */
const MAX_COSTS_PER_DOCUMENT = 100;

/** Per schema (a new supergraph starts afresh), per document (Apollo parses a document once and reuses it). */
const knownCosts = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentCosts>>();

/**
 * The cost of running `operationName` of `document` with `variables`: how many fields it may resolve,
 * each list counted at the rows it asks for (graphql-query-complexity, with the estimators above).
 * Worked out once per document and values of the variables it reads. Undefined when the variables do
 * not fit the operation: execution refuses them with its own message.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): number | undefined {
  let byDocument = knownCosts.get(schema);
  if (!byDocument) knownCosts.set(schema, (byDocument = new WeakMap()));
  let known = byDocument.get(document);
  if (!known) byDocument.set(document, (known = { variables: costVariables(document), costs: new Map() }));
  // A variable left out (its default applies) and one given as null cost differently: keyed apart.
  const key = JSON.stringify([operationName ?? null, ...known.variables.map((name) => (variables && Object.hasOwn(variables, name) ? ['value', variables[name]] : ['unset']))]);
  const cached = known.costs.get(key);
  if (cached !== undefined) return cached;
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, variables: variables ?? {}, estimators: ESTIMATORS, ...(operationName ? { operationName } : {}) });
  } catch (error) {
    // More fields than the library counts (its maxQueryNodes): over any limit.
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) return Number.POSITIVE_INFINITY;
    return undefined;
  }
  if (known.costs.size >= MAX_COSTS_PER_DOCUMENT) known.costs.clear();
  known.costs.set(key, cost);
  return cost;
}

/** The refusal of an operation over the audience's cost, before any subgraph sees it. */
export function costRefusal(cost: number, audience: Audience): GraphQLError {
  const maximum = LIMITS[audience].cost;
  const shown = Number.isFinite(cost) ? String(cost) : `> ${maximum}`;
  return new GraphQLError(
    `Truy vấn quá tốn: chi phí ${shown}, tối đa ${maximum}; mỗi trường tính 1, danh sách tính theo số dòng \`first\`. ` +
      `(Query cost ${shown} is over the limit of ${maximum}: each field counts 1, and a list's fields count once per row its \`first\` asks for.)`,
    { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', maximum, http: { status: 400 } } },
  );
}
