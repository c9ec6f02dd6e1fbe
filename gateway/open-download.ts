import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { Supergraph } from '@apollo/federation-internals';
import {
  astFromValue,
  getNamedType,
  getNullableType,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  print,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { ErrorCode } from '../subgraphs/kit/errors';
import { formPairs, readOnlyRequest, sendJson, staticDocument, type Handler } from '../subgraphs/kit/http';
import { characters, clip, holdsUnstorableText } from '../subgraphs/kit/text';
import { MAX_PAGE_SIZE } from '../subgraphs/kit/pagination';
import { agencyDirectory, listAgencies, type Agency } from '../subgraphs/kit/agency';
import { supergraphFields } from '../schema/catalogue';
import { pageNodes } from '../schema/pages';
import { anonymousContext, type GatewayContext } from './context';
import { DCAT_PATH, dcatCatalogue } from './dcat';

/**
 * Open-data downloads (DESIGN §9, "open-data export"): every list of the open contract as one CSV or
 * NDJSON file, for anyone, without an account. A download runs the list's pages one after the
 * other as the anonymous caller, so every subgraph applies the same sharing rules and keeps the same
 * disclosure log as for /open/graphql, and writes each page as it comes, waiting while the client is
 * slower: the gateway holds two pages at a time (the one being written, the next being fetched)
 * however long the list.
 *
 * The pages run through the full graph, under its request limits rather than the open graph's: the
 * documents are the gateway's own (fixed fields of the open contract, 100 rows a page), not a
 * caller's.
 *
 * What is offered comes from the open contract alone (itself cut from the `@sharing` directives): a
 * root field is a dataset when it needs no argument and returns a connection (`nodes` and `pageInfo`)
 * taking `first` and `after`, or a bounded list of objects (a code table: one query, no pages). Its columns are the node type's scalar and enum fields,
 * and one level down the key of each entity it refers to (`commune.code`) and the fields of any
 * other object; lists are left out.
 */

/** An open dataset with what its owning agency says of it (agency.json `openData`), for the catalogues. */
export interface DescribedDataset {
  readonly dataset: OpenDataset;
  /** The agency whose subgraph serves the list; undefined when none here has an agency.json. */
  readonly agency: Agency | undefined;
  /** Its title, frequency and keywords, when the agency declares them. */
  readonly declared: Agency['openData'][string] | undefined;
}

/** The datasets of an open contract supergraph, each with its owning agency and what it declares. */
export function describeOpenDatasets(openSupergraphSdl: string): DescribedDataset[] {
  const owners = new Map(supergraphFields(openSupergraphSdl).filter((field) => field.typeName === 'Query').map((field) => [field.fieldName, field.subgraphs[0]]));
  const agencies = new Map(listAgencies('all').map((agency) => [agency.subgraph, agency]));
  return openDatasets(openSupergraphSdl).map((dataset) => {
    const owner = owners.get(dataset.name);
    const agency = owner === undefined ? undefined : agencies.get(owner);
    return { dataset, agency, declared: agency?.openData[dataset.name] };
  });
}

/** What the open-data catalogue (gateway/dcat.ts) needs beyond the datasets. */
export interface CatalogueSettings {
  /** The gateway's public address, with no trailing slash. */
  readonly base: () => string;
  /** The licence open data is offered under, as a URL. */
  readonly license: string;
}

/** Where the index of downloads is served; each dataset is at `${DOWNLOAD_PATH}/<name>.csv` or `.ndjson`. */
export const DOWNLOAD_PATH = '/open/download';

export type DownloadFormat = 'csv' | 'ndjson';

const CONTENT_TYPES: Readonly<Record<DownloadFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

export interface OpenDataset {
  /** The root field, e.g. `landParcels`. */
  readonly name: string;
  readonly description: string | null;
  /** Column paths in order: `id`, `commune.code`. */
  readonly columns: readonly string[];
  /**
   * True for a paginated list, whose query is one page of `MAX_PAGE_SIZE` rows after `$after`; false
   * for a bounded list taking no `first` (a code table, whose description states its bound, as the
   * registry's lint requires of such a list), whose query is the whole list.
   */
  readonly paged: boolean;
  /**
   * What a download may narrow the list by, as query parameters: the list's own optional arguments
   * and the fields of its `filter`, each a scalar or an enum (`?communeCode=22015&communeEdition=THREE_LEVEL`).
   */
  readonly parameters: readonly DownloadParameter[];
  /** The query; `$after` and one variable per parameter (`$filter` for the filter's). */
  readonly document: string;
}

/** One query parameter of a download. */
export interface DownloadParameter {
  readonly name: string;
  /** Its GraphQL type, e.g. `AdministrativeEdition` or `Date`. */
  readonly type: string;
  /** Its default, as GraphQL would print it (`TWO_LEVEL`), when it has one. */
  readonly default: string | null;
  /** For an enum, the values it takes. */
  readonly values?: readonly string[];
  /** Where it goes: an argument of the list, or a field of its `filter`. */
  readonly in: 'argument' | 'filter';
  /** How a query parameter's text becomes its value: a number for Int and Float, true/false for Boolean. */
  readonly kind: 'text' | 'int' | 'float' | 'boolean';
}

/** True when `field` can be selected without arguments (every argument optional or defaulted). */
function selectableBare(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined);
}

