import { Kind, parse, type ConstDirectiveNode, type DocumentNode, type FieldDefinitionNode, type SelectionSetNode } from 'graphql';
import { listAgencies } from '../subgraphs/kit/agency';
import type { SubgraphSource } from './compose';
import { locationOf, type CheckIssue } from './issue';
import { documentFieldPolicies, expandSharingDefaults, SHARING_CATEGORIES, type FieldPolicy } from './sharing';

/**
 * Federation lets one subgraph take over another's field (@override), answer it in the owner's
 * place (@provides) or receive it from the gateway to compute its own (@requires). Between the
 * subgraphs of one agency that is its own affair; across agencies it would move data the owner
 * answers for (and logs) to another agency, or let another agency answer for it. A proposal may not
 * do either to a field another agency's subgraph resolves.
 */
export const FIELD_OF_ANOTHER_AGENCY = 'FIELD_OF_ANOTHER_AGENCY';

/** How strict a category is: OPEN < DEFAULT < SPECIAL_REQUEST. */
const strictness = (policy: Pick<FieldPolicy, 'category'>): number => SHARING_CATEGORIES.indexOf(policy.category);

/** The agency code of each subgraph of this repository. */
function agencyBySubgraph(): Map<string, string> {
  return new Map(listAgencies('all').map((agency) => [agency.subgraph, agency.agencyCode]));
}

function directives(field: FieldDefinitionNode, ...names: string[]): readonly ConstDirectiveNode[] {
  return (field.directives ?? []).filter((d) => names.includes(d.name.value));
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const argument = directive.arguments?.find((a) => a.name.value === name);
  return argument?.value.kind === Kind.STRING ? argument.value.value : undefined;
}

function namedType(field: FieldDefinitionNode): string {
  let type = field.type;
  while (type.kind !== Kind.NAMED_TYPE) type = type.type;
  return type.name.value;
}

/**
 * Every field a FieldSet reaches, as `Type.field`, at every depth and through inline fragments
 * (`"operator { name }"` on AccommodationEstablishment → AccommodationEstablishment.operator,
 * Enterprise.name); `returns` gives each field's named type. None when the set does not parse.
 */
function fieldSetCoordinates(fields: string, typeName: string, returns: ReadonlyMap<string, string>): string[] {
  let selection: SelectionSetNode | undefined;
  try {
    const operation = parse(`{ ${fields} }`).definitions[0];
    selection = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet : undefined;
  } catch {
    return [];
  }
  const reached: string[] = [];
  const walk = (set: SelectionSetNode, type: string): void => {
    for (const node of set.selections) {
      if (node.kind === Kind.FIELD) {
        const coordinate = `${type}.${node.name.value}`;
        reached.push(coordinate);
        if (node.selectionSet) walk(node.selectionSet, returns.get(coordinate) ?? '');
      } else if (node.kind === Kind.INLINE_FRAGMENT) {
        walk(node.selectionSet, node.typeCondition?.name.value ?? type);
      }
    }
  };
  if (selection) walk(selection, typeName);
  return reached;
}

/** Each field of the object and interface types of `document`, with its type's name. */
function* objectFields(document: DocumentNode): Generator<{ typeName: string; field: FieldDefinitionNode }> {
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        for (const field of definition.fields ?? []) yield { typeName: definition.name.value, field };
        break;
      default:
        break;
    }
  }
}

/** The named type each `Type.field` returns, in any of `documents`. */
function returnTypes(documents: readonly DocumentNode[]): Map<string, string> {
  const returns = new Map<string, string>();
  for (const document of documents) for (const { typeName, field } of objectFields(document)) returns.set(`${typeName}.${field.name.value}`, namedType(field));
  return returns;
}

function parsed(sdl: string): DocumentNode | undefined {
  try {
    return parse(sdl);
  } catch {
    return undefined; // composition reports it
  }
}

/** Which agencies' subgraphs resolve each `Type.field` (declared there and not @external). */
function resolvers(subgraphs: ReadonlyArray<{ readonly agency: string; readonly document: DocumentNode }>): Map<string, Set<string>> {
  const resolved = new Map<string, Set<string>>();
  for (const { agency, document } of subgraphs) {
    for (const { typeName, field } of objectFields(document)) {
      if (directives(field, 'external', 'federation__external').length > 0) continue;
      const coordinate = `${typeName}.${field.name.value}`;
      let owners = resolved.get(coordinate);
      if (!owners) resolved.set(coordinate, (owners = new Set()));
      owners.add(agency);
    }
  }
  return resolved;
}

/**
 * The proposal's @override, @provides and @requires that reach a field another agency's subgraph
 * resolves, each as an issue at the field that carries the directive.
 */
