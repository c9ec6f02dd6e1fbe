import { createHash } from 'node:crypto';
import { defaultFieldResolver, isObjectType, Kind, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type pg from 'pg';
import type { FieldPolicy, SharingCategory } from '../../schema/sharing';
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
  readonly subjects = new Map<string, Set<string>>();
  readonly used = new Set<string>();
  readonly refused = new Map<string, string>();
  private readonly rows = new WeakSet<object>();

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

  /** Notes that `coordinate` of `parent` (a row of `typeName`) is being returned. */
  sawField(coordinate: string, category: SharingCategory, typeName: string, parent: unknown, caller: Caller, key: KeyOf | undefined, subject: SubjectOf | undefined): void {
    this.fields.set(coordinate, category);
    if (typeof parent !== 'object' || parent === null) return;
    const personalId = subject?.(parent, caller) ?? null;
    if (personalId !== null) {
      let fields = this.subjects.get(personalId);
      if (!fields) this.subjects.set(personalId, (fields = new Set()));
      fields.add(coordinate);
    }
    if (this.rows.has(parent)) return;
    this.rows.add(parent);
    const value = key?.(parent);
    if (value) this.keys.add(`${typeName}:${value}`);
  }
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
    readers.set(type.name, (row) => {
      const record = row as Record<string, unknown>;
      const parts = names.map((name) => record[name] ?? record[snakeCase(name)]);
      return parts.every((part) => typeof part === 'string' || typeof part === 'number') ? parts.join('/') : null;
    });
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
      const key = keys.get(type.name);
      const subject = subjects[coordinate] ?? subjects[type.name];
      field.resolve = (parent, args, context: RecordingContext, info) => {
        context.disclosure?.sawField(coordinate, policy.category, type.name, parent, context.caller, key, subject);
        return resolve(parent, args, context, info);
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

/** One disclosure record as written to the log and, through the outbox, to the ledger. */
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
  readonly subjects: Readonly<Record<string, readonly string[]>>;
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
    subjects: Object.fromEntries([...recorder.subjects].map(([id, fields]) => [id, [...fields]])),
    used: [...recorder.used],
    refused: [...recorder.refused].map(([field, reason]) => ({ field, reason })),
  };
}

/**
 * Writes `record` to the log, and its copy (with the log's seq and time, without the hashes) to the
 * outbox, in the transaction of `client`: one statement, one round trip. The log's trigger chains
 * it to the previous record.
 */
export async function writeDisclosure(client: pg.PoolClient, record: DisclosureRecord): Promise<void> {
  await client.query(
    `/* writeDisclosure */
     WITH written AS (
       INSERT INTO disclosure.log (request_id, caller_kind, consumer_agency, official, roles, citizen_id, purpose,
         operation_name, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       RETURNING seq, recorded_at)
     INSERT INTO disclosure.outbox (log_seq, payload)
     SELECT seq, $16::jsonb || jsonb_build_object('seq', seq, 'recordedAt', recorded_at) FROM written`,
    [
      record.requestId,
      record.callerKind,
      record.consumerAgency,
      record.official,
      record.roles,
      record.citizenId,
      record.purpose,
      record.operationName,
      record.operationHash,
      JSON.stringify(record.fields),
      record.recordKeys,
      Object.keys(record.subjects),
      JSON.stringify(record.subjects),
      record.used,
      JSON.stringify(record.refused),
      JSON.stringify(record),
    ],
  );
}