/** A scalar or enum, not a list of them. */
function isLeaf(type: GraphQLOutputType): boolean {
  return isLeafType(getNullableType(type));
}

/** The node type of a connection type (`nodes: [T]` beside `pageInfo`), or undefined. */
function nodeTypeOf(connection: GraphQLOutputType): GraphQLObjectType | undefined {
  const nodes = pageNodes(getNamedType(connection));
  if (!nodes) return undefined;
  const list = getNullableType(nodes.type);
  if (!isListType(list)) return undefined;
  const node = getNullableType(list.ofType);
  return isObjectType(node) ? node : undefined;
}

/**
 * The key fields of each entity type of a supergraph (its first `@join__type(key:)` made of plain
 * fields): a row refers to another entity by its key, as a table refers to another by foreign key.
 */
function entityKeys(supergraphSdl: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    if (keys.has(definition.name.value)) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const key = directive.arguments?.find((arg) => arg.name.value === 'key')?.value;
      if (key?.kind !== Kind.STRING || /[{}]/.test(key.value)) continue;
      keys.set(definition.name.value, key.value.split(/\s+/).filter(Boolean));
      break;
    }
  }
  return keys;
}

/**
 * The selection and the column paths of a node type: its leaves; for an object it holds that is an
 * entity, the leaves of its key (`commune.code`, `commune.edition`: the entity's own list has the
 * rest); for any other object, its leaves.
 */
function columnsOf(node: GraphQLObjectType, keys: ReadonlyMap<string, readonly string[]>): { selection: string; columns: string[] } {
  const parts: string[] = [];
  const columns: string[] = [];
  for (const field of Object.values(node.getFields())) {
    if (!selectableBare(field)) continue;
    if (isLeaf(field.type)) {
      parts.push(field.name);
      columns.push(field.name);
      continue;
    }
    const inner = getNullableType(field.type);
    if (!isObjectType(inner)) continue;
    const key = keys.get(inner.name);
    const leaves = Object.values(inner.getFields()).filter((sub) => selectableBare(sub) && isLeaf(sub.type) && (!key || key.includes(sub.name)));
    if (leaves.length === 0) continue;
    parts.push(`${field.name} { ${leaves.map((sub) => sub.name).join(' ')} }`);
    columns.push(...leaves.map((sub) => `${field.name}.${sub.name}`));
  }
  return { selection: parts.join(' '), columns };
}

/** How a query parameter of `type` is read, or null for a type no query parameter can give (a list, an object). */
/** The values of an enum type, for the index: `{ values: [...] }`, or nothing for another type. */
function enumValues(type: GraphQLInputType): { values?: readonly string[] } {
  const named = getNullableType(type);
  return isEnumType(named) ? { values: named.getValues().map((value) => value.name) } : {};
}

