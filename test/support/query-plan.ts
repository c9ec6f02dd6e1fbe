import { readFileSync } from 'node:fs';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';
import { SUPERGRAPH_PATH } from '../../schema/compose';

/** The gateway's query plan for `query`, from the same planner and supergraph the gateway uses. */
export function queryPlan(query: string): QueryPlan {
  const supergraph = Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8'));
  const planner = new QueryPlanner(supergraph);
  return planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query)));
}

/**
 * The ideal number of SQL statements the plan costs each subgraph: one per entity type per fetch
 * (the types a fetch's representations name), and one for a root fetch.
 */
export function idealStatementsPerSubgraph(plan: QueryPlan): Record<string, number> {
  const counts: Record<string, number> = {};
  const visit = (node: PlanNode | undefined): void => {
    if (!node) return;
    switch (node.kind) {
      case 'Fetch': {
        const types = new Set((node.requires ?? []).map((selection) => ('typeCondition' in selection ? selection.typeCondition : undefined)));
        counts[node.serviceName] = (counts[node.serviceName] ?? 0) + Math.max(1, types.size);
        return;
      }
      case 'Sequence':
      case 'Parallel':
        node.nodes.forEach(visit);
        return;
      case 'Flatten':
        visit(node.node);
        return;
      case 'Defer':
        visit(node.primary.node);
        node.deferred.forEach((d) => visit(d.node));
        return;
      case 'Condition':
        visit(node.ifClause);
        visit(node.elseClause);
        return;
      default:
        return;
    }
  };
  const root = plan.node;
  if (root && root.kind !== 'Subscription') visit(root);
  return counts;
}
