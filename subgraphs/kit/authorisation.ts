import { getNamedType, getNullableType, GraphQLError, isListType, isObjectType, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, rule, shield } from 'graphql-shield';
import { schemaFieldPolicies, type FieldPolicy, type SharingCategory } from '../../schema/sharing';
import { requestAccessExample } from '../../schema/catalogue';
import { governanceOnly, type Caller } from './identity';
import { ErrorCode } from './errors';
import type { GrantView } from './grants';
import type { DisclosureRecorder } from './disclosure';

/** Why a field was refused: stable values clients may switch on. */
export type RefusalReason =
  | 'ANONYMOUS_OPEN_ONLY'
  | 'GOVERNANCE_NO_PERSONAL_DATA'
  | 'PURPOSE_REQUIRED'
  | 'NO_GRANT'
  | 'GRANT_NOT_STARTED'
  | 'GRANTS_UNAVAILABLE'
  | 'NOT_THE_DATA_SUBJECT'
  | 'SUBJECT_ONLY'
  | 'CONSENT_COVERS_ONLY_THE_PERSON'
  | 'NO_CATEGORY';

/** The stable code of every refusal by the sharing rules. */
export const ACCESS_DENIED = ErrorCode.ACCESS_DENIED;

/** What the rules need from a subgraph's per-request context. */
export interface AccessContext {
  readonly caller: Caller;
  readonly purpose: string | null;
  readonly lang: 'vi' | 'en';
  readonly grants: GrantView;
  /** Per-request memo of decisions that do not depend on the row (filled by the rules). */
  readonly decisions: Map<string, Decision>;
  /** What this request disclosed and refused, for the provider's log; absent where no log is kept. */
  readonly disclosure?: DisclosureRecorder;
}

/** The owning agency as the rules and refusal messages need it. */
export interface Owner {
  readonly agencyCode: string;
  readonly agencyName: string;
  readonly subgraph: string;
  /**
   * False when no grant or consent opens this subgraph's SPECIAL_REQUEST fields (the access ledger's:
   * a citizen's own consents and disclosures): another agency's official is refused SUBJECT_ONLY,
   * with no request for access to suggest.
   */
  readonly grantable?: boolean;
}

/**
 * Reads the data subject (a personal id) of a row of one type, or null when the row has none. Keyed
 * by type name, or by `Query.field` for a root field whose resolver scopes it to the caller.
 */
export type SubjectOf = (parent: unknown, caller: Caller) => string | null;

/** A refusal; `from`, with GRANT_NOT_STARTED, is the day the agency's grant takes effect. */
type Verdict = { readonly allowed: true; readonly via?: string } | { readonly allowed: false; readonly reason: RefusalReason; readonly from?: string };
export type Decision = Verdict | 'per-row';

const MESSAGES: Record<RefusalReason, { vi: string; en: string }> = {
  ANONYMOUS_OPEN_ONLY: { vi: 'chỉ dữ liệu mở được cung cấp khi không đăng nhập', en: 'only open data is served without a token' },
  GOVERNANCE_NO_PERSONAL_DATA: { vi: 'vai trò quản trị không được xem dữ liệu cá nhân', en: 'the governance role may not see personal data' },
  PURPOSE_REQUIRED: { vi: 'cần nêu mục đích khai thác (tiêu đề x-purpose)', en: 'a purpose is required (x-purpose header)' },
  NO_GRANT: { vi: 'cơ quan chưa được cấp quyền khai thác trường này hoặc quyền đã hết hiệu lực', en: 'your agency has no active grant for this field' },
  GRANT_NOT_STARTED: { vi: 'quyền khai thác trường này của cơ quan chưa bắt đầu; có hiệu lực từ ngày', en: "your agency's grant for this field has not started; it takes effect on" },
  GRANTS_UNAVAILABLE: { vi: 'không xác minh được quyền khai thác lúc này', en: 'grants cannot be verified right now' },
  NOT_THE_DATA_SUBJECT: { vi: 'công dân chỉ được xem dữ liệu của chính mình', en: 'a citizen may see only their own records' },
  SUBJECT_ONLY: { vi: 'chỉ chính công dân là chủ thể dữ liệu xem được; không quyền khai thác nào mở được trường này', en: 'only the citizen whose data it is may see it; no grant opens this field' },
  CONSENT_COVERS_ONLY_THE_PERSON: {
    vi: 'trường này liệt kê những người khác; sự đồng ý của một công dân chỉ mở dữ liệu về chính người đó',
    en: "this field lists other people; a citizen's consent opens only that citizen's own records",
  },
  NO_CATEGORY: { vi: 'trường chưa được phân loại chia sẻ', en: 'the field has no sharing category' },
};