function kindOf(type: GraphQLInputType): DownloadParameter['kind'] | null {
  const named = getNullableType(type);
  if (isListType(named) || isInputObjectType(named)) return null;
  if (named === GraphQLInt) return 'int';
  if (named === GraphQLFloat) return 'float';
  if (named === GraphQLBoolean) return 'boolean';
  return 'text';
}

/**
 * A list's download parameters, with the variables they need and the arguments that pass them on:
 * each optional scalar or enum argument but the paging ones, as `$<name>`; and the scalar and enum
 * fields of its `filter` (an input object), all passed together as `$filter`. A parameter not given
 * is a variable not given, so the argument's or field's default applies, as when it is not written.
 */
function parametersOf(field: GraphQLField<unknown, unknown>, paged: boolean): { parameters: DownloadParameter[]; variables: string[]; argumentsText: string[] } {
  const parameters: DownloadParameter[] = [];
  const variables: string[] = [];
  const argumentsText: string[] = [];
  const named = new Set<string>();
  const add = (parameter: DownloadParameter) => {
    if (named.has(parameter.name)) return;
    named.add(parameter.name);
    parameters.push(parameter);
  };
  for (const arg of field.args) {
    if (paged && (arg.name === 'first' || arg.name === 'after')) continue;
    const type = getNullableType(arg.type);
    if (arg.name === 'filter' && isInputObjectType(type)) {
      let any = false;
      for (const inner of Object.values(type.getFields())) {
        const kind = kindOf(inner.type);
        if (kind === null) continue;
        any = true;
        add({ name: inner.name, type: String(getNullableType(inner.type)), default: printedDefault(inner.defaultValue, inner.type), ...enumValues(inner.type), in: 'filter', kind });
      }
      if (any) {
        variables.push(`$filter: ${type.name}`);
        argumentsText.push('filter: $filter');
      }
      continue;
    }
    const kind = kindOf(arg.type);
    if (kind === null) continue;
    add({ name: arg.name, type: String(type), default: printedDefault(arg.defaultValue, arg.type), ...enumValues(arg.type), in: 'argument', kind });
    variables.push(`$${arg.name}: ${String(type)}`);
    argumentsText.push(`${arg.name}: $${arg.name}`);
  }
  return { parameters, variables, argumentsText };
}

function printedDefault(value: unknown, type: GraphQLInputType): string | null {
  if (value === undefined) return null;
  const literal = astFromValue(value, type);
  return literal ? print(literal) : null;
}

/** The object type of a field that returns a list of objects itself (not a connection), or undefined. */
function listedTypeOf(type: GraphQLOutputType): GraphQLObjectType | undefined {
  const list = getNullableType(type);
  if (!isListType(list)) return undefined;
  const item = getNullableType(list.ofType);
  return isObjectType(item) ? item : undefined;
}

/**
 * The datasets of an open contract supergraph, in the order of its Query type: every root field that
 * can be asked with no argument and returns either a connection taking `first` and `after` (a
 * paginated list) or a list of objects (a bounded list: a code table).
 */
