import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { diff, type Change } from '@graphql-inspector/core';
import { z } from 'zod';
import { listAgencies, SUBGRAPHS_DIR, type Agency } from '../../subgraphs/kit/agency';
import type { Database } from '../../subgraphs/kit/db';
import { GATEWAY_PROOF_HEADER, type Caller } from '../../subgraphs/kit/identity';
import { abortedCheck, changesToApprove, type CheckResult, type FieldConsumer } from '../check';
import { CheckAborted, CheckWorker } from './check-worker';
import { composeSupergraph, type SubgraphSource } from '../compose';
import { composeOpenContract } from '../contract';
import { categoryChanges } from '../categories';
import { expandedSubgraphDocument, prepareSubgraphSdl, SHARING_DIRECTIVE } from '../sharing';
import type { LedgerConsumers } from '../../subgraphs/access/client';
import { RegistryStore, type SupergraphRow, type VersionRow, type VersionStatus } from './store';
import { keptText } from '../../subgraphs/kit/text';

/** An official's identity, as the registry sees it (only officials call the registry). */
export type Official = Extract<Caller, { kind: 'official' }>;

/**
 * A refusal with an HTTP status and a stable code; the message is safe to show (Vietnamese, with
 * English in parentheses). `details` go into the error's extensions (e.g. the check result).
 */
export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A check result as the registry returns and stores it: without the composed supergraph's SDL. */
export type StoredCheckResult = Omit<CheckResult, 'supergraphSdl'>;

/** One version in a history, as the API shows it. */
export interface VersionView {
  readonly subgraph: string;
  readonly version: number;
  /** Where the subgraph runs: shown to the owning agency's officials and to governance, null to others. */
  readonly url: string | null;
  readonly status: VersionStatus;
  readonly publishedBy: string;
  readonly publisherAgency: string;
  readonly publishedAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionReason: string | null;
}

/** The current supergraph with its open contract, as the gateway reads it. */
export interface ServedGraph {
  readonly version: number;
  readonly sha256: string;
  readonly sdl: string;
  readonly openSdl: string;
}

/** The current supergraph, as the API shows it. */
export interface SupergraphView {
  readonly version: number;
  readonly sdl: string;
  readonly sha256: string;
  readonly createdAt: string;
  readonly cause: { readonly subgraph: string; readonly version: number } | null;
}

/** The outcome of a publish or an approval that was accepted. */
export interface PublishOutcome {
  readonly version: VersionView;
  readonly check: StoredCheckResult;
  /** The new current supergraph; absent when the version waits for approval. */
  readonly supergraph?: Omit<SupergraphView, 'sdl'>;
  /**
   * True when the subgraph's published version, or a version waiting for approval, already has this
   * SDL and URL: nothing is added, and `version` is that one (so a deployment that publishes on every
   * start makes no new supergraph, and no gateway swaps one in).
   */
  readonly unchanged?: true;
}

/** A version waiting for governance, with what its check put to governance. */
export interface PendingView extends VersionView {
  /** Each breaking or category change the check reported, said whole (changesToApprove), sorted. */
  readonly changes: readonly string[];
  /** The consumers the check named as broken by those changes, sorted. */
  readonly affectedConsumers: readonly string[];
  /** Where the check found them: the ledger as of when, or that it was not asked or did not answer. */
  readonly consumersNote: string | null;
}

/** One change between two versions, from graphql-inspector. */
export interface DiffChange {
  readonly type: string;
  readonly criticality: string;
  readonly message: string;
  readonly path: string | null;
}

const SUBGRAPH_NAME = /^[a-z][a-z0-9-]*$/;

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/**
 * Whether `caller` acts for `subgraph`: an official of its owning agency, or governance. Only they see
 * where it runs and whom its changes break.
 */
function actsFor(caller: Official, subgraph: string, owners: ReadonlyMap<string, string> = subgraphOwners()): boolean {
  return caller.roles.includes('governance') || owners.get(subgraph) === caller.agency;
}

