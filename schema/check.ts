import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { GraphQLError, parse, Source, type ASTNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { categoryChanges, consumersOf, type CategoryChange, type FieldConsumer } from './categories';
import type { CompositionOutcome, SubgraphSource } from './compose';
import { composeOpenContract } from './contract';
import { locationOf, type CheckIssue } from './issue';
import { lintSubgraph } from './lint';
import { fieldsOfOtherAgencies } from './ownership';
import { expandedSubgraphDocument, prepareSubgraphSdl, SharingPolicyError } from './sharing';

export type { CheckIssue, IssueLocation } from './issue';
export type { CategoryChange, FieldConsumer } from './categories';
export { LintRule } from './lint';

/** `passed`, `failed`, or `skipped` when an earlier step left nothing to check. */
export type StepStatus = 'passed' | 'failed' | 'skipped';

/**
 * The outcome of a check: `ok` (may be published), `failed` (may not; every step says why), or
 * `needsApproval` (nothing fails, but the proposal changes what consumers may rely on: a category
 * loosened or tightened, or a breaking change; governance must approve the publish).
 */
export type CheckOutcome = 'ok' | 'failed' | 'needsApproval';

export interface CheckResult {
  readonly subgraph: string;
  readonly outcome: CheckOutcome;
  /** 1. Composition with the other subgraphs' current SDL; `issues` also holds a parse error of the proposal. */
  readonly composition: { readonly status: StepStatus; readonly issues: readonly CheckIssue[] };
  /** 2. The lint rules of `LintRule`, on the proposal's own SDL. */
  readonly lint: { readonly status: StepStatus; readonly issues: readonly CheckIssue[] };
  /**
   * 3. graphql-inspector's diff of the API schemas: breaking changes need governance approval (each
   * names the consumers it breaks, when they are known), dangerous ones are warnings. A current
   * supergraph that cannot be read fails.
   */
  readonly breakingChanges: {
    readonly status: StepStatus | 'needsApproval';
    readonly issues: readonly CheckIssue[];
    readonly warnings: readonly CheckIssue[];
  };
  /** 4. Category changes: a loosening or a tightening (it breaks the field's consumers) needs governance approval. */
  readonly categoryChanges: {
    readonly status: StepStatus | 'needsApproval';
    readonly loosened: readonly CategoryChange[];
    readonly tightened: readonly CategoryChange[];
  };
  /** Where the consumers named came from (at the registry: the access ledger's grant holders and recent readers), or why none could be read. */
  readonly consumersNote?: string;
  /** The supergraph composed with the proposal, when composition passed: what a publish would serve. */
  readonly supergraphSdl?: string;
}

export interface CheckInput {
  /** The subgraph the proposal is for. */
  readonly subgraph: string;
  /** The proposed SDL: the subgraph's own schema.graphql, without the shared definitions. */
  readonly sdl: string;
  /** The proposal's routing URL; by default its current one. */
  readonly url?: string;
  /** Every subgraph's current version; the one named `subgraph`, if present, is what the proposal replaces. */
  readonly subgraphs: readonly SubgraphSource[];
  /** The supergraph being served now; absent before the first publish (no breaking changes then). */
  readonly currentSupergraphSdl?: string;
  /** Active grants or observed usage, to name the consumers a tightening or a breaking change breaks. */
  readonly grantsOrUsage?: readonly FieldConsumer[];
}

function nodeSubgraph(node: ASTNode): string | undefined {
  return 'subgraph' in node && typeof node.subgraph === 'string' ? node.subgraph : undefined;
}

/** A composition error as an issue, attributed to the proposal when it is involved, else to the first subgraph named. */
function compositionIssue(error: GraphQLError, proposed: string): CheckIssue {
  const nodes = error.nodes ?? [];
  const named = nodes.map(nodeSubgraph).filter((name): name is string => name !== undefined);
  const subgraph = named.includes(proposed) ? proposed : (named[0] ?? /^\[([^\]]+)\]/.exec(error.message)?.[1]);
  const code = typeof error.extensions['code'] === 'string' ? error.extensions['code'] : 'COMPOSITION_ERROR';
  const locations = nodes.flatMap(locationOf).sort((a, b) => Number(b.source === proposed) - Number(a.source === proposed));
  return { code, message: error.message, ...(subgraph ? { subgraph } : {}), locations };
}