export function fieldsOfOtherAgencies(subgraph: string, own: DocumentNode, others: readonly SubgraphSource[]): CheckIssue[] {
  const agencies = agencyBySubgraph();
  const agency = agencies.get(subgraph) ?? subgraph;
  // Each other subgraph read once; one whose SDL does not parse is composition's to report.
  const otherSubgraphs = others
    .filter((other) => other.name !== subgraph)
    .flatMap((other) => {
      const document = parsed(other.sdl);
      return document ? [{ agency: agencies.get(other.name) ?? other.name, document }] : [];
    });
  const owned = resolvers(otherSubgraphs);
  const returns = returnTypes([own, ...otherSubgraphs.map((other) => other.document)]);
  const othersOf = (coordinate: string): string[] => [...(owned.get(coordinate) ?? [])].filter((owner) => owner !== agency).sort();
  const issues: CheckIssue[] = [];
  const refuse = (at: FieldDefinitionNode, coordinate: string, owners: readonly string[], vi: string, en: string) =>
    issues.push({
      code: FIELD_OF_ANOTHER_AGENCY,
      message:
        `${coordinate} do ${owners.join(', ')} quản lý: ${vi}; một cơ quan chỉ phục vụ các trường của mình. ` +
        `(${coordinate} belongs to ${owners.join(', ')}: ${en}; an agency serves only its own fields.)`,
      subgraph,
      coordinate,
      locations: locationOf(at),
    });
  // A field another agency also declares (an entity's key, a shareable field) and holds as personal
  // data is declared personal, and no looser than there: an agency cannot open, or unmark, another
  // agency's personal data by declaring it again in its own subgraph, where its own sharing rules
  // and log read it as declared there. (Loosening a field that is personal nowhere goes to
  // governance as any loosening does.)
  const declaredElsewhere = new Map<string, Array<{ readonly agency: string; readonly policy: FieldPolicy }>>();
  for (const other of otherSubgraphs) {
    if (other.agency === agency) continue;
    for (const policy of documentFieldPolicies(expandSharingDefaults(other.document))) {
      let declared = declaredElsewhere.get(policy.coordinate);
      if (!declared) declaredElsewhere.set(policy.coordinate, (declared = []));
      declared.push({ agency: other.agency, policy });
    }
  }
  const ownPolicies = new Map(documentFieldPolicies(expandSharingDefaults(own)).map((policy) => [policy.coordinate, policy]));
  for (const { typeName, field } of objectFields(own)) {
    const coordinate = `${typeName}.${field.name.value}`;
    const mine = ownPolicies.get(coordinate);
    const elsewhere = declaredElsewhere.get(coordinate) ?? [];
    const stricter = mine ? elsewhere.filter(({ policy }) => policy.personal && strictness(policy) > strictness(mine)) : [];
    const personal = mine && !mine.personal ? elsewhere.filter(({ policy }) => policy.personal) : [];
    for (const [found, vi, en] of [
      [stricter, `khai lỏng hơn cơ quan đó khai (${stricter.map(({ policy }) => policy.category).join(', ')})`, `declared looser than there (${stricter.map(({ policy }) => policy.category).join(', ')})`],
      [personal, 'thiếu @personal mà cơ quan đó đánh dấu', 'declared without the @personal mark it carries there'],
    ] as const) {
      if (found.length > 0) refuse(field, coordinate, [...new Set(found.map(({ agency: other }) => other))].sort(), vi, en);
    }
    for (const directive of directives(field, 'override', 'federation__override')) {
      const from = stringArgument(directive, 'from') ?? '';
      const fromAgency = agencies.get(from) ?? from;
      if (fromAgency !== agency) refuse(field, coordinate, [fromAgency], `@override không được lấy trường của cơ quan khác`, `@override may not take over another agency's field`);
    }
    for (const directive of directives(field, 'provides', 'federation__provides')) {
      for (const reached of fieldSetCoordinates(stringArgument(directive, 'fields') ?? '', namedType(field), returns)) {
        const owners = othersOf(reached);
        if (owners.length > 0) refuse(field, reached, owners, `@provides không được trả lời thay cơ quan sở hữu`, `@provides may not answer in its owner's place`);
      }
    }
    for (const directive of directives(field, 'requires', 'federation__requires')) {
      for (const reached of fieldSetCoordinates(stringArgument(directive, 'fields') ?? '', typeName, returns)) {
        const owners = othersOf(reached);
        if (owners.length > 0) refuse(field, reached, owners, `@requires không được nhận dữ liệu của cơ quan khác qua cổng`, `@requires may not receive another agency's data through the gateway`);
      }
    }
  }
  return issues;
}