/** Each subgraph's owning agency code, by subgraph name (read once per call that needs many). */
function subgraphOwners(): ReadonlyMap<string, string> {
  return new Map(listAgencies('all').map((agency) => [agency.subgraph, agency.agencyCode]));
}

/** A supergraph's `@join__graph(name: "…", url: "…")`, one per subgraph, each on a line of its own. */
const JOIN_GRAPH = /@join__graph\(name: "([a-z][a-z0-9-]*)", url: "[^"\n]*"\)/;

/**
 * `sdl` with the URL of every subgraph `caller` does not act for left empty. Fails closed: a
 * `@join__graph` line it cannot read has its URL left empty whatever its name.
 */
function withoutOthersUrls(sdl: string, caller: Official): string {
  if (caller.roles.includes('governance')) return sdl;
  const owners = subgraphOwners();
  return sdl
    .split('\n')
    .map((line) => {
      if (!line.includes('@join__graph(')) return line;
      const name = JOIN_GRAPH.exec(line)?.[1];
      return name !== undefined && actsFor(caller, name, owners) ? line : line.replace(/url: "[^\n]*"\)/, 'url: "")');
    })
    .join('\n');
}

/** A version as the API shows it; `showUrl` false leaves out where it runs (actsFor). */
function versionView(row: VersionRow, showUrl = true): VersionView {
  return {
    subgraph: row.subgraph,
    version: row.version,
    url: showUrl ? row.url : null,
    status: row.status,
    publishedBy: row.published_by,
    publisherAgency: row.publisher_agency,
    publishedAt: row.published_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at),
    decisionReason: row.decision_reason,
  };
}

function supergraphView(row: SupergraphRow): SupergraphView {
  const cause = row.subgraph !== null && row.subgraph_version !== null ? { subgraph: row.subgraph, version: row.subgraph_version } : null;
  return { version: row.version, sdl: row.sdl, sha256: row.sha256, createdAt: row.created_at.toISOString(), cause };
}

function summary(row: SupergraphRow): Omit<SupergraphView, 'sdl'> {
  const { sdl: _sdl, ...rest } = supergraphView(row);
  return rest;
}

/** The part of a stored check that says what it put to governance (the check's own shape, read back from JSON). */
const storedChange = z.object({ code: z.string(), coordinate: z.string().optional(), message: z.string(), affectedConsumers: z.array(z.string()).optional() });
const storedCategoryChange = storedChange.extend({ from: z.string(), to: z.string() });
const storedChanges = z.object({
  breakingChanges: z.object({ issues: z.array(storedChange) }),
  categoryChanges: z.object({ loosened: z.array(storedCategoryChange), tightened: z.array(storedCategoryChange) }),
  consumersNote: z.string().optional(),
});