function invalidSdl(subgraph: string, error: GraphQLError): CheckIssue {
  const locations = (error.locations ?? []).map(({ line, column }) => ({ source: error.source?.name ?? subgraph, line, column }));
  return { code: 'INVALID_SDL', message: `Lỗi cú pháp SDL (SDL syntax error): ${error.message}`, subgraph, locations };
}

/** Whatever a subgraph's SDL failed with (a syntax error, a sharing policy refusal, a crash), as an issue naming it. */
function failureIssue(subgraph: string, error: unknown): CheckIssue {
  if (error instanceof GraphQLError) return invalidSdl(subgraph, error);
  // The parser and composition walk the SDL recursively: types nested thousands deep exhaust the stack.
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    const message = 'SDL lồng quá sâu để đọc (ví dụ kiểu danh sách lồng hàng nghìn cấp). (The SDL nests too deeply to read, e.g. list types nested thousands deep.)';
    return { code: 'SDL_TOO_DEEP', message, subgraph, locations: [] };
  }
  const code = error instanceof SharingPolicyError ? 'SHARING_POLICY' : 'COMPOSITION_ERROR';
  return { code, message: error instanceof Error ? error.message : String(error), subgraph, locations: [] };
}

type Composed = { readonly issues: CheckIssue[]; readonly supergraphSdl?: string };

/**
 * Composes the proposal with the others' current versions. The proposal is expanded without the
 * sharing policy checks of `prepareSubgraphSdl` (lint reports those, with their locations); the
 * others are prepared as the gateway composes them.
 */
function compose(input: CheckInput, proposed: DocumentNode): Composed {
  const current = input.subgraphs.find((s) => s.name === input.subgraph);
  const services = [{ name: input.subgraph, url: input.url ?? current?.url ?? `http://${input.subgraph}.invalid/graphql`, typeDefs: proposed }];
  const issues: CheckIssue[] = [];
  for (const other of input.subgraphs.filter((s) => s.name !== input.subgraph)) {
    try {
      services.push({ name: other.name, url: other.url, typeDefs: other.prepared ?? prepareSubgraphSdl(other.name, other.sdl) });
    } catch (error) {
      issues.push(failureIssue(other.name, error));
    }
  }
  if (issues.length > 0) return { issues };
  try {
    const result = composeServices(services);
    if (result.errors) return { issues: result.errors.map((error) => compositionIssue(error, input.subgraph)) };
    return { issues, supergraphSdl: result.supergraphSdl };
  } catch (error) {
    return { issues: [failureIssue(input.subgraph, error)] };
  }
}

/** The open contract (OPEN fields only) composed with the proposal, over its composed supergraph; its failures as issues. */
function openContractIssues(input: CheckInput, supergraphSdl: string): CheckIssue[] {
  const current = input.subgraphs.find((s) => s.name === input.subgraph);
  const url = input.url ?? current?.url ?? `http://${input.subgraph}.invalid/graphql`;
  const sources = [...input.subgraphs.filter((s) => s.name !== input.subgraph), { name: input.subgraph, url, sdl: input.sdl }];
  let outcome: CompositionOutcome;
  try {
    outcome = composeOpenContract(sources, supergraphSdl);
  } catch (error) {
    return [{ ...failureIssue(input.subgraph, error), code: OPEN_CONTRACT_DOES_NOT_COMPOSE }];
  }
  if (outcome.ok) return [];
  return outcome.errors.map((error) => ({
    code: OPEN_CONTRACT_DOES_NOT_COMPOSE,
    message:
      `Với đề xuất này, hợp đồng dữ liệu mở (chỉ các trường OPEN) không hợp nhất được: ${error} ` +
      `(With this proposal the open-data contract, OPEN fields only, does not compose: ${error})`,
    subgraph: input.subgraph,
    locations: [],
  }));
}

/** The code of a proposal with which the open contract does not compose. */
export const OPEN_CONTRACT_DOES_NOT_COMPOSE = 'OPEN_CONTRACT_DOES_NOT_COMPOSE';