function refusal(policy: FieldPolicy | undefined, coordinate: string, reason: RefusalReason, owner: Owner, lang: 'vi' | 'en', from?: string): GraphQLError {
  const text = from ? `${MESSAGES[reason][lang]} ${from}` : MESSAGES[reason][lang];
  const message =
    lang === 'vi'
      ? `Từ chối truy cập ${coordinate} (${policy?.category ?? 'chưa phân loại'}, thuộc ${owner.agencyName}): ${text}.`
      : `Access to ${coordinate} (${policy?.category ?? 'uncategorised'}, owned by ${owner.agencyName}) refused: ${text}.`;
  return new GraphQLError(message, {
    extensions: {
      code: ACCESS_DENIED,
      reason,
      field: coordinate,
      ...(from ? { validFrom: from } : {}),
      category: policy?.category ?? null,
      owner: owner.agencyName,
      ownerAgency: owner.agencyCode,
      requestAccess:
        policy?.category === 'SPECIAL_REQUEST' && reason !== 'SUBJECT_ONLY'
          ? requestAccessExample(owner.agencyCode, coordinate)
          : policy?.category === 'DEFAULT'
            ? 'Đăng nhập bằng tài khoản cán bộ của một cơ quan nhà nước (sign in as a state agency official).'
            : null,
    },
  });
}

/**
 * The decision that does not depend on the row, or 'per-row' when the row's data subject decides
 * (a citizen's own records, a citizen's consent). DESIGN.md §5 is the table this implements.
 * 'refresh-first' when it would rest on a grant view that has aged (GrantView.wantsRefresh) and
 * `refreshed` is not set: the caller waits for GrantView.refreshIfStale and asks again, refreshed.
 */
function staticDecision(policy: FieldPolicy | undefined, context: AccessContext, owner: Owner, coordinate: string, refreshed: true): Decision;
function staticDecision(policy: FieldPolicy | undefined, context: AccessContext, owner: Owner, coordinate: string, refreshed?: boolean): Decision | 'refresh-first';
function staticDecision(policy: FieldPolicy | undefined, context: AccessContext, owner: Owner, coordinate: string, refreshed = false): Decision | 'refresh-first' {
  if (!policy) return { allowed: false, reason: 'NO_CATEGORY' };
  const category: SharingCategory = policy.category;
  if (category === 'OPEN') return { allowed: true };
  const { caller } = context;
  switch (caller.kind) {
    case 'anonymous':
      return { allowed: false, reason: 'ANONYMOUS_OPEN_ONLY' };
    case 'citizen':
      return 'per-row';
    case 'official': {
      if (caller.agency === owner.agencyCode) return { allowed: true };
      if (governanceOnly(caller)) {
        return category === 'DEFAULT' && !policy.personal ? { allowed: true } : { allowed: false, reason: 'GOVERNANCE_NO_PERSONAL_DATA' };
      }
      if (category === 'DEFAULT') return { allowed: true };
      if (owner.grantable === false) return { allowed: false, reason: 'SUBJECT_ONLY' };
      if (!context.purpose) return { allowed: false, reason: 'PURPOSE_REQUIRED' };
      // Only here does a decision rest on the grant view: one the poll timer has let age (a busy
      // event loop delays it) is brought up to date first, or stays unavailable (kit/grants.ts). The
      // kit does so before execution (decideBeforeExecution); the rules, should the view age during it.
      if (!refreshed && context.grants.wantsRefresh?.()) return 'refresh-first';
      const grant = context.grants.grantFor(caller.agency, coordinate);
      if (grant === 'unavailable') return { allowed: false, reason: 'GRANTS_UNAVAILABLE' };
      if (grant) return { allowed: true, via: `grant:${grant}` };
      return context.grants.hasConsents(caller.agency, coordinate) ? 'per-row' : notGranted(context, coordinate);
    }
  }
}

/**
 * Per-row decision: the caller is the row's data subject, or holds that subject's consent. A field
 * that lists other people (`listsOthers`: a household's members, each a data subject of their own)
 * is the row subject's to read, but no consent of theirs opens it: a consent covers the consenting
 * person's own records only (Quy chế Art. 16.2.g).
 */
function rowDecision(context: AccessContext, coordinate: string, subject: string | null, listsOthers: boolean): Verdict {
  const { caller } = context;
  if (caller.kind === 'citizen') {
    return subject !== null && subject === caller.personalId ? { allowed: true } : { allowed: false, reason: 'NOT_THE_DATA_SUBJECT' };
  }
  if (caller.kind === 'official' && subject !== null) {
    const consent = context.grants.consentFor(caller.agency, subject, coordinate);
    if (consent) return listsOthers ? { allowed: false, reason: 'CONSENT_COVERS_ONLY_THE_PERSON' } : { allowed: true, via: `consent:${consent}` };
  }
  return notGranted(context, coordinate);
}