function stored(result: CheckResult): StoredCheckResult {
  const { supergraphSdl: _sdl, ...rest } = result;
  return rest;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sources(rows: readonly VersionRow[]): SubgraphSource[] {
  return rows.map((row) => ({ name: row.subgraph, url: row.url, sdl: row.sdl }));
}

/**
 * The agency owning `subgraph` (its subgraphs/<name>/agency.json, in the default composition or
 * not); refuses an unknown name with 400.
 */
export function owningAgency(subgraph: string): Agency {
  const agency = SUBGRAPH_NAME.test(subgraph) ? listAgencies('all').find((a) => a.subgraph === subgraph) : undefined;
  if (!agency) {
    throw new RegistryError(
      400,
      'UNKNOWN_SUBGRAPH',
      `Không có subgraph "${subgraph}"; cơ quan mới cần thêm subgraphs/<tên>/agency.json trước (unknown subgraph: a new agency first adds subgraphs/<name>/agency.json).`,
    );
  }
  return agency;
}

const serviceAnswer = z.object({ data: z.object({ _service: z.object({ sdl: z.string() }) }) });
const unauthenticatedAnswer = z.object({
  errors: z.array(z.object({ extensions: z.object({ code: z.literal('UNAUTHENTICATED'), subgraph: z.string().optional() }) })).min(1),
});

/** How a URL answered the registry's probe: not as a subgraph, or as one, naming itself when it did. */
export type ProbeAnswer = { readonly answers: false } | { readonly answers: true; readonly subgraph: string | null };

/**
 * Whether `url` answers as a subgraph: `{ _service { sdl } }` gets a 200 with that data, or a 401
 * with code UNAUTHENTICATED (a lienthong subgraph answers only the gateway, which proves itself), in
 * which a lienthong subgraph names itself. Connection refused, a timeout, a redirect or any other
 * answer does not.
 */
export async function answersAsSubgraph(url: string, timeoutMs: number): Promise<ProbeAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      // A gateway's proof header, with no proof in it: a subgraph refuses it as it refuses no proof
      // (401), while a gateway refuses it as a loop (400), so a gateway's URL is not taken for a subgraph's.
      headers: { 'content-type': 'application/json', accept: 'application/json', [GATEWAY_PROOF_HEADER]: 'registry-probe' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: unknown = JSON.parse(await response.text());
    if (response.status === 200) return serviceAnswer.safeParse(body).success ? { answers: true, subgraph: null } : { answers: false };
    if (response.status !== 401) return { answers: false };
    const refused = unauthenticatedAnswer.safeParse(body);
    return refused.success ? { answers: true, subgraph: refused.data.errors[0]?.extensions.subgraph ?? null } : { answers: false };
  } catch {
    return { answers: false };
  }
}

function requireGovernance(caller: Official): void {
  if (!caller.roles.includes('governance')) {
    throw new RegistryError(403, 'GOVERNANCE_ONLY', 'Chỉ cơ quan quản lý mới được phê duyệt hoặc từ chối (only governance may approve or reject).');
  }
}

export interface RegistryServiceOptions {
  readonly db: Database;
  /** How long a publish waits for the subgraph's URL to answer; default 3000 ms. */
  readonly probeTimeoutMs?: number;
  /** How long a check may run before it is stopped and refused; default CHECK_TIME_LIMIT_MS. */
  readonly checkTimeLimitMs?: number;
  /**
   * Asks the access ledger for the grant holders and the recent readers of each field
   * (`fetchFieldConsumers`), so that a check names whom a breaking change or a tightening breaks
   * without being told. Without it, only the consumers a caller gives are named.
   */
  readonly ledgerConsumers?: () => Promise<LedgerConsumers>;
}

/** The consumers a check names, and where they came from, said in the report (CheckResult.consumersNote). */
interface KnownConsumers {
  readonly consumers: readonly FieldConsumer[];
  readonly note: string;
}

/** A check asked for by an official who does not act for the subgraph: whom it breaks is not theirs to read. */
const NOT_NAMED_TO_OTHERS: KnownConsumers = {
  consumers: [],
  note: 'Bên dùng chỉ được nêu cho cơ quan chủ quản và cơ quan quản lý. (Consumers are named to the owning agency and governance only.)',
};

/**
 * The schema registry (DESIGN.md §8): checks proposals against the current published versions,
 * publishes (an agency only its own subgraph), keeps breaking and category changes waiting for
 * governance, and stores every supergraph it composes. Publishes and approvals are serialised (an
 * advisory lock), so each is checked against the versions it replaces.
 */
export class RegistryService {
  private readonly store: RegistryStore;
  private readonly probeTimeoutMs: number;
  /** Checks run off this thread (composition can take a second or more). */
  private readonly checks: CheckWorker;
  private readonly readLedgerConsumers: (() => Promise<LedgerConsumers>) | undefined;
  /** The open contract of the last supergraph served, by its sha256. */
  private contract: { sha256: string; openSdl: string } | undefined;