function apiSchema(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

function changeIssue(change: Change, consumers: readonly FieldConsumer[]): CheckIssue {
  const affected = change.path ? consumersOf(change.path, consumers) : [];
  return {
    code: change.type,
    message: change.message,
    ...(change.path ? { coordinate: change.path } : {}),
    locations: [],
    ...(affected.length > 0 ? { affectedConsumers: affected } : {}),
  };
}

/**
 * graphql-inspector's diff between the API schemas of the current and the proposed supergraph:
 * breaking changes need approval, dangerous ones are warnings.
 */
async function breakingChanges(
  currentSupergraphSdl: string,
  proposedSupergraphSdl: string,
  consumers: readonly FieldConsumer[],
): Promise<CheckResult['breakingChanges']> {
  let current: GraphQLSchema;
  try {
    current = apiSchema(currentSupergraphSdl);
  } catch (error) {
    const message = `Không đọc được siêu đồ thị hiện hành (the current supergraph cannot be read): ${error instanceof Error ? error.message : String(error)}`;
    return { status: 'failed', issues: [{ code: 'INVALID_CURRENT_SUPERGRAPH', message, locations: [] }], warnings: [] };
  }
  // The proposed supergraph was just composed, so it builds; the current one came from outside.
  const changes = await diff(current, apiSchema(proposedSupergraphSdl));
  const issues = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => changeIssue(c, consumers));
  const warnings = changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous).map((c) => changeIssue(c, consumers));
  return { status: issues.length > 0 ? 'needsApproval' : 'passed', issues, warnings };
}

const SKIPPED = { status: 'skipped', issues: [] } as const;

/**
 * The most schema coordinates (types, fields, arguments, enum values, input fields) one subgraph
 * may declare. Composition's cost grows faster than the schema (about 10 s at 8,000 fields), and it
 * runs on the registry's thread: the bound keeps one check under about a second. The largest subgraph
 * here (access) declares about 200.
 */
export const MAX_SUBGRAPH_COORDINATES = 2000;

/** Counts the schema coordinates `document` declares (see MAX_SUBGRAPH_COORDINATES). */
function schemaCoordinates(document: DocumentNode): number {
  let count = 0;
  for (const definition of document.definitions) {
    count++;
    if ('fields' in definition) for (const field of definition.fields ?? []) count += 1 + ('arguments' in field ? (field.arguments?.length ?? 0) : 0);
    if ('values' in definition) count += definition.values?.length ?? 0;
    if ('arguments' in definition) count += definition.arguments?.length ?? 0;
  }
  return count;
}

function tooLarge(subgraph: string, size: number): CheckIssue {
  return {
    code: 'SUBGRAPH_TOO_LARGE',
    message:
      `Subgraph khai báo ${size} phần tử lược đồ; tối đa ${MAX_SUBGRAPH_COORDINATES}. ` +
      `(The subgraph declares ${size} types, fields, arguments and values; at most ${MAX_SUBGRAPH_COORDINATES} are checked: split it.)`,
    subgraph,
    locations: [],
  };
}

/** A proposal refused before composition (it does not parse, or is too large): nothing else runs. */
function refusedUpFront(subgraph: string, issue: CheckIssue): CheckResult {
  return {
    subgraph,
    outcome: 'failed',
    composition: { status: 'failed', issues: [issue] },
    lint: SKIPPED,
    breakingChanges: { ...SKIPPED, warnings: [] },
    categoryChanges: { status: 'skipped', loosened: [], tightened: [] },
  };
}

/**
 * The refusal of a proposal whose check could not complete (registry/check-worker.ts): it ran past
 * its time limit, or out of memory. Nothing was composed.
 */
export function abortedCheck(subgraph: string, code: string, reason: string): CheckResult {
  return refusedUpFront(subgraph, {
    code,
    message: `Không kiểm tra xong subgraph; hãy đơn giản hoá hoặc tách nó. (The check could not complete: ${reason}. Simplify or split the subgraph.)`,
    subgraph,
    locations: [],
  });
}

/**
 * Checks a proposed version of one subgraph, in the order of DESIGN.md §8: composition with the
 * other subgraphs, lint, breaking changes against the current supergraph's API schema, and sharing
 * category changes. Never throws on bad input: a parse error, a composition error, or a broken
 * current version comes back as an issue. Lint and category changes run on any proposal that
 * parses; breaking changes need composition to pass and a current supergraph.
 *
 * Composition and lint decide whether a proposal can be served at all; a failure there refuses it.
 * A breaking change or a category change can be served, but it changes what consumers rely on, so
 * governance decides it: the report names the consumers each one breaks, from `grantsOrUsage`.
 */
