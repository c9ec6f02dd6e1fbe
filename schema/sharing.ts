import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kind,
  parse,
  Source,
  visit,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLSchema,
  isObjectType,
  isInterfaceType,
} from 'graphql';

/** The three sharing categories of Decree 47/2020/NĐ-CP, from the most open to the most closed. */
export const SHARING_CATEGORIES = ['OPEN', 'DEFAULT', 'SPECIAL_REQUEST'] as const;
/** The directive that carries a field's category (`@sharing(category: …)`). */
export const SHARING_DIRECTIVE = 'sharing';
export type SharingCategory = (typeof SHARING_CATEGORIES)[number];

/** What the schema says about one field: its category and whether it holds personal data. */
export interface FieldPolicy {
  readonly coordinate: string;
  readonly category: SharingCategory;
  readonly personal: boolean;
}

const SHARED_DEFINITIONS_PATH = join(__dirname, 'directives.graphql');

/** The shared header (federation links, @sharing, @personal, shared scalars, PageInfo) as SDL text. */
export function sharedDefinitions(): string {
  return readFileSync(SHARED_DEFINITIONS_PATH, 'utf8');
}

function isSharingCategory(value: string): value is SharingCategory {
  return (SHARING_CATEGORIES as readonly string[]).includes(value);
}

/** The category a `@sharing` directive in `directives` names, if any. */
export function categoryOf(directives: readonly ConstDirectiveNode[] | undefined): SharingCategory | undefined {
  const directive = directives?.find((d) => d.name.value === SHARING_DIRECTIVE);
  const argument = directive?.arguments?.find((a) => a.name.value === 'category');
  if (!argument || argument.value.kind !== Kind.ENUM) return undefined;
  return isSharingCategory(argument.value.value) ? argument.value.value : undefined;
}

function sharingDirective(category: SharingCategory): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: SHARING_DIRECTIVE },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'category' },
        value: { kind: Kind.ENUM, value: category },
      },
    ],
  };
}

type FieldedNodeKind =
  | Kind.OBJECT_TYPE_DEFINITION
  | Kind.OBJECT_TYPE_EXTENSION
  | Kind.INTERFACE_TYPE_DEFINITION
  | Kind.INTERFACE_TYPE_EXTENSION;

const FIELDED_KINDS: ReadonlySet<Kind> = new Set<FieldedNodeKind>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
]);

/**
 * Moves every type-level `@sharing` default onto the fields of that type (in that definition only)
 * that carry no category of their own, and removes it from the type. After this, every categorised
 * field carries its own directive, so that composition cannot spread one subgraph's default onto
 * fields another subgraph contributes to the same entity.
 */
export function expandSharingDefaults(document: DocumentNode): DocumentNode {
  const expand = <
    T extends { directives?: readonly ConstDirectiveNode[]; fields?: readonly FieldDefinitionNode[] },
  >(node: T): T => {
    const fallback = categoryOf(node.directives);
    if (!fallback) return node;
    return {
      ...node,
      directives: node.directives?.filter((d) => d.name.value !== SHARING_DIRECTIVE),
      fields: node.fields?.map((field) =>
        categoryOf(field.directives)
          ? field
          : { ...field, directives: [...(field.directives ?? []), sharingDirective(fallback)] },
      ),
    };
  };
  return visit(document, {
    ObjectTypeDefinition: expand,
    ObjectTypeExtension: expand,
    InterfaceTypeDefinition: expand,
    InterfaceTypeExtension: expand,
  });
}

/** The `Type.field` coordinates of fields that carry no `@sharing` category (after expansion). */
export function uncategorisedFields(document: DocumentNode): string[] {
  const missing: string[] = [];
  for (const definition of document.definitions) {
    if (!FIELDED_KINDS.has(definition.kind)) continue;
    const node = definition as { name: { value: string }; fields?: readonly FieldDefinitionNode[] };
    for (const field of node.fields ?? []) {
      if (!categoryOf(field.directives)) missing.push(`${node.name.value}.${field.name.value}`);
    }
  }
  return missing;
}

/** Thrown at start-up when a subgraph's schema breaks the sharing rules; names every field at fault. */
export class SharingPolicyError extends Error {
  constructor(readonly subgraph: string, readonly fields: readonly string[], reason: string) {
    super(`Subgraph "${subgraph}" ${reason}: ${fields.join(', ')}`);
    this.name = 'SharingPolicyError';
  }
}

/** The name of the source the shared definitions' locations refer to. */
export const SHARED_DEFINITIONS_SOURCE = 'schema/directives.graphql';

/**
 * A subgraph's own SDL after the shared definitions, with type-level defaults expanded and no policy
 * checked. Each part keeps its own source (the own part is named after the subgraph), so a location
 * in an error points into the file it came from. Throws the GraphQLError of a syntax error.
 */
export function expandedSubgraphDocument(subgraph: string, ownSdl: string): DocumentNode {
  const shared = parse(new Source(sharedDefinitions(), SHARED_DEFINITIONS_SOURCE));
  const own = parse(new Source(ownSdl, subgraph));
  return expandSharingDefaults({ kind: Kind.DOCUMENT, definitions: [...shared.definitions, ...own.definitions] });
}

/**
 * Reads a subgraph's own SDL, prepends the shared definitions, expands type-level defaults and
 * refuses (throws SharingPolicyError) if any field is left without a category, or if a personal
 * field is OPEN. The result is what the subgraph serves and what composition reads.
 */
export function prepareSubgraphSdl(subgraph: string, ownSdl: string): DocumentNode {
  const document = expandedSubgraphDocument(subgraph, ownSdl);
  const missing = uncategorisedFields(document);
  if (missing.length > 0) {
    throw new SharingPolicyError(subgraph, missing, 'has fields with no @sharing category');
  }
  const openPersonal = documentFieldPolicies(document)
    .filter((p) => p.personal && p.category === 'OPEN')
    .map((p) => p.coordinate);
  if (openPersonal.length > 0) {
    throw new SharingPolicyError(subgraph, openPersonal, 'marks personal fields as OPEN');
  }
  return document;
}

/** Every categorised field of an SDL document, as declared (after expansion). */
export function documentFieldPolicies(document: DocumentNode): FieldPolicy[] {
  const policies: FieldPolicy[] = [];
  for (const definition of document.definitions) {
    if (!FIELDED_KINDS.has(definition.kind)) continue;
    const node = definition as { name: { value: string }; fields?: readonly FieldDefinitionNode[] };
    for (const field of node.fields ?? []) {
      const category = categoryOf(field.directives);
      if (!category) continue;
      policies.push({
        coordinate: `${node.name.value}.${field.name.value}`,
        category,
        personal: field.directives?.some((d) => d.name.value === 'personal') ?? false,
      });
    }
  }
  return policies;
}

/**
 * Every field policy of a built schema (a subgraph schema or the supergraph's API schema), read from
 * the AST nodes the directives sit on. Fields with no AST node or no category are absent: callers
 * treat absence as "deny".
 */
export function schemaFieldPolicies(schema: GraphQLSchema): Map<string, FieldPolicy> {
  const policies = new Map<string, FieldPolicy>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const category = categoryOf(field.astNode?.directives);
      if (!category) continue;
      const coordinate = `${type.name}.${field.name}`;
      policies.set(coordinate, {
        coordinate,
        category,
        personal: field.astNode?.directives?.some((d) => d.name.value === 'personal') ?? false,
      });
    }
  }
  return policies;
}