  constructor(options: RegistryServiceOptions) {
    this.store = new RegistryStore(options.db);
    this.probeTimeoutMs = options.probeTimeoutMs ?? 3000;
    this.checks = new CheckWorker(options.checkTimeLimitMs);
    this.readLedgerConsumers = options.ledgerConsumers;
  }

  /**
   * `given` with whom the ledger says a change could break, and a line for the report saying where
   * they came from: the ledger as of when, or that it was not asked or did not answer. Asked before
   * any transaction: a slow ledger must not hold the registry's lock.
   */
  private async consumersFromLedger(given: readonly FieldConsumer[]): Promise<KnownConsumers> {
    if (!this.readLedgerConsumers) {
      return { consumers: given, note: 'Không hỏi sổ cái quyền khai thác: chỉ nêu bên dùng được khai báo. (The access ledger was not asked: only the consumers given are named.)' };
    }
    try {
      const known = await this.readLedgerConsumers();
      const day = (iso: string) => iso.slice(0, 10);
      return {
        consumers: [...given, ...known.grantHolders, ...known.readers],
        note:
          `Bên dùng theo sổ cái lúc ${known.asOf}: bên có quyền khai thác, và bên đã đọc trường từ ${day(known.readersSince)}. ` +
          `(Consumers from the access ledger as of ${known.asOf}: grant holders, and agencies that read the fields since ${day(known.readersSince)}.)`,
      };
    } catch {
      return {
        consumers: given,
        note: 'Sổ cái quyền khai thác không trả lời: báo cáo không nêu được bên dùng. (The access ledger did not answer: consumers are not named.)',
      };
    }
  }

  /** Stops the worker that runs checks. */
  async close(): Promise<void> {
    await this.checks.close();
  }

  /**
   * The check of `sdl` for `subgraph` against the current versions (against nothing before the first
   * publish). Whom a change breaks is the ledger's to say to the owning agency and governance only:
   * another agency's official gets the check without consumers named.
   */
  async check(caller: Official, input: { subgraph: string; sdl: string; consumers?: readonly FieldConsumer[] | undefined }): Promise<StoredCheckResult> {
    owningAgency(input.subgraph);
    const known = actsFor(caller, input.subgraph) ? await this.consumersFromLedger(input.consumers ?? []) : NOT_NAMED_TO_OTHERS;
    const [published, current] = await Promise.all([this.store.publishedVersions(), this.store.currentSupergraph()]);
    return stored(await this.runCheck(input.subgraph, input.sdl, undefined, published, current, known));
  }

  private async runCheck(
    subgraph: string,
    sdl: string,
    url: string | undefined,
    published: readonly VersionRow[],
    current: SupergraphRow | null,
    known: KnownConsumers,
  ): Promise<CheckResult> {
    try {
      const result = await this.checks.check({
        subgraph,
        sdl,
        ...(url !== undefined ? { url } : {}),
        subgraphs: sources(published),
        ...(current ? { currentSupergraphSdl: current.sdl } : {}),
        grantsOrUsage: known.consumers,
      });
      return { ...result, consumersNote: known.note };
    } catch (error) {
      if (error instanceof CheckAborted) return abortedCheck(subgraph, error.code, error.message);
      throw error;
    }
  }