export async function checkSubgraph(input: CheckInput): Promise<CheckResult> {
  let own: DocumentNode;
  let proposed: DocumentNode;
  try {
    own = parse(new Source(input.sdl, input.subgraph));
  } catch (error) {
    return refusedUpFront(input.subgraph, failureIssue(input.subgraph, error));
  }
  const size = schemaCoordinates(own);
  if (size > MAX_SUBGRAPH_COORDINATES) return refusedUpFront(input.subgraph, tooLarge(input.subgraph, size));
  try {
    proposed = expandedSubgraphDocument(input.subgraph, input.sdl);
  } catch (error) {
    return refusedUpFront(input.subgraph, failureIssue(input.subgraph, error));
  }
  const composed = compose(input, proposed);
  // Composition allows what the province does not: one agency's subgraph taking over, answering for
  // or receiving another agency's fields. Refused as part of how the proposal composes.
  composed.issues.push(...fieldsOfOtherAgencies(input.subgraph, own, input.subgraphs));
  const lintIssues = lintSubgraph(input.subgraph, own);
  // What the gateway serves anonymously is composed from the same versions: a proposal that leaves
  // the graph composing but the open contract not would stop every agency's updates reaching it.
  if (composed.supergraphSdl !== undefined && composed.issues.length === 0 && lintIssues.length === 0) {
    composed.issues.push(...openContractIssues(input, composed.supergraphSdl));
  }
  const breaking =
    composed.supergraphSdl !== undefined && input.currentSupergraphSdl !== undefined
      ? await breakingChanges(input.currentSupergraphSdl, composed.supergraphSdl, input.grantsOrUsage ?? [])
      : { ...SKIPPED, warnings: [] };
  const changes = categoryChanges({
    subgraph: input.subgraph,
    proposed,
    currentSdl: input.subgraphs.find((s) => s.name === input.subgraph)?.sdl,
    currentSupergraphSdl: input.currentSupergraphSdl,
    consumers: input.grantsOrUsage ?? [],
  });
  const loosened = changes.filter((c) => c.code === 'CATEGORY_LOOSENED');
  const tightened = changes.filter((c) => c.code === 'CATEGORY_TIGHTENED');
  const failed = composed.issues.length > 0 || lintIssues.length > 0 || breaking.status === 'failed';
  const needsApproval = breaking.status === 'needsApproval' || changes.length > 0;
  return {
    subgraph: input.subgraph,
    outcome: failed ? 'failed' : needsApproval ? 'needsApproval' : 'ok',
    composition: { status: composed.issues.length > 0 ? 'failed' : 'passed', issues: composed.issues },
    lint: { status: lintIssues.length > 0 ? 'failed' : 'passed', issues: lintIssues },
    breakingChanges: breaking,
    categoryChanges: {
      status: changes.length > 0 ? 'needsApproval' : 'passed',
      loosened,
      tightened,
    },
    ...(composed.supergraphSdl !== undefined ? { supergraphSdl: composed.supergraphSdl } : {}),
  };
}

/** A change put to governance, as the check reports it. */
interface ApprovableChange {
  readonly code: string;
  readonly coordinate?: string | undefined;
  readonly message: string;
}

/** A category change, with the categories it goes between. */
interface ApprovableCategoryChange extends ApprovableChange {
  readonly from: string;
  readonly to: string;
}

/**
 * What a check puts to governance, one line per breaking or category change, saying the change
 * whole: `FIELD_REMOVED Type.field: <graphql-inspector's words>` (a type changed says from what to
 * what), `CATEGORY_TIGHTENED Type.field: DEFAULT → SPECIAL_REQUEST`. What an approval of that check
 * approves; sorted, without repeats.
 */
export function changesToApprove(result: {
  readonly breakingChanges: { readonly issues: readonly ApprovableChange[] };
  readonly categoryChanges: { readonly loosened: readonly ApprovableCategoryChange[]; readonly tightened: readonly ApprovableCategoryChange[] };
}): string[] {
  const { breakingChanges, categoryChanges: categories } = result;
  const line = (c: ApprovableChange, detail: string) => `${c.code} ${c.coordinate ?? '—'}: ${detail}`;
  return [
    ...new Set([
      ...breakingChanges.issues.map((c) => line(c, c.message)),
      ...[...categories.loosened, ...categories.tightened].map((c) => line(c, `${c.from} → ${c.to}`)),
    ]),
  ].sort();
}
