import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** A selected field and its definition on the type it was selected on. */
interface Reached {
  readonly node: FieldNode;
  readonly field: GraphQLField<unknown, unknown>;
}

/**
 * The arguments of every selection of the field at `path` below the field being resolved, with
 * variables and defaults applied (e.g. `['nodes', 'businessLines']` from a connection field gives
 * `[{ first: 20 }]`). Empty when the operation does not select that field. Fragments are followed
 * where their type condition can apply, and selections skipped with @skip/@include are left out.
 *
 * It lets a resolver fetch in one statement what the fields below it will ask for; those fields
 * still resolve (and are authorised and recorded) as usual, from what was fetched. Where it cannot
 * tell (a fragment on an interface inside a union), it answers "not selected": that costs the
 * fields below a statement of their own, never a wrong answer.
 */
export function argumentsBelow(info: GraphQLResolveInfo, path: readonly string[]): Array<Record<string, unknown>> {
  const current = info.parentType.getFields()[info.fieldName];
  let reached: Reached[] = current ? info.fieldNodes.map((node) => ({ node, field: current })) : [];
  for (const name of path) {
    reached = reached.flatMap(({ node, field }) =>
      node.selectionSet ? fieldsNamed(info, node.selectionSet, getNamedType(field.type), name) : [],
    );
  }
  return reached.map(({ node, field }) => getArgumentValues(field, node, info.variableValues));
}

/** False for a selection that @skip or @include leaves out. */
function included(info: GraphQLResolveInfo, selection: SelectionNode): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, selection, info.variableValues)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, info.variableValues)?.['if'] !== false;
}

/** The fields called `name` selected in `selectionSet` of a value of `type`, through fragments. */
function fieldsNamed(info: GraphQLResolveInfo, selectionSet: SelectionSetNode, type: GraphQLNamedType, name: string): Reached[] {
  const found: Reached[] = [];
  const visit = (set: SelectionSetNode, on: GraphQLNamedType, seen: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (!included(info, selection)) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== name || !isObjectType(on)) continue;
        const field = on.getFields()[name];
        if (!field) continue;
        found.push({ node: selection, field });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = narrow(info, on, selection.typeCondition?.name.value);
        if (narrowed) visit(selection.selectionSet, narrowed, seen);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (!fragment || seen.has(fragment.name.value)) continue;
        const narrowed = narrow(info, on, fragment.typeCondition.name.value);
        if (narrowed) visit(fragment.selectionSet, narrowed, new Set([...seen, fragment.name.value]));
      }
    }
  };
  visit(selectionSet, type, new Set());
  return found;
}

/** The type a fragment's selections apply to inside a value of `on`, or null when they never apply. */
function narrow(info: GraphQLResolveInfo, on: GraphQLNamedType, condition: string | undefined): GraphQLNamedType | null {
  if (condition === undefined || condition === on.name) return on;
  const target = info.schema.getType(condition);
  if (!target) return null;
  if (isObjectType(on)) return isAbstractType(target) && info.schema.isSubType(target, on) ? on : null;
  if (isAbstractType(on) && isObjectType(target)) return info.schema.isSubType(on, target) ? target : null;
  return null;
}
