import {
  Kind,
  parse,
  visit,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type TypeNode,
} from 'graphql';
import { composeSupergraph, type CompositionOutcome, type SubgraphSource } from './compose';
import { prepareSubgraphSdl } from './sharing';

const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function category(directives: readonly ConstDirectiveNode[] | undefined): string | undefined {
  const argument = directives?.find((d) => d.name.value === 'sharing')?.arguments?.find((a) => a.name.value === 'category');
  return argument?.value.kind === Kind.ENUM ? argument.value.value : undefined;
}

const INACCESSIBLE: ConstDirectiveNode = { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'inaccessible' } };

function withInaccessible<T extends { directives?: readonly ConstDirectiveNode[] }>(node: T): T {
  if (node.directives?.some((d) => d.name.value === 'inaccessible')) return node;
  return { ...node, directives: [...(node.directives ?? []), INACCESSIBLE] };
}

/**
 * The types a caller can reach from Query, and from Mutation when it has an OPEN field (feedback on
 * open data, which anyone may send), through OPEN fields only (their return types, argument types
 * and input fields), read from the composed supergraph.
 */
export function openReachableTypes(supergraphSdl: string): Set<string> {
  const definitions = new Map<string, DefinitionNode>();
  for (const definition of parse(supergraphSdl).definitions) {
    if ('name' in definition && definition.name) definitions.set(definition.name.value, definition);
  }
  const reached = new Set<string>();
  const queue = ['Query'];
  const reach = (name: string) => {
    if (!reached.has(name) && !BUILT_IN.has(name)) {
      reached.add(name);
      queue.push(name);
    }
  };
  const mutation = definitions.get('Mutation');
  if (mutation?.kind === Kind.OBJECT_TYPE_DEFINITION && mutation.fields?.some((field) => category(field.directives) === 'OPEN')) reach('Mutation');
  while (queue.length > 0) {
    const definition = definitions.get(queue.shift() ?? '');
    if (!definition) continue;
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
        for (const field of definition.fields ?? []) {
          if (category(field.directives) !== 'OPEN') continue;
          reach(namedType(field.type));
          for (const argument of field.arguments ?? []) reach(namedType(argument.type));
        }
        break;
      case Kind.UNION_TYPE_DEFINITION:
        for (const member of definition.types ?? []) reach(member.name.value);
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        for (const field of definition.fields ?? []) reach(namedType(field.type));
        break;
      default:
        break;
    }
  }
  reached.add('Query');
  return reached;
}

/** Types used by directive definitions (e.g. SharingCategory): never hidden, composition needs them. */
function directiveArgumentTypes(document: DocumentNode): Set<string> {
  const types = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.DIRECTIVE_DEFINITION) continue;
    for (const argument of definition.arguments ?? []) types.add(namedType(argument.type));
  }
  return types;
}

/**
 * Marks, in one prepared subgraph document, every non-OPEN field and every type outside `reachable`
 * as @inaccessible.
 */
export function hideNonOpen(document: DocumentNode, reachable: ReadonlySet<string>): DocumentNode {
  const keep = directiveArgumentTypes(document);
  const hideType = <T extends { name: { value: string }; directives?: readonly ConstDirectiveNode[] }>(node: T): T =>
    reachable.has(node.name.value) || keep.has(node.name.value) ? node : withInaccessible(node);
  const hideFields = <T extends { name: { value: string }; directives?: readonly ConstDirectiveNode[]; fields?: readonly FieldDefinitionNode[] }>(
    node: T,
  ): T => {
    const fields = node.fields?.map((field) => (category(field.directives) === 'OPEN' ? field : withInaccessible(field)));
    return hideType({ ...node, fields });
  };
  const hideInput = <T extends { name: { value: string }; directives?: readonly ConstDirectiveNode[]; fields?: readonly InputValueDefinitionNode[] }>(
    node: T,
  ): T => hideType(node);
  return visit(document, {
    ObjectTypeDefinition: hideFields,
    ObjectTypeExtension: hideFields,
    InterfaceTypeDefinition: hideFields,
    UnionTypeDefinition: hideType,
    EnumTypeDefinition: hideType,
    ScalarTypeDefinition: hideType,
    InputObjectTypeDefinition: hideInput,
  });
}

/**
 * The open-data contract: the supergraph cut down to OPEN fields, with every type that OPEN fields
 * cannot reach hidden, composed with @inaccessible so the gateway can still plan across subgraphs.
 * Generated from the @sharing directives; nothing is listed by hand.
 */
export function composeOpenContract(sources: readonly SubgraphSource[], fullSupergraphSdl?: string): CompositionOutcome {
  // The full supergraph of the same sources, when the caller composed it already (a schema check).
  let supergraphSdl = fullSupergraphSdl;
  if (supergraphSdl === undefined) {
    const full = composeSupergraph(sources);
    if (!full.ok) return full;
    supergraphSdl = full.supergraphSdl;
  }
  const reachable = openReachableTypes(supergraphSdl);
  return composeSupergraph(
    sources.map((source) => ({ ...source, sdl: '', prepared: hideNonOpen(prepareSubgraphSdl(source.name, source.sdl), reachable) })),
  );
}