  /**
   * Publishes a version of `subgraph`. Refuses an unknown subgraph (400 UNKNOWN_SUBGRAPH), a
   * publisher of another agency (403 FORBIDDEN_AGENCY), a URL that does not answer as a subgraph
   * (400 SUBGRAPH_UNREACHABLE) or names itself another subgraph (400 SUBGRAPH_MISMATCH), and a failed check (422 CHECK_FAILED, nothing stored). A check that
   * needs approval is stored PENDING_APPROVAL and the supergraph stays; an ok one is stored
   * PUBLISHED with its newly composed supergraph, made current.
   */
  async publish(caller: Official, input: { subgraph: string; sdl: string; url: string; consumers?: readonly FieldConsumer[] | undefined }): Promise<PublishOutcome> {
    const agency = owningAgency(input.subgraph);
    if (caller.agency !== agency.agencyCode) {
      throw new RegistryError(
        403,
        'FORBIDDEN_AGENCY',
        `Cơ quan "${caller.agency}" không được công bố subgraph "${input.subgraph}" của "${agency.agencyCode}" (an agency may publish only its own subgraph).`,
      );
    }
    const [probe, known] = await Promise.all([answersAsSubgraph(input.url, this.probeTimeoutMs), this.consumersFromLedger(input.consumers ?? [])]);
    if (!probe.answers) {
      throw new RegistryError(
        400,
        'SUBGRAPH_UNREACHABLE',
        `Địa chỉ ${input.url} không trả lời như một subgraph (the URL does not answer { _service { sdl } } as a subgraph).`,
      );
    }
    // Another subgraph's URL would take the gateway's calls for this one, each refused there (a
    // proof names the subgraph it is for), while every check passed.
    if (probe.subgraph !== null && probe.subgraph !== input.subgraph) {
      throw new RegistryError(
        400,
        'SUBGRAPH_MISMATCH',
        // Which one is not said: the registry is no directory of what runs at a URL.
        `Địa chỉ ${input.url} là của một subgraph khác, không phải "${input.subgraph}" (the URL serves another subgraph, not ${input.subgraph}).`,
      );
    }
    return this.store.inTransaction(async (client) => {
      const [published, current] = await Promise.all([this.store.publishedVersions(client), this.store.currentSupergraph(client)]);
      const result = await this.runCheck(input.subgraph, input.sdl, input.url, published, current, known);
      // The same SDL and URL as the published version adds nothing; the check still runs first, so that
      // "unchanged" also means it still passes today's rules (a failure is reported as for any publish).
      const same = published.find((v) => v.subgraph === input.subgraph && v.sdl === input.sdl && v.url === input.url);
      if (same && current && result.outcome === 'ok') {
        return { version: versionView(same), check: stored(result), supergraph: summary(current), unchanged: true };
      }
      // …and the same SDL and URL as a version still waiting for governance, with the same changes to
      // approve, adds no second one. Changes that differ now (versions published since) make a new
      // version, so that governance is shown them: the old one could only be refused 409.
      if (result.outcome === 'needsApproval') {
        const now = changesToApprove(result).join('\n');
        const waiting = (await this.store.history(input.subgraph, client)).find((v) => {
          if (v.status !== 'PENDING_APPROVAL' || v.sdl !== input.sdl || v.url !== input.url) return false;
          const shown = storedChanges.safeParse(v.check_result);
          return shown.success && changesToApprove(shown.data).join('\n') === now;
        });
        if (waiting) return { version: versionView(waiting), check: stored(result), unchanged: true };
      }
      if (result.outcome === 'failed' || result.supergraphSdl === undefined) {
        throw new RegistryError(422, 'CHECK_FAILED', 'Kiểm tra không đạt: chưa công bố (the check failed: nothing was published).', {
          result: stored(result),
        });
      }
      const entry = {
        subgraph: input.subgraph,
        sdl: input.sdl,
        url: input.url,
        publishedBy: caller.officialId,
        publisherAgency: caller.agency,
        checkResult: stored(result),
      };
      if (result.outcome === 'needsApproval') {
        const row = await this.store.insertVersion(client, { ...entry, status: 'PENDING_APPROVAL' });
        return { version: versionView(row), check: stored(result) };
      }
      const row = await this.store.insertVersion(client, { ...entry, status: 'PUBLISHED' });
      const supergraph = await this.store.insertSupergraph(client, {
        sdl: result.supergraphSdl,
        sha256: sha256(result.supergraphSdl),
        cause: { subgraph: row.subgraph, version: row.version },
      });
      return { version: versionView(row), check: stored(result), supergraph: summary(supergraph) };
    });
  }

