import { createHash } from 'node:crypto';
import {
  buildASTSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { pageNodes } from './pages';
import { schemaFieldPolicies, type FieldPolicy } from './sharing';

/**
 * The sharing-service catalogue (Quy chế Phú Yên Art. 7, 9, 12; Decree 47 Art. 24–25; DESIGN.md §8),
 * generated from a supergraph and the agencies' metadata: each agency, its contact officer, its
 * databases (subgraphs), their datasets (types) and every field with its category, whether it is
 * personal data, and how to request access to special-request fields.
 */

function argument(directive: ConstDirectiveNode, name: string): string | boolean | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (value?.kind === Kind.ENUM || value?.kind === Kind.STRING || value?.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

function directivesNamed(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode[] {
  return (directives ?? []).filter((d) => d.name.value === name);
}

/** join__Graph enum value (e.g. LAND) → subgraph name (e.g. land). */
function graphNames(schema: GraphQLSchema): Map<string, string> {
  const names = new Map<string, string>();
  const joinGraph = schema.getType('join__Graph');
  for (const value of joinGraph?.astNode?.kind === Kind.ENUM_TYPE_DEFINITION ? (joinGraph.astNode.values ?? []) : []) {
    const [directive] = directivesNamed(value.directives, 'join__graph');
    const name = directive && argument(directive, 'name');
    if (typeof name === 'string') names.set(value.name.value, name);
  }
  return names;
}

/** One categorised field of a supergraph, with the subgraphs that resolve it. */
export interface SupergraphField extends FieldPolicy {
  readonly typeName: string;
  readonly fieldName: string;
  readonly typeDescription: string | null;
  readonly description: string | null;
  /** The field's GraphQL type as written, e.g. `[LandUseCertificate!]`. */
  readonly type: string;
  /** The named type under lists and non-null, e.g. `LandUseCertificate`. */
  readonly namedType: string;
  /** The subgraphs (by name) that resolve it. */
  readonly subgraphs: readonly string[];
  /** True on a paging type: `PageInfo`, or a page of another type (it has `pageInfo: PageInfo`). */
  readonly paging: boolean;
}

/** A paging type: `PageInfo` itself, or an object with `pageInfo` of type `PageInfo` (a connection). */
function isPagingType(type: GraphQLObjectType | GraphQLInterfaceType): boolean {
  return type.name === 'PageInfo' || pageNodes(type) !== undefined;
}

/**
 * Every categorised, accessible field of a supergraph. Categories come from `schemaFieldPolicies`
 * (the same reading the sharing rules use). A field's subgraphs are those of its
 * `@join__field(graph:)` directives (external ones excluded) or, when it has none, its type's
 * resolvable `@join__type(graph:)` directives. Fields marked @inaccessible are left out.
 */
export function supergraphFields(supergraphSdl: string): SupergraphField[] {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const policies = schemaFieldPolicies(schema);
  const names = graphNames(schema);
  const fields: SupergraphField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const paging = isPagingType(type);
    const typeGraphs = directivesNamed(type.astNode?.directives, 'join__type')
      .filter((d) => argument(d, 'resolvable') !== false)
      .map((d) => argument(d, 'graph'));
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const policy = policies.get(coordinate);
      if (!policy || directivesNamed(field.astNode?.directives, 'inaccessible').length > 0) continue;
      const joins = directivesNamed(field.astNode?.directives, 'join__field').filter((d) => argument(d, 'graph') !== undefined);
      const graphs = joins.length > 0 ? joins.filter((d) => argument(d, 'external') !== true).map((d) => argument(d, 'graph')) : typeGraphs;
      const subgraphs = new Set<string>();
      for (const graph of graphs) {
        const name = typeof graph === 'string' ? names.get(graph) : undefined;
        if (name) subgraphs.add(name);
      }
      fields.push({
        ...policy,
        typeName: type.name,
        fieldName: field.name,
        typeDescription: type.description ?? null,
        description: field.description ?? null,
        type: String(field.type),
        namedType: getNamedType(field.type).name,
        subgraphs: [...subgraphs].sort(),
        paging,
      });
    }
  }
  return fields;
}

/** What the catalogue needs to know of an agency that runs a subgraph (its agency.json). */
export interface CatalogueAgency {
  readonly subgraph: string;
  readonly agencyCode: string;
  readonly name: string;
  readonly englishName: string;
  readonly formerNames: readonly string[];
  readonly contact: { readonly name: string; readonly title: string; readonly email: string; readonly phone: string };
}

export interface CatalogueField {
  readonly name: string;
  readonly coordinate: string;
  readonly description: string | null;
  readonly type: string;
  readonly category: FieldPolicy['category'];
  readonly personal: boolean;
  /** For SPECIAL_REQUEST fields: the request to send to the access ledger, through the gateway. */
  readonly requestAccess: string | null;
}

export interface CatalogueDataset {
  readonly name: string;
  readonly description: string | null;
  /**
   * True for a paging type (a connection of another dataset, or `PageInfo`): not data of its own,
   * listed after the datasets so that readers know what a page carries.
   */
  readonly paging: boolean;
  readonly fields: readonly CatalogueField[];
}

export interface CatalogueDatabase {
  readonly subgraph: string;
  readonly name: string;
  readonly englishName: string;
  /** The database's contact officer (đầu mối). */
  readonly contact: CatalogueAgency['contact'];
  readonly datasets: readonly CatalogueDataset[];
}

export interface CatalogueEntry {
  readonly code: string;
  readonly name: string;
  readonly formerNames: readonly string[];
  readonly databases: readonly CatalogueDatabase[];
}

export interface Catalogue {
  /** SHA-256 of the supergraph the catalogue was generated from: it names the graph being served. */
  readonly supergraph: string;
  readonly agencies: readonly CatalogueEntry[];
}

/** How an agency asks for a special-request field: the ledger mutation, ready to fill in. */
export function requestAccessExample(provider: string, coordinate: string): string {
  return `mutation { requestAccess(input: { provider: "${provider}", fields: ["${coordinate}"], purpose: "…", legalBasis: "…", validFrom: "YYYY-MM-DD" }) { id status } }`;
}

/**
 * Root types are shared by every subgraph, so the supergraph's description of one belongs to
 * whichever subgraph composed it: the catalogue says what they are instead.
 */
const ROOT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Query: 'Các truy vấn gốc mà cơ sở dữ liệu này cung cấp (root query fields).',
  Mutation: 'Các thao tác ghi mà cơ sở dữ liệu này cung cấp (root mutation fields).',
  Subscription: 'Các đăng ký theo dõi mà cơ sở dữ liệu này cung cấp (root subscription fields).',
};
const ROOT_TYPES = new Set(Object.keys(ROOT_DESCRIPTIONS));

