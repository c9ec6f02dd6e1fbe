import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode } from 'graphql';
import { z } from 'zod';
import { citizenIdentity, representativeOf, seedSizes, type SeedSizes } from '../subgraphs/kit/seed-plan';
import { REPO_ROOT } from './options';

/** The four example cross-domain queries of test/operations/. */
export const EXAMPLE_OPERATIONS = ['CitizenBusinessFootprint', 'PermitsInCommune', 'EnterprisesByBusinessLine', 'CurrentUnitOf'] as const;
export type ExampleOperation = (typeof EXAMPLE_OPERATIONS)[number];

type Variables = Readonly<Record<string, string | number | null>>;

/** A small deterministic PRNG (mulberry32), so every run draws the same variables. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffle<T>(items: readonly T[], rng: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** `test/operations/<name>.graphql` with the fragments of fragments.graphql it spreads (transitively). */
export function operationText(name: ExampleOperation): string {
  const dir = join(REPO_ROOT, 'test', 'operations');
  const operation = parse(readFileSync(join(dir, `${name}.graphql`), 'utf8'));
  const fragments = new Map(
    parse(readFileSync(join(dir, 'fragments.graphql'), 'utf8'))
      .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const included = new Map<string, FragmentDefinitionNode>();
  let pending: readonly DefinitionNode[] = operation.definitions;
  // Each pass adds the fragments spread by the previous pass; bounded by the number of fragments.
  for (let pass = 0; pass <= fragments.size && pending.length > 0; pass++) {
    const found: FragmentDefinitionNode[] = [];
    for (const definition of pending) {
      visit(definition, {
        FragmentSpread(node) {
          const fragment = fragments.get(node.name.value);
          if (fragment && !included.has(node.name.value)) {
            included.set(node.name.value, fragment);
            found.push(fragment);
          }
        },
      });
    }
    pending = found;
  }
  return print({ kind: Kind.DOCUMENT, definitions: [...operation.definitions, ...included.values()] });
}

/** A JSON request body. */
export function body(query: string, variables: Variables, operationName?: string): string {
  return JSON.stringify(operationName ? { query, variables, operationName } : { query, variables });
}

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
const unitRef = z.object({ code: z.string(), edition: z.enum(['THREE_LEVEL', 'TWO_LEVEL']) });

const enterprisesPage = z.object({
  enterprises: z.object({
    nodes: z.array(z.object({ commune: unitRef, businessLines: z.array(z.object({ activity: z.object({ code: z.string() }) })) })),
    pageInfo,
  }),
});
const permitsPage = z.object({
  constructionPermits: z.object({ nodes: z.array(z.object({ issuedOn: z.string(), commune: unitRef })), pageInfo }),
});

/** POSTs a query with `headers` and returns `data`, parsed; throws on any GraphQL error. */
export async function query<T>(
  url: string,
  headers: Readonly<Record<string, string>>,
  text: string,
  variables: Variables,
  schema: z.ZodType<T>,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query: text, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const json = z.object({ data: schema.nullish(), errors: z.array(z.object({ message: z.string() })).optional() }).parse(await response.json());
  if (json.errors?.length || !json.data) throw new Error(`query failed (${response.status}): ${json.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  return json.data;
}

/** Variables for each example query, drawn from the seeded data, plus the seed's sizes. */
export interface VariablePools {
  readonly sizes: SeedSizes;
  readonly pools: Readonly<Record<ExampleOperation, readonly Variables[]>>;
  /** Personal ids of citizens who represent an enterprise whose parcel carries a permit (all five subgraphs reachable). */
  readonly deepCitizens: readonly string[];
  /** `after` cursors of consecutive 100-row pages of `landParcels`, the first being null (the first page). */
  readonly parcelCursors: readonly (string | null)[];
}

/** Pages walked while sampling; bounded so sampling takes seconds at any scale. */
const SAMPLE_PAGES = 10;
/** Parcel pages walked for the list-size scenario: room for 1,000-row queries at varied offsets. */
const PARCEL_PAGES = 40;

/**
 * Draws the variables the load uses, each pool a few hundred entries so that consecutive requests
 * differ: citizen ids from the seed plan (representatives of random enterprises, so the query goes
 * deep), and communes, business lines and date ranges found in the data itself through `url`.
 */
export async function sampleVariables(url: string, headers: Readonly<Record<string, string>>, scale: number, seed = 47): Promise<VariablePools> {
  const rng = random(seed);
  const sizes = seedSizes(scale);
  const pick = (n: number) => Math.floor(rng() * n);

  const footprint = Array.from({ length: 500 }, () => ({ id: citizenIdentity(representativeOf(pick(sizes.enterprises), sizes)).id }));
  // Even-numbered enterprises hold a parcel that carries a permit (seed plan: parcel 3e, permits on even parcels below 5E).
  const deepCitizens = Array.from({ length: 500 }, () => citizenIdentity(representativeOf(2 * pick(Math.floor(sizes.enterprises / 2)), sizes)).id);

  const lines = new Map<string, Variables>();
  const oldCommunes = new Set<string>();
  let after: string | null = null;
  for (let page = 0; page < SAMPLE_PAGES; page++) {
    const data: z.infer<typeof enterprisesPage> = await query(
      url,
      headers,
      `query($after: String) { enterprises(first: 100, after: $after) {
         nodes { commune { code edition } businessLines { activity { code } } } pageInfo { hasNextPage endCursor } } }`,
      { after },
      enterprisesPage,
    );
    for (const node of data.enterprises.nodes) {
      if (node.commune.edition === 'THREE_LEVEL') oldCommunes.add(node.commune.code);
      for (const line of node.businessLines) {
        const key = `${node.commune.edition}:${node.commune.code}:${line.activity.code}`;
        lines.set(key, { commune: node.commune.code, edition: node.commune.edition, line: line.activity.code });
      }
    }
    after = data.enterprises.pageInfo.endCursor;
    if (!data.enterprises.pageInfo.hasNextPage) break;
  }

  const permits = new Map<string, Variables>();
  after = null;
  for (let page = 0; page < SAMPLE_PAGES; page++) {
    const data: z.infer<typeof permitsPage> = await query(
      url,
      headers,
      `query($after: String) { constructionPermits(first: 100, after: $after) {
         nodes { issuedOn commune { code edition } } pageInfo { hasNextPage endCursor } } }`,
      { after },
      permitsPage,
    );
    for (const node of data.constructionPermits.nodes) {
      if (node.commune.edition === 'THREE_LEVEL') oldCommunes.add(node.commune.code);
      const year = node.issuedOn.slice(0, 4);
      permits.set(`${node.commune.edition}:${node.commune.code}:${year}`, {
        commune: node.commune.code,
        edition: node.commune.edition,
        from: `${year}-01-01`,
        to: `${year}-12-31`,
      });
    }
    after = data.constructionPermits.pageInfo.endCursor;
    if (!data.constructionPermits.pageInfo.hasNextPage) break;
  }

  const parcelCursors: (string | null)[] = [null];
  for (let page = 0; page < PARCEL_PAGES; page++) {
    const data = await query(
      url,
      headers,
      `query($after: String) { landParcels(first: 100, after: $after) { pageInfo { hasNextPage endCursor } } }`,
      { after: parcelCursors[parcelCursors.length - 1] ?? null },
      z.object({ landParcels: z.object({ pageInfo }) }),
    );
    if (!data.landParcels.pageInfo.hasNextPage || !data.landParcels.pageInfo.endCursor) break;
    parcelCursors.push(data.landParcels.pageInfo.endCursor);
  }

  const need = (name: string, list: readonly Variables[]) => {
    if (list.length === 0) throw new Error(`sampling found no variables for ${name}: is the mesh seeded?`);
    return shuffle(list, rng);
  };
  return {
    sizes,
    pools: {
      CitizenBusinessFootprint: footprint,
      PermitsInCommune: need('PermitsInCommune', [...permits.values()]),
      EnterprisesByBusinessLine: need('EnterprisesByBusinessLine', [...lines.values()]),
      CurrentUnitOf: need('CurrentUnitOf', [...oldCommunes].map((code) => ({ code }))),
    },
    deepCitizens,
    parcelCursors,
  };
}

/** Request bodies of one example query, one per variable set. */
export function exampleBodies(name: ExampleOperation, pools: VariablePools): string[] {
  const text = operationText(name);
  return pools.pools[name].map((variables) => body(text, variables, name));
}

/**
 * The cross-domain workload: the four example queries in equal shares, interleaved
 * (Q1, Q2, Q3, Q4, Q1, …), each with the next variables from its pool.
 */
export function mixedBodies(pools: VariablePools, count = 2000): string[] {
  const perOperation = EXAMPLE_OPERATIONS.map((name) => exampleBodies(name, pools));
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const list = perOperation[i % perOperation.length] ?? [];
    const next = list[Math.floor(i / perOperation.length) % list.length];
    if (next !== undefined) bodies.push(next);
  }
  return bodies;
}

/**
 * The fields of each listed parcel: two of its own (land) and its land-use name (codes), the same at
 * every list size, so that what grows is the rows. Ten such pages cost 5,010 of an agency's 100,000
 * (gateway/limits.ts).
 */
const PARCEL_FIELDS = 'id area landUse { name }';

/** A list of `rows` parcels with each parcel's land-use name from the codes subgraph. */
export interface ListQuery {
  readonly rows: number;
  /** How the rows are fetched, for the report. */
  readonly shape: string;
  readonly query: string;
  readonly bodies: string[];
}

/**
 * The list-size queries. Pages hold at most 100 rows (MAX_PAGE_SIZE), so 1,000 rows are ten
 * aliased 100-row pages of `landParcels` in one request, each after a cursor taken from a real
 * response; the gateway fetches them from the land subgraph in one fetch and resolves the 1,000
 * parcels' fields in other subgraphs in batched entity fetches. Each request starts at a different page.
 */
export function listQueries(pools: VariablePools, sizes: readonly number[]): ListQuery[] {
  const cursors = pools.parcelCursors;
  return sizes.map((rows) => {
    const pages = Math.max(1, Math.ceil(rows / 100));
    const first = Math.min(rows, 100);
    const starts = Math.max(1, cursors.length - pages + 1);
    const args = Array.from({ length: pages }, (_, i) => `$a${i}: String`).join(', ');
    const fields = Array.from({ length: pages }, (_, i) => `p${i}: landParcels(first: ${first}, after: $a${i}) { nodes { ${PARCEL_FIELDS} } }`).join('\n  ');
    const text = `query Parcels${rows}(${args}) {\n  ${fields}\n}`;
    const bodies = Array.from({ length: Math.min(starts, 200) }, (_, start) => {
      const variables: Record<string, string | null> = {};
      for (let i = 0; i < pages; i++) variables[`a${i}`] = cursors[start + i] ?? null;
      return body(text, variables);
    });
    const shape = pages === 1 ? `one page of landParcels(first: ${first})` : `${pages} aliased pages of landParcels(first: 100) in one request`;
    return { rows, shape, query: text, bodies };
  });
}

/** A query that touches `subgraphs` subgraphs (1–5), each step adding one subgraph to the last. */
export interface FanOutQuery {
  readonly subgraphs: number;
  readonly touches: string;
  readonly query: string;
  readonly bodies: string[];
}

const FAN_OUT: ReadonlyArray<{ touches: string; selection: string }> = [
  { touches: 'citizens', selection: 'id fullName addressLine' },
  { touches: '+ codes', selection: 'id fullName addressLine commune { name }' },
  { touches: '+ enterprises', selection: 'id fullName addressLine commune { name } enterprises { taxCode name }' },
  { touches: '+ land', selection: 'id fullName addressLine commune { name } enterprises { taxCode name landParcels { id area } }' },
  {
    touches: '+ construction',
    selection: 'id fullName addressLine commune { name } enterprises { taxCode name landParcels { id area constructionPermits { number } } }',
  },
];

/** The fan-out queries, on citizens whose enterprises hold a parcel with a permit, so every subgraph is reached. */
export function fanOutQueries(pools: VariablePools): FanOutQuery[] {
  return FAN_OUT.map((step, index) => {
    const text = `query FanOut${index + 1}($id: PersonalId!) { citizen(id: $id) { ${step.selection} } }`;
    return { subgraphs: index + 1, touches: step.touches, query: text, bodies: pools.deepCitizens.map((id) => body(text, { id })) };
  });
}