export function openDatasets(openSupergraphSdl: string): OpenDataset[] {
  const schema = Supergraph.build(openSupergraphSdl).apiSchema().toGraphQLJSSchema();
  const keys = entityKeys(openSupergraphSdl);
  const datasets: OpenDataset[] = [];
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    if (!selectableBare(field)) continue;
    const names = new Set(field.args.map((arg) => arg.name));
    const node = names.has('first') && names.has('after') ? nodeTypeOf(field.type) : undefined;
    // A plain list is whole only when nothing cuts it short: one taking `first` (which the lint
    // admits as bounded by the page-size limit) would download as its first page alone.
    const listed = node || names.has('first') ? undefined : listedTypeOf(field.type);
    const type = node ?? listed;
    if (!type) continue;
    const { selection, columns } = columnsOf(type, keys);
    if (columns.length === 0) continue;
    const { parameters, variables, argumentsText } = parametersOf(field, node !== undefined);
    const declared = [...(node ? ['$after: String'] : []), ...variables].join(', ');
    const header = declared === '' ? 'query OpenDataDownload' : `query OpenDataDownload(${declared})`;
    datasets.push({
      name: field.name,
      description: field.description ?? null,
      columns,
      paged: node !== undefined,
      parameters,
      document: node
        ? `${header} { ${field.name}(${[`first: ${MAX_PAGE_SIZE}`, 'after: $after', ...argumentsText].join(', ')}) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`
        : `${header} { ${field.name}${argumentsText.length > 0 ? `(${argumentsText.join(', ')})` : ''} { ${selection} } }`,
    });
  }
  return datasets;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const given = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Text a spreadsheet would run as a formula gets a ' before it: the first characters csv-stringify's
  // escape_formulas (the disclosure log's export) guards, full-width forms included; numbers are
  // written as they are, a negative one included. NDJSON carries every value unchanged.
  const text = typeof value === 'string' && /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(value) ? `'${value}` : given;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function valueAt(row: Record<string, unknown>, path: string): unknown {
  const dot = path.indexOf('.');
  if (dot < 0) return row[path];
  const inner = row[path.slice(0, dot)];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)[path.slice(dot + 1)] : null;
}

/** The text of a page of rows in `format`. */
function pageText(rows: readonly Record<string, unknown>[], dataset: OpenDataset, format: DownloadFormat): string {
  let text = '';
  for (const row of rows) {
    text += format === 'csv' ? `${dataset.columns.map((column) => csvField(valueAt(row, column))).join(',')}\r\n` : `${JSON.stringify(row)}\n`;
  }
  return text;
}

interface PageResult {
  readonly rows: Record<string, unknown>[];
  readonly next: string | null;
  readonly errors: readonly GraphQLFormattedError[];
}

/** The variables of a download's parameters (DownloadParameter), from its query string. */
type DownloadVariables = Readonly<Record<string, unknown>>;

/**
 * The most of a caller's own text (a dataset's path, a parameter's name) an answer repeats, in UTF-16
 * units: enough to recognise it by; the whole of a long one would only make the answer as long.
 */
const ECHOED = 80;

/**
 * The longest value a download's parameter takes, in characters once composed: more than any of the
 * lists' filters needs (a name searched for is the longest, and no name of a unit, an enterprise or
 * a place comes near; codes, dates and enum values are a few characters), so that a longer one is a
 * mistake, said as such, rather than a search the database runs for nothing.
 */
const MAX_PARAMETER_LENGTH = 500;

/**
 * A download's query string (a URL's `search`) as the variables of its parameters, or why it cannot
 * be: a 400's body, naming the parameter (an unknown one by its first ECHOED units).
 */