/**
 * The catalogue of `supergraphSdl`: one entry per agency code, each of its subgraphs a database,
 * each type a subgraph resolves a dataset holding the fields that subgraph resolves (root fields
 * under `Query`/`Mutation`). Sorted by agency code, subgraph, type and field, so that the same
 * supergraph always gives the same catalogue. Subgraphs with no agency metadata are left out, and so
 * are agencies whose subgraph the supergraph does not compose (not published yet).
 */
export function buildCatalogue(supergraphSdl: string, agencies: readonly CatalogueAgency[], agencyName: (code: string) => string): Catalogue {
  const fields = supergraphFields(supergraphSdl);
  const composed = new Set(graphNames(buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true })).values());
  const entries = new Map<string, { formerNames: Set<string>; databases: CatalogueDatabase[] }>();
  for (const agency of [...agencies].filter((a) => composed.has(a.subgraph)).sort((a, b) => a.subgraph.localeCompare(b.subgraph))) {
    const own = fields.filter((field) => field.subgraphs.includes(agency.subgraph));
    const paging = new Set(own.filter((field) => field.paging).map((field) => field.typeName));
    // Root types first, then the datasets, then the paging types; by name within each.
    const rank = (typeName: string) => (ROOT_TYPES.has(typeName) ? 0 : paging.has(typeName) ? 2 : 1);
    const types = [...new Set(own.map((field) => field.typeName))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const datasets = types.map((typeName) => {
      const typeFields = own.filter((field) => field.typeName === typeName).sort((a, b) => a.fieldName.localeCompare(b.fieldName));
      return {
        name: typeName,
        description: ROOT_DESCRIPTIONS[typeName] ?? typeFields[0]?.typeDescription ?? null,
        paging: paging.has(typeName),
        fields: typeFields.map((field) => ({
          name: field.fieldName,
          coordinate: field.coordinate,
          description: field.description,
          type: field.type,
          category: field.category,
          personal: field.personal,
          requestAccess: field.category === 'SPECIAL_REQUEST' ? requestAccessExample(agency.agencyCode, field.coordinate) : null,
        })),
      };
    });
    const entry = entries.get(agency.agencyCode) ?? { formerNames: new Set<string>(), databases: [] };
    for (const former of agency.formerNames) entry.formerNames.add(former);
    entry.databases.push({ subgraph: agency.subgraph, name: agency.name, englishName: agency.englishName, contact: agency.contact, datasets });
    entries.set(agency.agencyCode, entry);
  }
  return {
    supergraph: createHash('sha256').update(supergraphSdl).digest('hex'),
    agencies: [...entries]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, entry]) => ({ code, name: agencyName(code), formerNames: [...entry.formerNames], databases: entry.databases })),
  };
}
