import { isTypeDefinitionNode, Kind, type ASTNode } from 'graphql';
import type { CheckIssue } from './issue';
import { finding, LintRule, namedTypeOf, typedSites, type Rule } from './lint-context';

/**
 * Names that hold a shared code, and the scalar such a value must have. A name matches when it ends
 * with the pattern (camelCase, singular or plural): `communeCode`, `parentProvinceCodes`, `taxCode`.
 */
const SHARED_CODE_NAMES: readonly { readonly pattern: RegExp; readonly scalar: string }[] = [
  { pattern: /(?:commune|ward|district|province|administrativeUnit|unit)Codes?$/i, scalar: 'AdministrativeUnitCode' },
  { pattern: /(?:personalId|citizenId|identityNumber)s?$/i, scalar: 'PersonalId' },
  { pattern: /(?:taxCode|enterpriseCode)s?$/i, scalar: 'TaxCode' },
  { pattern: /(?:vsic(?:Code)?|businessLine(?:Code)?)s?$/i, scalar: 'VsicCode' },
  { pattern: /ethnic(?:Group)?(?:Code)?s?$/i, scalar: 'EthnicGroupCode' },
  { pattern: /landUse(?:Type)?(?:Code)?s?$/i, scalar: 'LandUseTypeCode' },
];

/** Key fields of the shared code-table entities (and Citizen), whose names alone say nothing. */
const SHARED_KEY_FIELDS: ReadonlyMap<string, string> = new Map([
  ['AdministrativeUnit.code', 'AdministrativeUnitCode'],
  ['EthnicGroup.code', 'EthnicGroupCode'],
  ['LandUseType.code', 'LandUseTypeCode'],
  ['VsicActivity.code', 'VsicCode'],
  ['Citizen.id', 'PersonalId'],
]);

/** The shared scalar a field, argument or input field must have, if its coordinate or name says it holds a shared code. */
function requiredScalar(coordinate: string, name: string): string | undefined {
  return SHARED_KEY_FIELDS.get(coordinate) ?? SHARED_CODE_NAMES.find((entry) => entry.pattern.test(name))?.scalar;
}

/**
 * LT005: a field, argument or input field that holds a shared code (by its name, or as the key of a
 * code-table entity) and is declared with another scalar (String, ID, Int, a home-made one) must use
 * the shared scalar. Fields of object type (`commune: AdministrativeUnit`) are references, not codes.
 */
export const sharedScalars: Rule = (context) =>
  typedSites(context.definitions).flatMap(({ coordinate, node }) => {
    const scalar = requiredScalar(coordinate, node.name.value);
    const actual = namedTypeOf(node.type);
    if (!scalar || actual === scalar || context.types.get(actual)?.kind !== 'SCALAR') return [];
    return [
      finding(context, LintRule.SHARED_SCALAR, coordinate, node,
        `${coordinate} chứa mã dùng chung nên phải có kiểu ${scalar} (bảng mã dùng chung, schema/directives.graphql), không phải ${actual}: đổi ${actual} thành ${scalar}. ` +
          `(${coordinate} holds a shared code: declare it as ${scalar}, not ${actual}.)`),
    ];
  });

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const UPPER_SNAKE_CASE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** LT006–LT008: type names PascalCase; field, argument and input field names camelCase; enum values UPPER_SNAKE_CASE. */
export const conventionalNames: Rule = (context) => {
  const issues: CheckIssue[] = [];
  const wrong = (code: LintRule, coordinate: string, node: ASTNode, style: string, suggestion: string) =>
    issues.push(
      finding(context, code, coordinate, node,
        `Tên ${coordinate} không theo quy ước ${style}: đổi thành ${suggestion}. (${coordinate} is not ${style}: rename it ${suggestion}.)`),
    );
  for (const definition of context.definitions) {
    if (isTypeDefinitionNode(definition)) {
      const name = definition.name.value;
      if (!PASCAL_CASE.test(name)) wrong(LintRule.TYPE_NAME, name, definition, 'PascalCase', words(name).map(capitalise).join(''));
    }
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION || definition.kind === Kind.ENUM_TYPE_EXTENSION) {
      for (const value of definition.values ?? []) {
        const name = value.name.value;
        if (!UPPER_SNAKE_CASE.test(name)) {
          wrong(LintRule.ENUM_VALUE_NAME, `${definition.name.value}.${name}`, value, 'UPPER_SNAKE_CASE', words(name).join('_').toUpperCase());
        }
      }
    }
  }
  for (const { coordinate, node } of typedSites(context.definitions)) {
    const name = node.name.value;
    if (CAMEL_CASE.test(name)) continue;
    const [first = '', ...rest] = words(name);
    wrong(LintRule.FIELD_NAME, coordinate, node, 'camelCase', first + rest.map(capitalise).join(''));
  }
  return issues;
};