export function downloadVariables(dataset: Pick<OpenDataset, 'name' | 'parameters'>, query: string): { variables: DownloadVariables } | { refused: unknown } {
  const refused = (vi: string, en: string, parameter: string) => ({
    refused: { errors: [{ message: `Không tải được ${dataset.name}: ${vi} (${en})`, extensions: { code: ErrorCode.BAD_USER_INPUT, parameter } }] },
  });
  const byName = new Map(dataset.parameters.map((parameter) => [parameter.name, parameter]));
  const taken = dataset.parameters.length > 0 ? dataset.parameters.map((p) => p.name).join(', ') : null;
  const variables: Record<string, unknown> = {};
  const filter: Record<string, unknown> = {};
  const pairs = formPairs(query);
  const unreadable = pairs.find((pair) => !pair.name.utf8);
  if (unreadable) {
    return refused(
      'tên một tham số không phải văn bản UTF-8 mã hoá phần trăm hợp lệ.',
      "a parameter's name is not valid percent-encoded UTF-8 text.",
      clip(unreadable.name.text, ECHOED),
    );
  }
  for (const name of new Set(pairs.map((pair) => pair.name.text))) {
    const parameter = byName.get(name);
    if (name === '') return refused('có tham số không tên (như "?=").', 'a parameter has no name (as in "?=").', name);
    if (!parameter) {
      const shown = clip(name, ECHOED);
      return refused(
        `không có tham số ${shown}; ${taken ? `tập này nhận: ${taken}` : 'tập này không nhận tham số nào'}.`,
        `no parameter ${shown}; ${taken ? `this list takes: ${taken}` : 'this list takes none'}.`,
        shown,
      );
    }
    const values = pairs.filter((pair) => pair.name.text === name).map((pair) => pair.value);
    if (values.length > 1) return refused(`tham số ${name} được nêu ${values.length} lần.`, `parameter ${name} is given ${values.length} times.`, name);
    if (values[0]?.utf8 === false) return refused(`${name} phải là văn bản UTF-8 mã hoá phần trăm hợp lệ.`, `${name} must be valid percent-encoded UTF-8 text.`, name);
    const text = values[0]?.text ?? '';
    // Text PostgreSQL cannot store is refused here, before any query runs: the subgraph's own refusal
    // (kit/db.ts, the same rule) names no parameter. After the UTF-8 read above, only a NUL can be it.
    if (holdsUnstorableText(text)) return refused(`${name} không được chứa ký tự NUL (U+0000).`, `${name} must not contain the NUL character, U+0000.`, name);
    // Counted as written, composed (NFC): a Vietnamese letter sent decomposed counts once too.
    if (characters(text.normalize('NFC')) > MAX_PARAMETER_LENGTH) {
      return refused(`${name} dài quá ${MAX_PARAMETER_LENGTH} ký tự.`, `${name} is longer than ${MAX_PARAMETER_LENGTH} characters.`, name);
    }
    let value: unknown = text;
    if (parameter.kind === 'int' || parameter.kind === 'float') {
      value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value) || (parameter.kind === 'int' && !/^-?\d+$/.test(text))) {
        return refused(`${name} phải là một số${parameter.kind === 'int' ? ' nguyên' : ''}.`, `${name} must be ${parameter.kind === 'int' ? 'an integer' : 'a number'}.`, name);
      }
    } else if (parameter.kind === 'boolean') {
      if (text !== 'true' && text !== 'false') return refused(`${name} phải là true hoặc false.`, `${name} must be true or false.`, name);
      value = text === 'true';
    }
    if (parameter.in === 'filter') filter[name] = value;
    else variables[name] = value;
  }
  if (Object.keys(filter).length > 0) variables['filter'] = filter;
  return { variables };
}

/** Runs one page of `dataset`, as the anonymous caller. */
async function fetchPage(apollo: ApolloServer<GatewayContext>, dataset: OpenDataset, after: string | null, req: IncomingMessage, given: DownloadVariables): Promise<PageResult> {
  const variables = dataset.paged ? { ...given, after } : given;
  const response = await apollo.executeOperation({ query: dataset.document, variables }, { contextValue: anonymousContext(req) });
  if (response.body.kind !== 'single') return { rows: [], next: null, errors: [{ message: 'unexpected incremental answer' }] };
  const { data, errors } = response.body.singleResult;
  if (!dataset.paged) {
    const list = data?.[dataset.name];
    const rows = Array.isArray(list) ? (list.filter((row) => typeof row === 'object' && row !== null) as Record<string, unknown>[]) : [];
    return { rows, next: null, errors: errors ?? (Array.isArray(list) ? [] : [{ message: 'no data' }]) };
  }
  const connection = data?.[dataset.name] as { nodes?: unknown; pageInfo?: { hasNextPage?: unknown; endCursor?: unknown } } | null | undefined;
  const rows = Array.isArray(connection?.nodes) ? (connection.nodes.filter((node) => typeof node === 'object' && node !== null) as Record<string, unknown>[]) : [];
  const more = connection?.pageInfo?.hasNextPage === true && typeof connection.pageInfo.endCursor === 'string';
  return { rows, next: more ? (connection.pageInfo?.endCursor as string) : null, errors: errors ?? (connection ? [] : [{ message: 'no data' }]) };
}

/**
 * Writes `text`, and waits while the client has not taken what was written before: until the
 * answer drains or closes, with both listeners removed after (events.once would leave the other,
 * and one pair per wait piled up over a long download).
 */
