import { createHash } from 'node:crypto';
import { defaultFieldResolver, getNamedType, isObjectType, Kind, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { preparedName, type LastWrite } from './db';
import type { FieldPolicy, SharingCategory } from '../../schema/sharing';
import { pageNodes } from '../../schema/pages';
import type { Caller } from './identity';
import type { SubjectOf } from './authorisation';

/**
 * What one request disclosed, gathered while it executes: the fields returned (with their
 * category), the keys of the records they came from, the data subjects, the grants and consents
 * used, and the fields refused. A resolver only reaches the recorder once the sharing rules allowed
 * its field, so a refused field is never counted as disclosed.
 */
export class DisclosureRecorder {
  readonly fields = new Map<string, SharingCategory>();
  readonly keys = new Set<string>();
  /** Each data subject's personal id, with the fields disclosed about them in the order first seen. */
  readonly subjects = new Map<string, string[]>();
  readonly used = new Set<string>();
  readonly refused = new Map<string, string>();
  /**
   * Each row seen, with its type's subject reader and that subject's field list (null: no subject),
   * worked out once per row. A Map: the recorder lives only as long as its request, so it need not
   * hold rows weakly (a WeakMap's entries are ephemerons, extra work for the collector).
   */
  private readonly rows = new Map<object, { readonly reader: SubjectOf | undefined; readonly subject: string | null; fields: string[] | null }>();

  /** True when the request touched data at all (federation plumbing alone is not a disclosure). */
  get touchedData(): boolean {
    return this.fields.size > 0 || this.refused.size > 0;
  }

  refuse(coordinate: string, reason: string): void {
    if (!this.refused.has(coordinate)) this.refused.set(coordinate, reason);
  }

  use(via: string): void {
    this.used.add(via);
  }

  /**
   * Notes that the field `field` of `parent` (a row of the field's type) is being returned. An OPEN
   * field is anyone's to read and never personal data (the schema check's LT003): it counts among
   * the fields and keys disclosed, but not as disclosed about the row's data subject, whose "who saw
   * my data" would otherwise list every download of, say, the public name of a company they represent.
   */
  sawField(field: RecordedField, parent: unknown, caller: Caller): void {
    const { coordinate } = field;
    if (!this.fields.has(coordinate)) this.fields.set(coordinate, field.category);
    if (typeof parent !== 'object' || parent === null) return;
    let row = this.rows.get(parent);
    if (row === undefined) {
      row = { reader: field.subject, subject: field.subject?.(parent, caller) ?? null, fields: null };
      this.rows.set(parent, row);
      const value = field.key?.(parent);
      if (value) this.keys.add(`${field.typeName}:${value}`);
    }
    if (field.category === 'OPEN') return;
    // A field with a subject reader of its own (not its type's) reads its subject itself.
    const fields = row.reader === field.subject ? (row.fields ??= this.subjectFieldsOf(row.subject)) : this.subjectFieldsOf(field.subject?.(parent, caller) ?? null);
    if (fields !== null && !fields.includes(coordinate)) fields.push(coordinate);
  }

  /**
   * Notes that `row`, a record of a type with data subjects, was returned by the field `coordinate`,
   * whatever is selected of it: even `{ __typename }` alone tells that the person exists, or matches
   * the search, so the subject is recorded as disclosed by that field.
   */
  sawRow(coordinate: string, row: unknown, listed: { readonly typeName: string; readonly subject: SubjectOf; readonly key: KeyOf | undefined }, caller: Caller): void {
    if (typeof row !== 'object' || row === null) return;
    const key = listed.key?.(row);
    if (key) this.keys.add(`${listed.typeName}:${key}`);
    const fields = this.subjectFieldsOf(listed.subject(row, caller));
    if (fields !== null && !fields.includes(coordinate)) fields.push(coordinate);
  }

  private subjectFieldsOf(personalId: string | null): string[] | null {
    if (personalId === null) return null;
    let fields = this.subjects.get(personalId);
    if (fields === undefined) this.subjects.set(personalId, (fields = []));
    return fields;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** What the recorder needs to know of a field, worked out once when the schema is built. */
export interface RecordedField {
  /** "Type.field". */
  readonly coordinate: string;
  readonly category: SharingCategory;
  readonly typeName: string;
  /** Reads the key of a row of the type (for the record's keys). */
  readonly key: KeyOf | undefined;
  /** Reads the data subject of a row (the field's own reader, else its type's). */
  readonly subject: SubjectOf | undefined;
}

/** Reads the `@key` value of a row (e.g. a citizen's personal id), or null. */
export type KeyOf = (row: object) => string | null;

/** The context the recording resolvers read: the request's recorder and caller. */
interface RecordingContext {
  readonly caller: Caller;
  readonly disclosure?: DisclosureRecorder;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The key reader of each entity type, from its first `@key(fields:)`: each key field read from the
 * row under its GraphQL name or its snake_case column name, joined with '/'.
 */
function keyReaders(schema: GraphQLSchema): Map<string, KeyOf> {
  const readers = new Map<string, KeyOf>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const directives = [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []);
    const key = directives.find((d) => d.name.value === 'key');
    const fieldsArgument = key?.arguments?.find((a) => a.name.value === 'fields');
    if (!fieldsArgument || fieldsArgument.value.kind !== Kind.STRING) continue;
    const names = fieldsArgument.value.value.split(/\s+/).filter((name) => /^\w+$/.test(name));
    const columns = names.map(snakeCase);
    const part = (record: Record<string, unknown>, i: number): unknown => record[names[i] ?? ''] ?? record[columns[i] ?? ''];
    const scalar = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';
    // Read once per row disclosed: a single key field (the usual case) is read without building a list.
    readers.set(
      type.name,
      names.length === 1
        ? (row) => {
            const value = part(row as Record<string, unknown>, 0);
            return scalar(value) ? String(value) : null;
          }
        : (row) => {
            const parts = names.map((_, i) => part(row as Record<string, unknown>, i));
            return parts.every(scalar) ? parts.join('/') : null;
          },
    );
  }
  return readers;
}

/**
 * Makes every categorised field of `schema` note itself in the request's DisclosureRecorder before
 * it resolves. Applied beneath the sharing rules, so only allowed fields are noted; a synchronous
 * set insertion per field, cheap enough for 1,000-row lists.
 */
export function recordDisclosures(schema: GraphQLSchema, policies: ReadonlyMap<string, FieldPolicy>, subjects: Readonly<Record<string, SubjectOf>>): GraphQLSchema {
  const keys = keyReaders(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const policy = policies.get(coordinate);
      if (!policy) continue;
      const resolve: GraphQLFieldResolver<unknown, RecordingContext> = field.resolve ?? defaultFieldResolver;
      const recorded: RecordedField = { coordinate, category: policy.category, typeName: type.name, key: keys.get(type.name), subject: subjects[coordinate] ?? subjects[type.name] };
      // A field returning records of a type with data subjects (a citizen, a household), or a page
      // of them, notes each one returned: what else the operation selects of them may be nothing
      // (see sawRow), not even the page's `nodes` (its cursor tells that someone matched).
      const returned = getNamedType(field.type);
      const pageOf = subjects[returned.name] ? undefined : pageNodes(returned);
      const listed = pageOf ? getNamedType(pageOf.type) : returned;
      const subject = policy.category === 'OPEN' ? undefined : subjects[listed.name];
      const rowSubject = subject ? { typeName: listed.name, subject, key: keys.get(listed.name) } : undefined;
      const rowsOf = pageOf ? (value: unknown): unknown => (typeof value === 'object' && value !== null ? (value as { nodes?: unknown }).nodes : undefined) : (value: unknown) => value;
      field.resolve = !rowSubject
        ? (parent, args, context: RecordingContext, info) => {
            context.disclosure?.sawField(recorded, parent, context.caller);
            return resolve(parent, args, context, info);
          }
        : (parent, args, context: RecordingContext, info) => {
            const { disclosure, caller } = context;
            disclosure?.sawField(recorded, parent, caller);
            const result: unknown = resolve(parent, args, context, info);
            if (!disclosure) return result;
            const note = (value: unknown): unknown => {
              const rows = rowsOf(value);
              if (Array.isArray(rows)) for (const row of rows) disclosure.sawRow(coordinate, row, rowSubject, caller);
              else disclosure.sawRow(coordinate, rows, rowSubject, caller);
              return value;
            };
            return isPromiseLike(result) ? result.then(note) : note(result);
          };
    }
  }
  return schema;
}

/** What the provider's log holds about the request besides what the recorder gathered. */
export interface RequestFacts {
  readonly requestId: string;
  readonly caller: Caller;
  readonly purpose: string | null;
  readonly operationName: string | null;
  readonly query: string;
}

/** Data subjects (personal ids) who were disclosed the same fields. */
export interface SubjectGroup {
  readonly fields: readonly string[];
  readonly subjects: readonly string[];
}

/**
 * Data subjects grouped by their field sets, in order of first appearance. Rows of one selection note
 * their fields in the same order, so the order given is the grouping key (two orders of the same
 * fields make two groups: still exact, only less compact).
 */
export function subjectGroups(subjects: Iterable<readonly [string, readonly string[]]>): SubjectGroup[] {
  const groups = new Map<string, { fields: string[]; subjects: string[] }>();
  for (const [personalId, fields] of subjects) {
    const signature = fields.join(' ');
    let group = groups.get(signature);
    if (!group) groups.set(signature, (group = { fields: [...fields].sort(), subjects: [] }));
    group.subjects.push(personalId);
  }
  return [...groups.values()];
}

/** One disclosure record as written to the log and, through the outbox relay, to the ledger. */
export interface DisclosureRecord {
  readonly requestId: string;
  readonly callerKind: Caller['kind'];
  readonly consumerAgency: string | null;
  readonly official: string | null;
  readonly roles: readonly string[];
  readonly citizenId: string | null;
  readonly purpose: string | null;
  readonly operationName: string | null;
  readonly operationHash: string;
  readonly fields: ReadonlyArray<{ field: string; category: SharingCategory }>;
  readonly recordKeys: readonly string[];
  /** The data subjects, grouped by the fields disclosed about them: a 1,000-row list is one group. */
  readonly subjects: readonly SubjectGroup[];
  readonly used: readonly string[];
  readonly refused: ReadonlyArray<{ field: string; reason: string }>;
}

/** The record of one request, from its facts and what its recorder gathered. */
export function disclosureRecord(facts: RequestFacts, recorder: DisclosureRecorder): DisclosureRecord {
  const { caller } = facts;
  return {
    requestId: facts.requestId,
    callerKind: caller.kind,
    consumerAgency: caller.kind === 'official' ? caller.agency : null,
    official: caller.kind === 'official' ? caller.officialId : null,
    roles: caller.kind === 'official' ? caller.roles : [],
    citizenId: caller.kind === 'citizen' ? caller.personalId : null,
    purpose: facts.purpose,
    operationName: facts.operationName,
    operationHash: createHash('sha256').update(facts.query).digest('hex'),
    fields: [...recorder.fields].map(([field, category]) => ({ field, category })),
    recordKeys: [...recorder.keys],
    subjects: subjectGroups(recorder.subjects),
    used: [...recorder.used],
    refused: [...recorder.refused].map(([field, reason]) => ({ field, reason })),
  };
}

const INSERT_RECORDS = `/* writeDisclosures */
  INSERT INTO disclosure.log (request_id, caller_kind, consumer_agency, official, roles, citizen_id, purpose,
    operation_name, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
  SELECT r."requestId", r."callerKind", r."consumerAgency", r.official, r.roles, r."citizenId", r.purpose,
         r."operationName", r."operationHash", r.fields, r."recordKeys",
         ARRAY(SELECT jsonb_array_elements_text(g -> 'subjects') FROM jsonb_array_elements(r.subjects) AS g),
         r.subjects, r.used, r.refused
    FROM jsonb_to_recordset($1::jsonb) AS r("requestId" text, "callerKind" text, "consumerAgency" text,
         official text, roles text[], "citizenId" text, purpose text, "operationName" text, "operationHash" text,
         fields jsonb, "recordKeys" text[], subjects jsonb, used text[], refused jsonb)`;

const INSERT_RECORDS_PREPARED = preparedName('writeDisclosures', INSERT_RECORDS);

/**
 * The write that adds `records` to the log, as a request transaction's last (RequestTransaction.commit):
 * they are hash-chained as they enter, and commit with what the request read or not at all. The
 * chaining trigger holds the lock of the record's chain until that commit, which keeps seq order the
 * commit order within each chain (migration 006).
 */
export function disclosureWrite(records: readonly DisclosureRecord[]): LastWrite {
  return { text: INSERT_RECORDS, values: [JSON.stringify(records)], prepared: INSERT_RECORDS_PREPARED };
}
