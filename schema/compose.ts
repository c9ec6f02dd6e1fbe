import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { listAgencies, SUBGRAPHS_DIR } from '../subgraphs/kit/agency';
import type { DocumentNode } from 'graphql';
import { prepareSubgraphSdl } from './sharing';
import { composeOpenContract } from './contract';

/** The committed supergraph that the gateway serves by default. */
export const SUPERGRAPH_PATH = join(__dirname, 'supergraph.graphql');
/** The committed OPEN-only contract supergraph served at /open/graphql. */
export const OPEN_SUPERGRAPH_PATH = join(__dirname, 'supergraph.open.graphql');

export interface SubgraphSource {
  readonly name: string;
  readonly url: string;
  readonly sdl: string;
  /** Already prepared (shared definitions added, defaults expanded, possibly cut down); wins over sdl. */
  readonly prepared?: DocumentNode;
}

/**
 * The SDL and default URL of the agency subgraphs in the repository: those of the default
 * composition (the committed supergraph), or with 'all' those that join by publishing too.
 */
export function localSubgraphSources(which: 'composed' | 'all' = 'composed'): SubgraphSource[] {
  return listAgencies(which).map((agency) => ({
    name: agency.subgraph,
    url: `http://127.0.0.1:${agency.defaultPort}/graphql`,
    sdl: readFileSync(join(SUBGRAPHS_DIR, agency.subgraph, 'schema.graphql'), 'utf8'),
  }));
}

export type CompositionOutcome =
  | { readonly ok: true; readonly supergraphSdl: string }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Composes subgraphs into a Federation 2 supergraph. Each subgraph's type-level @sharing defaults
 * are expanded first, and a subgraph with an uncategorised field is refused before composition.
 */
export function composeSupergraph(sources: readonly SubgraphSource[]): CompositionOutcome {
  const services = [];
  for (const source of sources) {
    try {
      services.push({ name: source.name, url: source.url, typeDefs: source.prepared ?? prepareSubgraphSdl(source.name, source.sdl) });
    } catch (error) {
      return { ok: false, errors: [error instanceof Error ? error.message : String(error)] };
    }
  }
  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors.map((e) => e.message) };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

/**
 * `npm run compose`: writes schema/supergraph.graphql and the open contract
 * schema/supergraph.open.graphql from the local subgraphs, or exits 1 with the errors.
 */
function main(): void {
  const sources = localSubgraphSources();
  for (const [path, outcome] of [
    [SUPERGRAPH_PATH, composeSupergraph(sources)],
    [OPEN_SUPERGRAPH_PATH, composeOpenContract(sources)],
  ] as const) {
    if (!outcome.ok) {
      process.stderr.write(`Composition failed:\n${outcome.errors.map((e) => `  - ${e}`).join('\n')}\n`);
      process.exit(1);
    }
    writeFileSync(path, outcome.supergraphSdl);
    process.stdout.write(`Wrote ${path}\n`);
  }
}

if (require.main === module) main();
