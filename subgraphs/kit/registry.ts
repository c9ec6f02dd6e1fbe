import { join } from 'node:path';
import { SUBGRAPHS_DIR, type Agency } from './agency';
import type { SubgraphContext, SubgraphDefinition } from './server';

function isDefinition(value: unknown): value is SubgraphDefinition<SubgraphContext> {
  return typeof value === 'object' && value !== null && 'name' in value && 'createContext' in value && 'resolvers' in value;
}

/** The subgraph definition exported (under its own name) by `subgraphs/<name>/server.ts`. */
export function loadDefinition(agency: Agency): SubgraphDefinition<SubgraphContext> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(SUBGRAPHS_DIR, agency.subgraph, 'server')) as Record<string, unknown>;
  const definition = Object.values(module).find(isDefinition);
  if (!definition) throw new Error(`subgraphs/${agency.subgraph}/server.ts exports no subgraph definition`);
  return definition;
}

