import { isTypeDefinitionNode, Kind, type ASTNode, type ConstDirectiveNode, type StringValueNode } from 'graphql';
import type { CheckIssue } from './issue';
import { fieldSites, finding, hasArgument, isConnection, isList, LintRule, namedTypeOf, type Rule } from './lint-context';
import { categoryOf, SHARING_CATEGORIES } from './sharing';

/** Root operation types are merged across subgraphs: their fields carry the descriptions. */
const ROOT_TYPES: ReadonlySet<string> = new Set(['Query', 'Mutation', 'Subscription']);

function isDescribed(node: { readonly description?: StringValueNode }): boolean {
  return (node.description?.value.trim() ?? '') !== '';
}

/** LT001: every type definition (root operation types excepted), field, input field and enum value has a description. */
export const describedEverywhere: Rule = (context) => {
  const issues: CheckIssue[] = [];
  const missing = (coordinate: string, node: ASTNode, [vi, en]: readonly [string, string]) =>
    issues.push(
      finding(context, LintRule.DESCRIPTION, coordinate, node,
        `${coordinate} chưa có mô tả: thêm một chuỗi mô tả ngay trước ${vi}, tiếng Việt rồi tiếng Anh trong ngoặc. ` +
          `(${coordinate} has no description: add a description string just before the ${en}.)`),
    );
  for (const definition of context.definitions) {
    if (isTypeDefinitionNode(definition) && !ROOT_TYPES.has(definition.name.value) && !isDescribed(definition)) {
      missing(definition.name.value, definition, ['định nghĩa kiểu', 'type definition']);
    }
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION || definition.kind === Kind.ENUM_TYPE_EXTENSION) {
      for (const value of definition.values ?? []) {
        if (!isDescribed(value)) missing(`${definition.name.value}.${value.name.value}`, value, ['giá trị', 'enum value']);
      }
    }
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) {
      for (const value of definition.fields ?? []) {
        if (!isDescribed(value)) missing(`${definition.name.value}.${value.name.value}`, value, ['trường nhập', 'input field']);
      }
    }
  }
  for (const { typeName, field } of fieldSites(context.definitions)) {
    if (!isDescribed(field)) missing(`${typeName}.${field.name.value}`, field, ['trường', 'field']);
  }
  return issues;
};

function isPersonal(directives: readonly ConstDirectiveNode[] | undefined): boolean {
  return directives?.some((d) => d.name.value === 'personal') ?? false;
}

/** LT002 and LT003: every field has a category after type defaults are expanded, and a personal field is not OPEN. */
export const categorised: Rule = (context) =>
  fieldSites(context.definitions).flatMap(({ typeName, field }) => {
    const coordinate = `${typeName}.${field.name.value}`;
    const category = categoryOf(field.directives);
    if (!category) {
      return [
        finding(context, LintRule.SHARING_CATEGORY, coordinate, field,
          `${coordinate} chưa có nhóm chia sẻ: thêm @sharing(category: ${SHARING_CATEGORIES.join(' | ')}) vào trường, hoặc vào kiểu ${typeName} làm mặc định. ` +
            `(${coordinate} has no sharing category: add @sharing to the field, or to type ${typeName} as a default.)`),
      ];
    }
    if (category === 'OPEN' && isPersonal(field.directives)) {
      return [
        finding(context, LintRule.PERSONAL_OPEN, coordinate, field,
          `${coordinate} là dữ liệu cá nhân (@personal) nên không được là OPEN: đặt @sharing(category: DEFAULT) hoặc SPECIAL_REQUEST trên trường. ` +
            `(${coordinate} is personal data and can never be OPEN: give the field DEFAULT or SPECIAL_REQUEST.)`),
      ];
    }
    return [];
  });

/**
 * A description that states the list's bound: "at most 20", "tối đa 20", "≤ 20", or "bounded" (for
 * a governed code list whose size the description then explains).
 */
const STATED_BOUND = /\bat most\s+\d|tối đa\s+\d|≤\s*\d|\bbounded\b/i;

/**
 * LT004. A field returning a page type (an object with `pageInfo: PageInfo`) takes `first: Int` and
 * `after: String`. A field returning a list of objects, interfaces or unions is either the list of a
 * page type (its `nodes`), takes `first: Int` (a nested list, bounded by the page-size limit), or
 * states its bound in its description (STATED_BOUND). Lists of scalars and enum values are values of
 * one record, not collections of records, and are not concerned.
 */
export const paginated: Rule = (context) =>
  fieldSites(context.definitions).flatMap(({ typeName, field }) => {
    const coordinate = `${typeName}.${field.name.value}`;
    const target = context.types.get(namedTypeOf(field.type));
    if (isConnection(target) && !isList(field.type)) {
      if (hasArgument(field, 'first', 'Int') && hasArgument(field, 'after', 'String')) return [];
      return [
        finding(context, LintRule.PAGINATION, coordinate, field,
          `${coordinate} trả về một trang nhưng thiếu tham số: thêm (first: Int = 20, after: String). ` +
            `(${coordinate} returns a page but does not take both first: Int and after: String.)`),
      ];
    }
    const composite = target?.kind === 'OBJECT' || target?.kind === 'INTERFACE' || target?.kind === 'UNION';
    if (!isList(field.type) || !composite) return [];
    if (isConnection(context.types.get(typeName)) || hasArgument(field, 'first', 'Int')) return [];
    if (STATED_BOUND.test(field.description?.value ?? '')) return [];
    return [
      finding(context, LintRule.PAGINATION, coordinate, field,
        `${coordinate} là danh sách không giới hạn: trả về một trang (nodes + pageInfo, tham số first và after), thêm tham số first: Int, ` +
          `hoặc ghi giới hạn vào mô tả ("tối đa N" / "at most N"). ` +
          `(${coordinate} is an unbounded list: return a connection taking first and after, take first: Int, or state the bound in its description.)`),
    ];
  });

/**
 * LT009. A root field (of Query or Mutation) is nullable. The gateway answers one document from many
 * agencies: a non-null root that is refused, fails on bad input or belongs to an agency that is down
 * nulls the whole `data`, and every other agency's answer (and a mutation that did succeed) is lost
 * to the client, though its provider logged it as disclosed.
 */
export const nullableRoots: Rule = (context) => {
  // Each operation's root type: as a `schema { … }` (or an extension of it) names it, else its usual name.
  const rootOf = new Map<string, string>([['query', 'Query'], ['mutation', 'Mutation']]);
  for (const definition of context.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const root of definition.operationTypes ?? []) if (rootOf.has(root.operation)) rootOf.set(root.operation, root.type.name.value);
  }
  const roots = new Set(rootOf.values());
  return fieldSites(context.definitions).flatMap(({ typeName, field }) => {
    if (!roots.has(typeName) || field.type.kind !== Kind.NON_NULL_TYPE) return [];
    const coordinate = `${typeName}.${field.name.value}`;
    return [
      finding(context, LintRule.NULLABLE_ROOT, coordinate, field,
        `${coordinate} không được bắt buộc (bỏ dấu ! ở kiểu trả về): nếu trường này bị từ chối, lỗi hoặc cơ quan của nó ngừng hoạt động, cả câu trả lời sẽ mất. ` +
          `(${coordinate} must be nullable: drop the ! from its type, or its refusal, error or outage empties the whole answer.)`),
    ];
  });
};
