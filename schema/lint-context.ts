import {
  Kind,
  type ASTNode,
  type DefinitionNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type TypeNode,
} from 'graphql';
import { locationOf, type CheckIssue } from './issue';

/**
 * The lint rules of a schema check (DESIGN.md §8), by stable id. Each id names one rule for good;
 * a rule that changes meaning gets a new id.
 */
export const LintRule = {
  /** Every type, field, input field and enum value has a description (root operation types and arguments excepted). */
  DESCRIPTION: 'LT001-description',
  /** Every field of an object or interface type has a `@sharing` category, its own or its type's default. */
  SHARING_CATEGORY: 'LT002-sharing-category',
  /** A `@personal` field is never OPEN. */
  PERSONAL_OPEN: 'LT003-personal-open',
  /** A list of objects is paginated, takes `first`, or states its bound; a page type is reached with `first` and `after`. */
  PAGINATION: 'LT004-pagination',
  /** A field, argument or input field holding a shared code has that code's shared scalar. */
  SHARED_SCALAR: 'LT005-shared-scalar',
  /** Type names are PascalCase. */
  TYPE_NAME: 'LT006-type-name',
  /** Field, argument and input field names are camelCase. */
  FIELD_NAME: 'LT007-field-name',
  /** Enum values are UPPER_SNAKE_CASE. */
  ENUM_VALUE_NAME: 'LT008-enum-value-name',
  /** A root field (Query, Mutation) is nullable: one agency's refusal or outage must not empty the whole answer. */
  NULLABLE_ROOT: 'LT009-nullable-root',
} as const;
export type LintRule = (typeof LintRule)[keyof typeof LintRule];

export type TypeKind = 'OBJECT' | 'INTERFACE' | 'UNION' | 'ENUM' | 'INPUT' | 'SCALAR';

export interface TypeInfo {
  readonly kind: TypeKind;
  readonly fields: readonly FieldDefinitionNode[];
}

export interface LintContext {
  readonly subgraph: string;
  /** The subgraph's own definitions, type-level @sharing defaults expanded. */
  readonly definitions: readonly DefinitionNode[];
  /** Every type the subgraph can name: built-in scalars, the shared definitions and its own. */
  readonly types: ReadonlyMap<string, TypeInfo>;
}

/** A field of an object or interface type, definition or extension. */
export interface FieldSite {
  readonly typeName: string;
  readonly field: FieldDefinitionNode;
}

const BUILT_IN_SCALARS = ['String', 'Int', 'Float', 'Boolean', 'ID'] as const;

const KIND_OF: Partial<Record<Kind, TypeKind>> = {
  [Kind.OBJECT_TYPE_DEFINITION]: 'OBJECT',
  [Kind.OBJECT_TYPE_EXTENSION]: 'OBJECT',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'INTERFACE',
  [Kind.INTERFACE_TYPE_EXTENSION]: 'INTERFACE',
  [Kind.UNION_TYPE_DEFINITION]: 'UNION',
  [Kind.ENUM_TYPE_DEFINITION]: 'ENUM',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'INPUT',
  [Kind.SCALAR_TYPE_DEFINITION]: 'SCALAR',
};

/** What each type name is (definitions and extensions merged), built-in scalars included. */
export function typeIndex(definitions: readonly DefinitionNode[]): Map<string, TypeInfo> {
  const types = new Map<string, TypeInfo>(BUILT_IN_SCALARS.map((name) => [name, { kind: 'SCALAR', fields: [] }]));
  for (const definition of definitions) {
    const kind = KIND_OF[definition.kind];
    if (!kind || !('name' in definition) || !definition.name) continue;
    const fields = 'fields' in definition && (kind === 'OBJECT' || kind === 'INTERFACE') ? ((definition.fields ?? []) as readonly FieldDefinitionNode[]) : [];
    const known = types.get(definition.name.value);
    types.set(definition.name.value, { kind, fields: [...(known?.fields ?? []), ...fields] });
  }
  return types;
}

/** The named type under any list and non-null wrappers. */
export function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}

/** Whether the type is a list, nullable or not. */
export function isList(type: TypeNode): boolean {
  return type.kind === Kind.LIST_TYPE || (type.kind === Kind.NON_NULL_TYPE && isList(type.type));
}

/** Every field of an object or interface type, definitions and extensions alike, in source order. */
export function fieldSites(definitions: readonly DefinitionNode[]): FieldSite[] {
  return definitions.flatMap((definition) =>
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_EXTENSION
      ? (definition.fields ?? []).map((field) => ({ typeName: definition.name.value, field }))
      : [],
  );
}

/** Every argument and input field, with its coordinate. */
export function inputValueSites(definitions: readonly DefinitionNode[]): { coordinate: string; value: InputValueDefinitionNode }[] {
  const sites = fieldSites(definitions).flatMap(({ typeName, field }) =>
    (field.arguments ?? []).map((value) => ({ coordinate: `${typeName}.${field.name.value}(${value.name.value}:)`, value })),
  );
  for (const definition of definitions) {
    if (definition.kind !== Kind.INPUT_OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INPUT_OBJECT_TYPE_EXTENSION) continue;
    for (const value of definition.fields ?? []) sites.push({ coordinate: `${definition.name.value}.${value.name.value}`, value });
  }
  return sites;
}

/** A lint finding of `code` at `node`, attributed to the subgraph being linted. */
export function finding(context: LintContext, code: LintRule, coordinate: string, node: ASTNode, message: string): CheckIssue {
  return { code, message, subgraph: context.subgraph, coordinate, locations: locationOf(node) };
}

/** Whether the field takes an argument `name` whose named type is `type`. */
export function hasArgument(field: FieldDefinitionNode, name: string, type: string): boolean {
  return field.arguments?.some((a) => a.name.value === name && namedTypeOf(a.type) === type) ?? false;
}

/** A page type: an object with a `pageInfo: PageInfo` field (its `nodes` list is the page). */
export function isConnection(info: TypeInfo | undefined): boolean {
  return info?.kind === 'OBJECT' && info.fields.some((f) => f.name.value === 'pageInfo' && namedTypeOf(f.type) === 'PageInfo');
}

/** Every field, argument and input field with its coordinate: the places that carry a name and a type. */
export function typedSites(definitions: readonly DefinitionNode[]): { coordinate: string; node: FieldDefinitionNode | InputValueDefinitionNode }[] {
  return [
    ...fieldSites(definitions).map(({ typeName, field }) => ({ coordinate: `${typeName}.${field.name.value}`, node: field })),
    ...inputValueSites(definitions).map(({ coordinate, value }) => ({ coordinate, node: value })),
  ];
}

/** A rule: every finding of one kind in a subgraph's own definitions. */
export type Rule = (context: LintContext) => CheckIssue[];
