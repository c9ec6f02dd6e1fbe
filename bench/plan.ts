import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanNode, QueryPlan } from '@apollo/query-planner';
import { SUPERGRAPH_PATH } from '../schema/compose';
import { idealStatementsPerSubgraph, queryPlan } from '../test/support/query-plan';
import { REPO_ROOT } from './options';

/** What the bench needs from the gateway's query plan for one operation. */
export interface PlanSummary {
  /** Fetches on the longest chain of dependent fetches: the round trips a request waits for. */
  readonly depth: number;
  /** Fetch nodes per subgraph. */
  readonly fetches: Readonly<Record<string, number>>;
  /** The SQL ideal per subgraph: one statement per entity type per fetch (see test/support/query-plan.ts). */
  readonly idealStatements: Readonly<Record<string, number>>;
}

function depthOf(node: PlanNode | undefined): number {
  if (!node) return 0;
  switch (node.kind) {
    case 'Fetch':
      return 1;
    case 'Sequence':
      return node.nodes.reduce((sum, child) => sum + depthOf(child), 0);
    case 'Parallel':
      return node.nodes.reduce((max, child) => Math.max(max, depthOf(child)), 0);
    case 'Flatten':
      return depthOf(node.node);
    case 'Condition':
      return Math.max(depthOf(node.ifClause), depthOf(node.elseClause));
    case 'Defer':
      return depthOf(node.primary.node) + node.deferred.reduce((max, d) => Math.max(max, depthOf(d.node)), 0);
    default:
      return 0;
  }
}

function countFetches(node: PlanNode | undefined, counts: Record<string, number>): void {
  if (!node) return;
  switch (node.kind) {
    case 'Fetch':
      counts[node.serviceName] = (counts[node.serviceName] ?? 0) + 1;
      return;
    case 'Sequence':
    case 'Parallel':
      for (const child of node.nodes) countFetches(child, counts);
      return;
    case 'Flatten':
      countFetches(node.node, counts);
      return;
    case 'Condition':
      countFetches(node.ifClause, counts);
      countFetches(node.elseClause, counts);
      return;
    case 'Defer':
      countFetches(node.primary.node, counts);
      for (const deferred of node.deferred) countFetches(deferred.node, counts);
      return;
    default:
      return;
  }
}

/** The plan the gateway's planner (@apollo/query-planner, same supergraph) makes for `query`. */
export function summarisePlan(query: string): PlanSummary {
  const plan: QueryPlan = queryPlan(query);
  const root = plan.node?.kind === 'Subscription' ? undefined : plan.node;
  const fetches: Record<string, number> = {};
  countFetches(root, fetches);
  return { depth: depthOf(root), fetches, idealStatements: idealStatementsPerSubgraph(plan) };
}

const JOIN_GRAPH = /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g;

/**
 * Writes a copy of the committed supergraph whose subgraph URLs are `urls` (the subgraphs this run
 * started), for Hive Gateway, which reads the URLs from the file (and watches it). Returns its path,
 * under the git-ignored bench/.cache/, named by this process's pid so that concurrent runs never
 * share one. Throws if a subgraph of the supergraph has no URL.
 */
export function supergraphWithUrls(urls: Readonly<Record<string, string>>, tag: string): string {
  const missing: string[] = [];
  const sdl = readFileSync(SUPERGRAPH_PATH, 'utf8').replace(JOIN_GRAPH, (_match, name: string) => {
    const url = urls[name];
    if (!url) missing.push(name);
    return `@join__graph(name: "${name}", url: "${url ?? ''}")`;
  });
  if (missing.length > 0) throw new Error(`No running subgraph for ${missing.join(', ')}`);
  const dir = join(REPO_ROOT, 'bench', '.cache');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `supergraph-${process.pid}-${tag}.graphql`);
  writeFileSync(path, sdl);
  return path;
}
