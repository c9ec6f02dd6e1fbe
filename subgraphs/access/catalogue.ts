import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildASTSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type GraphQLSchema,
} from 'graphql';
import { schemaFieldPolicies, type FieldPolicy } from '../../schema/sharing';
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

function argument(directive: ConstDirectiveNode, name: string): string | boolean | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (value?.kind === Kind.ENUM || value?.kind === Kind.STRING || value?.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

function directivesNamed(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode[] {
  return (directives ?? []).filter((d) => d.name.value === name);
}

/** join__Graph enum value (e.g. LAND) → agency code of that subgraph (e.g. so-nn-mt). */
function graphAgencies(schema: GraphQLSchema, agencyOf: (subgraph: string) => string | undefined): Map<string, string> {
  const graphs = new Map<string, string>();
  const joinGraph = schema.getType('join__Graph');
  for (const value of joinGraph?.astNode?.kind === Kind.ENUM_TYPE_DEFINITION ? (joinGraph.astNode.values ?? []) : []) {
    const [directive] = directivesNamed(value.directives, 'join__graph');
    const subgraph = directive && argument(directive, 'name');
    const agency = typeof subgraph === 'string' ? agencyOf(subgraph) : undefined;
    if (agency) graphs.set(value.name.value, agency);
  }
  return graphs;
}

function agencyOfSubgraph(subgraph: string): string | undefined {
  try {
    return readAgency(subgraph).agencyCode;
  } catch {
    return undefined; // composed in, but not an agency folder of this repository: nobody here owns it
  }
}

/**
 * Builds the catalogue from a supergraph's SDL. Categories come from `schemaFieldPolicies` (the same
 * reading the sharing rules use). A field's owners are the subgraphs named by its
 * `@join__field(graph:)` directives (external ones excluded) or, when it has none, by its type's
 * resolvable `@join__type(graph:)` directives; each subgraph maps to its agency by agency.json.
 * Fields marked @inaccessible are left out.
 */
export function buildFieldCatalogue(supergraphSdl: string, agencyOf: (subgraph: string) => string | undefined = agencyOfSubgraph): FieldCatalogue {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const policies = schemaFieldPolicies(schema);
  const agencies = graphAgencies(schema, agencyOf);
  const fields = new Map<string, CatalogueField>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const typeGraphs = directivesNamed(type.astNode?.directives, 'join__type')
      .filter((d) => argument(d, 'resolvable') !== false)
      .map((d) => argument(d, 'graph'));
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const policy = policies.get(coordinate);
      if (!policy || directivesNamed(field.astNode?.directives, 'inaccessible').length > 0) continue;
      const joins = directivesNamed(field.astNode?.directives, 'join__field').filter((d) => argument(d, 'graph') !== undefined);
      const graphs = joins.length > 0 ? joins.filter((d) => argument(d, 'external') !== true).map((d) => argument(d, 'graph')) : typeGraphs;
      const owners = new Set<string>();
      for (const graph of graphs) {
        const agency = typeof graph === 'string' ? agencies.get(graph) : undefined;
        if (agency) owners.add(agency);
      }
      fields.set(coordinate, { ...policy, owners: [...owners].sort() });
    }
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