/** An official's refusal for want of a grant: saying when the agency's grant starts, if it has one yet to. */
function notGranted(context: AccessContext, coordinate: string): Verdict {
  const from = context.caller.kind === 'official' ? context.grants.startsLater(context.caller.agency, coordinate) : null;
  return from ? { allowed: false, reason: 'GRANT_NOT_STARTED', from } : { allowed: false, reason: 'NO_GRANT' };
}

/**
 * The fields returning a list of records that have data subjects of their own (Household.members:
 * citizens), read under their parent's subject: what they disclose is about other people.
 */
function fieldsListingOthers(schema: GraphQLSchema, subjects: Readonly<Record<string, SubjectOf>>): Set<string> {
  const listing = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (subjects[coordinate]) continue;
      if (isListType(getNullableType(field.type)) && subjects[getNamedType(field.type).name]) listing.add(coordinate);
    }
  }
  return listing;
}

/** The data subject of a root field: a personal id passed as an argument (e.g. citizen(id:)). */
function subjectOfArguments(args: Record<string, unknown>): string | null {
  for (const value of Object.values(args)) if (typeof value === 'string' && /^\d{12}$/.test(value)) return value;
  return null;
}

/**
 * The data subject of a field's row: the subgraph's own reader for `Type.field` or `Type`; for a
 * root field without one, a personal id passed as an argument.
 */
function subjectOf(
  coordinate: string,
  typeName: string,
  parent: unknown,
  args: Record<string, unknown>,
  caller: Caller,
  subjects: Readonly<Record<string, SubjectOf>> = {},
): string | null {
  const reader = subjects[coordinate] ?? subjects[typeName];
  if (reader) return reader(parent, caller);
  return typeName === 'Query' ? subjectOfArguments(args) : null;
}

/**
 * Wraps a subgraph schema with graphql-shield rules generated from its own @sharing directives: one
 * rule for every categorised field, deny for anything else (fallback), federation plumbing allowed
 * only on calls the kit has already proven to come from the gateway. A decision that does not depend
 * on the row is made once per field per request; only a citizen's own records and consents are
 * decided row by row. Errors thrown by resolvers (e.g. an unavailable database) pass through as they
 * are: they are never disguised as refusals.
 */
export function withSharingRules(schema: GraphQLSchema, owner: Owner, subjects: Readonly<Record<string, SubjectOf>>): GraphQLSchema {
  const policies = schemaFieldPolicies(schema);
  const listsOthers = fieldsListingOthers(schema, subjects);
  const sharing = rule('sharing', { cache: 'no_cache' })((parent: unknown, args: Record<string, unknown>, context: AccessContext, info: GraphQLResolveInfo) => {
    const coordinate = `${info.parentType.name}.${info.fieldName}`;
    const decided = context.decisions.get(coordinate);
    if (decided) return judge(decided, parent, args, context, info, coordinate);
    const decision = staticDecision(policies.get(coordinate), context, owner, coordinate);
    if (decision !== 'refresh-first') {
      context.decisions.set(coordinate, decision);
      return judge(decision, parent, args, context, info, coordinate);
    }
    return (context.grants.refreshIfStale?.() ?? Promise.resolve()).then(() => {
      const fresh = context.decisions.get(coordinate) ?? staticDecision(policies.get(coordinate), context, owner, coordinate, true);
      context.decisions.set(coordinate, fresh);
      return judge(fresh, parent, args, context, info, coordinate);
    });
  });

  /** The verdict on one field of one row, given the field's decision for this request. */
  function judge(decision: Decision, parent: unknown, args: Record<string, unknown>, context: AccessContext, info: GraphQLResolveInfo, coordinate: string): true | GraphQLError {
    const verdict =
      decision !== 'per-row'
        ? decision
        : rowDecision(context, coordinate, subjectOf(coordinate, info.parentType.name, parent, args, context.caller, subjects), listsOthers.has(coordinate));
    if (verdict.allowed) {
      if (verdict.via) context.disclosure?.use(verdict.via);
      return true;
    }
    context.disclosure?.refuse(coordinate, verdict.reason);
    return refusal(policies.get(coordinate), coordinate, verdict.reason, owner, context.lang, verdict.from);
  }

  const tree: Record<string, Record<string, typeof sharing>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fields: Record<string, typeof sharing> = {};
    for (const name of Object.keys(type.getFields())) {
      if (policies.has(`${type.name}.${name}`)) fields[name] = sharing;
    }
    if (Object.keys(fields).length > 0) tree[type.name] = fields;
  }
  // Federation plumbing: reachable only through the gateway, which the kit verified before
  // execution. `_service.sdl` and `_entities` themselves disclose nothing a field rule would not.
  const queryFields = schema.getQueryType()?.getFields() ?? {};
  const plumbing = {
    Query: { ...(tree['Query'] ?? {}), _service: allow, ...('_entities' in queryFields ? { _entities: allow } : {}) },
    _Service: { sdl: allow },
  };
  return applyMiddleware(
    schema,
    shield(
      { ...tree, ...plumbing },
      {
        // Default deny: a field with no category (none should reach here: start-up refuses them).
        fallbackRule: rule('no-category', { cache: 'no_cache' })((_p: unknown, _a: unknown, context: AccessContext, info: GraphQLResolveInfo) => {
          const coordinate = `${info.parentType.name}.${info.fieldName}`;
          context.disclosure?.refuse(coordinate, 'NO_CATEGORY');
          return refusal(undefined, coordinate, 'NO_CATEGORY', owner, context.lang);
        }),
        allowExternalErrors: true,
        debug: false,
      },
    ),
  );
}

