import pino from 'pino';
import { z } from 'zod';
import { startMesh } from '../../scripts/mesh';
import type { BenchContext } from '../context';
import { LEDGER_SUBGRAPH } from '../deployment';
import { summarisePlan } from '../plan';
import { databasePrefix } from '../postgres';
import { spread, type Spread } from '../stats';
import { EXAMPLE_OPERATIONS, operationText, type ExampleOperation } from '../workload';
import { OUTBOX_STATEMENTS } from '../../subgraphs/kit/outbox';

export const SQL_SCENARIO = '2. SQL statements per request';

export interface SubgraphStatements {
  readonly subgraph: string;
  /** Fetch nodes the plan sends this subgraph. */
  readonly planFetches: number;
  /** One statement per entity type per fetch. */
  readonly ideal: number;
  /** Statements sent per request, over the samples. */
  readonly statements: Spread;
  /** HTTP requests the subgraph received per request: fewer than planFetches when a fetch had nothing to resolve. */
  readonly requests: Spread;
  readonly names: readonly string[];
}

export interface QueryStatements {
  readonly operation: ExampleOperation;
  readonly samples: number;
  readonly subgraphs: readonly SubgraphStatements[];
  /** Samples in which some subgraph sent more statements than its ideal. */
  readonly overIdeal: number;
  /** Samples whose every planned fetch ran and whose statements equal the ideal exactly. */
  readonly exact: number;
  /** Samples with some planned fetch skipped (nothing to resolve): fewer statements than the ideal is then right. */
  readonly partial: number;
  /** Samples whose every planned fetch ran but with fewer statements than the ideal. */
  readonly below: number;
  readonly errors: number;
}

const response = z.object({ errors: z.array(z.object({ message: z.string() })).optional() });

/**
 * Scenario 2: SQL statements per request, counted at the pg client. It runs the mesh in this process
 * (scripts/mesh.ts over the same bench databases) and listens to every subgraph's
 * Database.onStatement, sending one request at a time so each statement belongs to that request.
 * Nothing is timed here.
 */
export async function runSqlCount(ctx: BenchContext, serverUrl: string): Promise<QueryStatements[]> {
  const samplesPerQuery = ctx.options.quick ? 5 : 20;
  const mesh = await startMesh({
    serverUrl,
    databasePrefix: databasePrefix(ctx.options.scale),
    seedScale: ctx.options.scale,
    ports: 'random',
    logger: pino({ level: 'silent' }),
    keys: ctx.keys,
    // Statements per planned fetch: with open data kept at the gateway, fetches of units already
    // seen would not be sent at all, and the count would say nothing of batching.
    openDataCacheBytes: 0,
  });
  try {
    const url = `${mesh.gatewayUrl}/graphql`;
    const results: QueryStatements[] = [];
    for (const operation of EXAMPLE_OPERATIONS) {
      const text = operationText(operation);
      const plan = summarisePlan(text);
      // The access ledger is left out: providers poll it every second, whatever the request.
      const names = [...new Set([...Object.keys(plan.fetches), ...mesh.subgraphs.keys()])].filter((n) => n !== LEDGER_SUBGRAPH).sort();
      const statements = new Map<string, number[]>(names.map((n) => [n, []]));
      const requests = new Map<string, number[]>(names.map((n) => [n, []]));
      const seen = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
      let overIdeal = 0;
      let exact = 0;
      let partial = 0;
      let below = 0;
      let errors = 0;
      const pool = ctx.pools.pools[operation];
      for (let i = 0; i < Math.min(samplesPerQuery, pool.length); i++) {
        const sent = new Map<string, number>();
        const received = new Map<string, number>();
        const stops: Array<() => void> = [];
        for (const [name, subgraph] of mesh.subgraphs) {
          if (!names.includes(name)) continue;
          stops.push(
            subgraph.db.onStatement((statement) => {
              // The outbox relay's statements come after the answer and belong to no request.
              if (OUTBOX_STATEMENTS.has(statement)) return;
              sent.set(name, (sent.get(name) ?? 0) + 1);
              seen.get(name)?.add(statement);
            }),
          );
          const onRequest = () => received.set(name, (received.get(name) ?? 0) + 1);
          subgraph.server.on('request', onRequest);
          stops.push(() => subgraph.server.off('request', onRequest));
        }
        try {
          const answer = await fetch(url, {
            method: 'POST',
            headers: { ...ctx.headers, 'content-type': 'application/json' },
            body: JSON.stringify({ query: text, variables: pool[i], operationName: operation }),
          });
          const parsed = response.safeParse(await answer.json());
          if (answer.status !== 200 || !parsed.success || parsed.data.errors?.length) errors += 1;
        } finally {
          for (const stop of stops) stop();
        }
        let over = false;
        let allFetched = true;
        let allIdeal = true;
        for (const name of names) {
          const count = sent.get(name) ?? 0;
          const ideal = plan.idealStatements[name] ?? 0;
          statements.get(name)?.push(count);
          requests.get(name)?.push(received.get(name) ?? 0);
          if (count > ideal) over = true;
          if (count !== ideal) allIdeal = false;
          if ((received.get(name) ?? 0) < (plan.fetches[name] ?? 0)) allFetched = false;
        }
        if (over) overIdeal += 1;
        else if (!allFetched) partial += 1;
        else if (allIdeal) exact += 1;
        else below += 1;
      }
      results.push({
        operation,
        samples: Math.min(samplesPerQuery, pool.length),
        subgraphs: names.map((name) => ({
          subgraph: name,
          planFetches: plan.fetches[name] ?? 0,
          ideal: plan.idealStatements[name] ?? 0,
          statements: spread(statements.get(name) ?? []),
          requests: spread(requests.get(name) ?? []),
          names: [...(seen.get(name) ?? [])].sort(),
        })),
        overIdeal,
        exact,
        partial,
        below,
        errors,
      });
      ctx.say(`  ${operation}: ${exact} exact, ${below} below, ${partial} with skipped fetches, ${overIdeal} over the ideal, ${errors} errors`);
    }
    return results;
  } finally {
    await mesh.stop();
  }
}