  private async pendingVersion(subgraph: string, version: number, client: pg.PoolClient): Promise<VersionRow> {
    const row = await this.store.version(subgraph, version, client);
    if (!row) throw new RegistryError(404, 'VERSION_NOT_FOUND', `Không có phiên bản ${version} của "${subgraph}" (no such version).`);
    if (row.status !== 'PENDING_APPROVAL') {
      throw new RegistryError(409, 'NOT_PENDING', `Phiên bản ${version} của "${subgraph}" không chờ phê duyệt mà là ${row.status} (the version is not pending approval).`);
    }
    return row;
  }

  /**
   * Governance approves a pending version: the check is run again against the now-current
   * versions; if it still composes, nothing fails, and it puts to governance nothing that the check
   * made when the version was proposed did not (a version published meanwhile can make an old
   * proposal remove what it added), the version is published with its new supergraph. Otherwise
   * 422 CHECK_FAILED, or 409 CHANGED_SINCE_PROPOSED naming what is new, and the version stays
   * pending; the agency publishes again from the current version.
   */
  async approve(caller: Official, input: { subgraph: string; version: number }): Promise<PublishOutcome> {
    requireGovernance(caller);
    owningAgency(input.subgraph);
    const known = await this.consumersFromLedger([]);
    return this.store.inTransaction(async (client) => {
      const row = await this.pendingVersion(input.subgraph, input.version, client);
      const [published, current] = await Promise.all([this.store.publishedVersions(client), this.store.currentSupergraph(client)]);
      const result = await this.runCheck(row.subgraph, row.sdl, row.url, published, current, known);
      if (result.outcome === 'failed' || result.supergraphSdl === undefined) {
        throw new RegistryError(422, 'CHECK_FAILED', 'Kiểm tra lại không đạt với các phiên bản hiện hành: chưa công bố (the re-check against the current versions failed).', {
          result: stored(result),
        });
      }
      const proposed = storedChanges.safeParse(row.check_result);
      const seen = new Set(proposed.success ? changesToApprove(proposed.data) : []);
      const unseen = changesToApprove(result).filter((change) => !seen.has(change));
      if (unseen.length > 0) {
        throw new RegistryError(
          409,
          'CHANGED_SINCE_PROPOSED',
          `Công bố bây giờ, phiên bản ${row.version} còn thay đổi thêm những điều chưa được trình duyệt khi đề xuất; ` +
            `cơ quan chủ quản hãy công bố lại trên phiên bản hiện hành. (Published now, version ${row.version} would also make changes ` +
            `that were not put to governance when it was proposed; the owning agency should publish again from the current version.) ` +
            `Thay đổi (changes): ${unseen.join('; ')}.`,
          { result: stored(result), unseen },
        );
      }
      // The version keeps the check governance was shown when it was proposed (what it approved).
      const decided = await this.store.decide(client, { subgraph: row.subgraph, version: row.version, status: 'PUBLISHED', by: caller.officialId, reason: null });
      if (!decided) throw new Error('pending version vanished under the registry lock');
      const supergraph = await this.store.insertSupergraph(client, {
        sdl: result.supergraphSdl,
        sha256: sha256(result.supergraphSdl),
        cause: { subgraph: row.subgraph, version: row.version },
      });
      return { version: versionView(decided), check: stored(result), supergraph: summary(supergraph) };
    });
  }

