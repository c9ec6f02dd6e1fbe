import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldPolicy } from '../../schema/sharing';
import { supergraphFields } from '../../schema/catalogue';
import { readAgency } from '../kit/agency';

/** The committed supergraph the gateway serves: the catalogue of every field a request may name. */
export const SUPERGRAPH_FILE = join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

/** One field of the supergraph: its sharing policy and the agencies whose subgraphs resolve it. */
export interface CatalogueField extends FieldPolicy {
  /** Agency codes (agency.json `agencyCode`) of the subgraphs that resolve this field. */
  readonly owners: readonly string[];
}

/** What the ledger knows about the fields of the composed graph. */
export interface FieldCatalogue {
  /** The field at a "Type.field" coordinate, or undefined when the supergraph has none. */
  field(coordinate: string): CatalogueField | undefined;
  /** Every coordinate one agency resolves, sorted. */
  fieldsOwnedBy(agencyCode: string): string[];
}

function agencyOfSubgraph(subgraph: string): string | undefined {
  try {
    return readAgency(subgraph).agencyCode;
  } catch {
    return undefined; // composed in, but not an agency folder of this repository: nobody here owns it
  }
}

/**
 * Builds the catalogue from a supergraph's SDL: every field `supergraphFields` reads (category, and
 * the subgraphs that resolve it), each subgraph mapped to its agency by agency.json.
 */
export function buildFieldCatalogue(supergraphSdl: string, agencyOf: (subgraph: string) => string | undefined = agencyOfSubgraph): FieldCatalogue {
  const fields = new Map<string, CatalogueField>();
  for (const field of supergraphFields(supergraphSdl)) {
    const owners = new Set(field.subgraphs.map(agencyOf).filter((code): code is string => code !== undefined));
    fields.set(field.coordinate, { coordinate: field.coordinate, category: field.category, personal: field.personal, owners: [...owners].sort() });
  }
  return {
    field: (coordinate) => fields.get(coordinate),
    fieldsOwnedBy: (agencyCode) => [...fields.values()].filter((f) => f.owners.includes(agencyCode)).map((f) => f.coordinate).sort(),
  };
}

let committed: FieldCatalogue | undefined;

/** The catalogue of the committed supergraph, read once per process (a recomposition needs a restart). */
export function committedCatalogue(): FieldCatalogue {
  committed ??= buildFieldCatalogue(readFileSync(SUPERGRAPH_FILE, 'utf8'));
  return committed;
}
