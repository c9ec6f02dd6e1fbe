import { parse, type DocumentNode } from 'graphql';
import type { CheckIssue } from './issue';
import { typeIndex, type LintContext, type Rule } from './lint-context';
import { conventionalNames, sharedScalars } from './lint-names';
import { categorised, describedEverywhere, nullableRoots, paginated } from './lint-rules';
import { expandSharingDefaults, sharedDefinitions } from './sharing';

export { LintRule } from './lint-context';

const RULES: readonly Rule[] = [describedEverywhere, categorised, paginated, nullableRoots, sharedScalars, conventionalNames];

function byPosition(a: CheckIssue, b: CheckIssue): number {
  const [left, right] = [a.locations[0], b.locations[0]];
  return (left?.line ?? 0) - (right?.line ?? 0) || (left?.column ?? 0) - (right?.column ?? 0) || a.code.localeCompare(b.code);
}

/**
 * Lints one subgraph's own SDL (parsed, shared definitions not included) against the rules of
 * `LintRule`, and returns every finding in source order, each with its rule id, a message saying how
 * to fix it, the schema coordinate and its line and column. Returns [] for a clean schema.
 */
export function lintSubgraph(subgraph: string, own: DocumentNode): CheckIssue[] {
  const definitions = expandSharingDefaults(own).definitions;
  const context: LintContext = { subgraph, definitions, types: typeIndex([...parse(sharedDefinitions()).definitions, ...definitions]) };
  return RULES.flatMap((rule) => rule(context)).sort(byPosition);
}