  /** Governance rejects a pending version, with a reason (required, not blank: 400 REASON_REQUIRED). */
  async reject(caller: Official, input: { subgraph: string; version: number; reason: string }): Promise<VersionView> {
    requireGovernance(caller);
    owningAgency(input.subgraph);
    const reason = keptText(input.reason);
    if (reason === '') throw new RegistryError(400, 'REASON_REQUIRED', 'Từ chối phải nêu lý do (a rejection needs a reason).');
    return this.store.inTransaction(async (client) => {
      await this.pendingVersion(input.subgraph, input.version, client);
      const decided = await this.store.decide(client, { ...input, status: 'REJECTED', by: caller.officialId, reason });
      if (!decided) throw new Error('pending version vanished under the registry lock');
      return versionView(decided);
    });
  }

  /**
   * The versions waiting for governance, oldest first, each with what its check put to governance,
   * the consumers that check named as broken and where it found them: every subgraph's for
   * governance, an agency's own for its officials.
   */
  async pending(caller: Official): Promise<PendingView[]> {
    const owners = subgraphOwners();
    const waiting = (await this.store.pendingVersions()).filter((row) => actsFor(caller, row.subgraph, owners));
    return waiting.map((row) => {
      const check = storedChanges.safeParse(row.check_result);
      const issues = check.success ? [...check.data.breakingChanges.issues, ...check.data.categoryChanges.tightened] : [];
      return {
        ...versionView(row),
        changes: check.success ? changesToApprove(check.data) : [],
        affectedConsumers: [...new Set(issues.flatMap((issue) => issue.affectedConsumers ?? []))].sort(),
        consumersNote: (check.success ? check.data.consumersNote : undefined) ?? null,
      };
    });
  }

  /** Every version of `subgraph`, newest first. */
  async history(caller: Official, subgraph: string): Promise<VersionView[]> {
    owningAgency(subgraph);
    const showUrl = actsFor(caller, subgraph);
    return (await this.store.history(subgraph)).map((row) => versionView(row, showUrl));
  }

  /**
   * The changes from version `from` to version `to` of `subgraph`: graphql-inspector's diff of the
   * two subgraph schemas (each built with the shared definitions, as composition sees it).
   */
  async diff(subgraph: string, from: number, to: number): Promise<DiffChange[]> {
    owningAgency(subgraph);
    const [a, b] = await Promise.all([this.store.version(subgraph, from), this.store.version(subgraph, to)]);
    for (const [row, n] of [[a, from], [b, to]] as const) {
      if (!row) throw new RegistryError(404, 'VERSION_NOT_FOUND', `Không có phiên bản ${n} của "${subgraph}" (no such version).`);
    }
    const [older, newer] = [a as VersionRow, b as VersionRow];
    const build = (row: VersionRow) => buildSubgraphSchema([{ typeDefs: prepareSubgraphSdl(subgraph, row.sdl) }]);
    const changes: Change[] = await diff(build(older), build(newer));
    // graphql-inspector sees a new category as @sharing's argument removed and another added, with
    // neither value: each field whose category changed is said instead, from → to, as the check says it.
    const categories = categoryChanges({ subgraph, proposed: expandedSubgraphDocument(subgraph, newer.sdl), currentSdl: older.sdl, currentSupergraphSdl: undefined, consumers: [] });
    return [
      ...changes
        .filter((c) => !('directiveName' in c.meta && c.meta['directiveName'] === SHARING_DIRECTIVE))
        .map((c) => ({ type: c.type, criticality: c.criticality.level, message: c.message, path: c.path ?? null })),
      ...categories.map((c) => ({
        type: c.code,
        criticality: c.code === 'CATEGORY_TIGHTENED' ? 'BREAKING' : 'DANGEROUS',
        // Said of two versions as they are, not as a proposal's check says it (no "needs approval").
        message: `${c.coordinate}: ${c.from} → ${c.to} (${c.code === 'CATEGORY_TIGHTENED' ? 'thắt chặt, tightened' : 'nới lỏng, loosened'})`,
        path: c.coordinate,
      })),
    ];
  }