export async function write(res: ServerResponse, text: string): Promise<void> {
  if (text === '' || res.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Codes of a failure that passes: the agency's system, its database or its disclosure log is down for now. */
const TEMPORARY: ReadonlySet<string> = new Set([ErrorCode.SUBGRAPH_UNAVAILABLE, ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.DISCLOSURE_LOG_UNAVAILABLE]);

/**
 * The answer to a download that could not start, from the first error of its first page: 503 when an
 * agency's system, database or disclosure log is unavailable (try again later), 502 for anything
 * else (a provider refusing what the open contract lists, say), which waiting will not mend. Said for
 * a download, not quoted from the GraphQL error, whose words are for an answer with partial data.
 */
export function cannotStart(dataset: Pick<OpenDataset, 'name'>, error: GraphQLFormattedError | undefined): [number, unknown] {
  const code = typeof error?.extensions?.['code'] === 'string' ? error.extensions['code'] : 'DOWNLOAD_FAILED';
  // A parameter's value the list does not take (a malformed commune code, an unknown enum value):
  // the caller's to mend. GraphQL names the variable (`$filter` … at "filter.communeEdition", or
  // `$edition`), which is said as the query parameter it came from, with GraphQL's reason.
  if (code === ErrorCode.BAD_USER_INPUT || code === 'GRAPHQL_VALIDATION_FAILED') {
    // The gateway's own words for GraphQL's English refusal wrap it: "<Vietnamese> (Variable …)";
    // a shared scalar's refusal of a variable reads "Biến $filter … tại "filter.communeCode" (…): <ours>".
    const said = error?.message ?? '';
    const scalar = /^Biến \$(\w+) có giá trị không hợp lệ(?: tại "\w+\.(\w+)")? \([^)]*\): (.*)$/s.exec(said);
    const text = /^[^(]*\((Variable .*)\)$/s.exec(said)?.[1] ?? said;
    const named = scalar ?? /Variable "\$(\w+)" got invalid value .*? at "\w+\.(\w+)"/.exec(text) ?? /Variable "\$(\w+)" got invalid value/.exec(text);
    // A subgraph's own refusal names the argument instead (`filter.name`).
    const argument = typeof error?.extensions?.['argument'] === 'string' ? error.extensions['argument'].replace(/^filter\./, '') : undefined;
    const parameter = named?.[2] ?? named?.[1] ?? argument;
    const reason = clip(scalar?.[3] ?? /; (.*)$/s.exec(text)?.[1] ?? text, 300);
    const which = parameter ? ` ${parameter}` : '';
    return [
      400,
      {
        errors: [{
          message: `Không tải được ${dataset.name}: giá trị của tham số${which} không hợp lệ. (The value of parameter${which} is not valid: ${reason})`,
          extensions: { code: ErrorCode.BAD_USER_INPUT, ...(parameter ? { parameter } : {}) },
        }],
      },
    ];
  }
  const agency = typeof error?.extensions?.['agency'] === 'string' ? error.extensions['agency'] : null;
  const unavailable = TEMPORARY.has(code);
  const message = unavailable
    ? `Không tải được ${dataset.name}: hệ thống của ${agency ?? 'một cơ quan'} tạm thời không truy cập được; hãy thử lại sau. ` +
      `(The download could not start: ${agency ?? 'an agency'}'s system is unavailable; try again later.)`
    : `Không tải được ${dataset.name}: bên cung cấp không trả dữ liệu mà danh mục dữ liệu mở liệt kê (${code}). ` +
      `(The download could not start: the provider did not return the data the open contract lists.)`;
  return [unavailable ? 503 : 502, { errors: [{ message, extensions: { code, ...(agency ? { agency } : {}) } }] }];
}

/**
 * Streams `dataset` in `format`. A failure before the first byte is an ordinary error answer (see
 * cannotStart); a failure later cuts the connection, so that a client never takes a
 * shortened file for a whole one (the chunked answer ends without its last chunk).
 */
async function download(apollo: ApolloServer<GatewayContext>, dataset: OpenDataset, format: DownloadFormat, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const asked = downloadVariables(dataset, new URL(req.url ?? '/', 'http://gateway').search);
  if ('refused' in asked) {
    sendJson(res, 400, asked.refused);
    return;
  }
  const { variables } = asked;
  let page = await fetchPage(apollo, dataset, null, req, variables);
  if (page.errors.length > 0) {
    sendJson(res, ...cannotStart(dataset, page.errors[0]));
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[format],
    'content-disposition': `attachment; filename="${dataset.name}.${format}"`,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (format === 'csv') await write(res, `${dataset.columns.join(',')}\r\n`);
  for (;;) {
    if (res.destroyed) return;
    // The next page is asked for while this one is written: two pages at most are held.
    const following = page.next === null ? undefined : fetchPage(apollo, dataset, page.next, req, variables);
    // Awaited below; if the client has gone by then, it must not end as an unhandled rejection.
    following?.catch(() => undefined);
    await write(res, pageText(page.rows, dataset, format));
    if (!following) break;
    page = await following;
    if (page.errors.length > 0) {
      res.destroy();
      return;
    }
  }
  res.end();
}

/** The 404 of a path that is no dataset's, repeating at most its first ECHOED units. */
function notFound(res: ServerResponse, asked: string): void {
  const path = clip(asked, ECHOED);
  sendJson(res, 404, {
    errors: [
      {
        message: `Không có tập dữ liệu mở ${path}; danh sách tại ${DOWNLOAD_PATH}. (No open dataset at ${path}; the list is at ${DOWNLOAD_PATH}.)`,
        extensions: { code: 'DATASET_NOT_FOUND' },
      },
    ],
  });
}

/**
 * The download routes of one open contract, run on `apollo` (the full graph: see above):
 * `GET /open/download` lists the datasets with their columns and links;
 * `GET /open/download/<name>.csv` and `.ndjson` stream one. GET and HEAD only.
 */
export function openDownloads(
  openSupergraphSdl: string,
  apollo: ApolloServer<GatewayContext>,
  catalogue: CatalogueSettings,
): { readonly index: Handler; readonly file: Handler; readonly catalogue: Handler; readonly datasets: readonly OpenDataset[] } {
  const described = describeOpenDatasets(openSupergraphSdl);
  const datasets = described.map(({ dataset }) => dataset);
  const byName = new Map(datasets.map((dataset) => [dataset.name, dataset]));
  const directory = agencyDirectory();
  // Written when first asked for: the gateway's address is known only once it listens.
  let dcat: Handler | undefined;
  const index = JSON.stringify({
    catalog: DCAT_PATH,
    datasets: datasets.map((dataset) => ({
      name: dataset.name,
      description: dataset.description,
      columns: dataset.columns,
      parameters: dataset.parameters.map(({ name, type, default: byDefault, values }) => ({ name, type, default: byDefault, ...(values ? { values } : {}) })),
      csv: `${DOWNLOAD_PATH}/${dataset.name}.csv`,
      ndjson: `${DOWNLOAD_PATH}/${dataset.name}.ndjson`,
    })),
  });
  return {
    datasets,
    index: staticDocument('application/json; charset=utf-8', index),
    catalogue: (req, res) => {
      dcat ??= staticDocument(
        'application/ld+json; charset=utf-8',
        JSON.stringify(dcatCatalogue({ datasets: described, downloads: DOWNLOAD_PATH, directory, base: catalogue.base(), license: catalogue.license })),
      );
      dcat(req, res);
    },
    file: async (req, res) => {
      if (!readOnlyRequest(req, res)) return;
      const path = new URL(req.url ?? '/', 'http://gateway').pathname;
      const match = /^\/open\/download\/([A-Za-z_][A-Za-z0-9_]*)\.(csv|ndjson)$/.exec(path);
      const dataset = match ? byName.get(match[1] ?? '') : undefined;
      if (!match || !dataset) return notFound(res, path);
      await download(apollo, dataset, match[2] === 'csv' ? 'csv' : 'ndjson', req, res);
    },
  };
}