/** A SubjectOf reading a string property of the row (e.g. `subjectField('id')` for Citizen). */
export function subjectField(name: string): SubjectOf {
  return (parent) => {
    if (typeof parent !== 'object' || parent === null) return null;
    const value = (parent as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : null;
  };
}

/**
 * For a root field whose resolver only ever acts on the caller's own records (e.g. a citizen's own
 * consents): the caller is the subject.
 */
export const callerIsSubject: SubjectOf = (_parent, caller) => (caller.kind === 'citizen' ? caller.personalId : null);

/**
 * The `Type.field` coordinates an operation can touch (every selection, fragments included,
 * introspection left out), or null when the text does not parse or validate against `schema`.
 */
export function operationCoordinates(schema: GraphQLSchema, query: string): readonly string[] | null {
  let document;
  try {
    document = parse(query);
  } catch {
    return null;
  }
  const coordinates = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  let valid = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parentType = typeInfo.getParentType();
        if (!parentType) {
          valid = false;
          return;
        }
        if (!node.name.value.startsWith('__')) coordinates.add(`${parentType.name}.${node.name.value}`);
      },
    }),
  );
  return valid ? [...coordinates] : null;
}

/**
 * Decides, before execution, whether every field an operation can touch is allowed to this caller
 * whatever the rows (memoising each decision in `context.decisions`): 'all-allowed' when it is, and
 * executing without the per-field rules gives exactly the same answer, faster; 'per-field' when the
 * rules must run field by field; 'refresh-first' when a decision would rest on a grant view that has
 * aged (see staticDecision). Then the caller waits for GrantView.refreshIfStale, before execution
 * opens the request's transaction, and asks again with `refreshed`.
 */
export function decideBeforeExecution(
  coordinates: readonly string[],
  policies: ReadonlyMap<string, FieldPolicy>,
  context: AccessContext,
  owner: Owner,
  refreshed = false,
  plumbing: ReadonlySet<string> = FEDERATION_PLUMBING,
): 'all-allowed' | 'per-field' | 'refresh-first' {
  let allAllowed = true;
  for (const coordinate of coordinates) {
    if (plumbing.has(coordinate)) continue;
    let decision = context.decisions.get(coordinate);
    if (!decision) {
      const decided = staticDecision(policies.get(coordinate), context, owner, coordinate, refreshed);
      if (decided === 'refresh-first') return 'refresh-first';
      decision = decided;
      context.decisions.set(coordinate, decision);
    }
    if (decision === 'per-row' || !decision.allowed) allAllowed = false;
  }
  return allAllowed ? 'all-allowed' : 'per-field';
}

/** The grants a request's row-independent decisions relied on, for the fields it actually returned. */
export function grantsUsed(decisions: ReadonlyMap<string, Decision>, returned: ReadonlyMap<string, unknown>): string[] {
  const used: string[] = [];
  for (const [coordinate, decision] of decisions) {
    if (decision !== 'per-row' && decision.allowed && decision.via && returned.has(coordinate)) used.push(decision.via);
  }
  return used;
}

/** Federation plumbing the kit has already confined to the gateway. */
export const FEDERATION_PLUMBING: ReadonlySet<string> = new Set(['Query._entities', 'Query._service', '_Service.sdl']);