  /**
   * What the gateway serves: the current supergraph and its OPEN-only contract, composed from the
   * same published subgraph versions (the contract is composed once per supergraph version). 404
   * NO_SUPERGRAPH before the first publish.
   */
  async served(): Promise<ServedGraph> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.currentSupergraph();
      if (this.contract?.sha256 === current.sha256) return { version: current.version, sha256: current.sha256, sdl: current.sdl, openSdl: this.contract.openSdl };
      const sources = (await this.store.publishedVersions()).map((v) => ({ name: v.subgraph, url: v.url, sdl: v.sdl }));
      const full = composeSupergraph(sources);
      // A publish between the two reads: read again, so the contract always matches the supergraph.
      if (!full.ok || sha256(full.supergraphSdl) !== current.sha256) continue;
      const open = composeOpenContract(sources);
      if (!open.ok) throw new Error(`the open contract does not compose: ${open.errors.join('; ')}`);
      this.contract = { sha256: current.sha256, openSdl: open.supergraphSdl };
      return { version: current.version, sha256: current.sha256, sdl: current.sdl, openSdl: open.supergraphSdl };
    }
    throw new RegistryError(503, 'REGISTRY_BUSY', 'Sổ đăng ký đang cập nhật; hãy thử lại (the registry is being updated; retry).');
  }

  /** The current supergraph whole, as the gateway serves it; 404 NO_SUPERGRAPH before the first publish. */
  private async currentSupergraph(): Promise<SupergraphView> {
    const row = await this.store.currentSupergraph();
    if (!row) throw new RegistryError(404, 'NO_SUPERGRAPH', 'Chưa có siêu đồ thị nào được công bố (no supergraph has been published yet).');
    return supergraphView(row);
  }

  /** The current supergraph, each routing URL the caller may not see (actsFor) left empty; 404 NO_SUPERGRAPH before the first publish. */
  async supergraph(caller: Official): Promise<SupergraphView> {
    const view = await this.currentSupergraph();
    return { ...view, sdl: withoutOthersUrls(view.sdl, caller) };
  }

  /**
   * Seeds an empty registry: every subgraph in `urls` (its subgraphs/<name>/schema.graphql, or the
   * SDL given) becomes version 1, PUBLISHED by 'seed', and their composition supergraph version 1.
   * Does nothing and returns false when any version is stored already. Throws when they do not compose.
   */
  async seed(urls: Readonly<Record<string, string>>, sdls: Readonly<Record<string, string>> = {}): Promise<boolean> {
    const entries = Object.entries(urls).map(([subgraph, url]) => {
      const agency = owningAgency(subgraph);
      const sdl = sdls[subgraph] ?? readFileSync(join(SUBGRAPHS_DIR, subgraph, 'schema.graphql'), 'utf8');
      return { subgraph, url, sdl, agency: agency.agencyCode };
    });
    const composed = composeSupergraph(entries.map((e) => ({ name: e.subgraph, url: e.url, sdl: e.sdl })));
    if (!composed.ok) throw new Error(`Seed subgraphs do not compose: ${composed.errors.join('; ')}`);
    return this.store.inTransaction(async (client) => {
      if ((await this.store.versionCount(client)) > 0) return false;
      for (const e of entries) {
        await this.store.insertVersion(client, {
          subgraph: e.subgraph,
          sdl: e.sdl,
          url: e.url,
          publishedBy: 'seed',
          publisherAgency: e.agency,
          status: 'PUBLISHED',
          checkResult: null,
        });
      }
      await this.store.insertSupergraph(client, { sdl: composed.supergraphSdl, sha256: sha256(composed.supergraphSdl), cause: null });
      return true;
    });
  }
}

/**
 * Seeds the registry on `db` with the local subgraphs at the given URLs, when it is empty (see
 * RegistryService.seed). The mesh calls it at start. Returns true when it seeded.
 */
export async function seedRegistry(db: Database, urls: Readonly<Record<string, string>>): Promise<boolean> {
  return new RegistryService({ db }).seed(urls);
}
