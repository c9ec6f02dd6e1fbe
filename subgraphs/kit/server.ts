import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApolloServer, type ApolloServerPlugin, type BaseContext, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import pino, { type Logger } from 'pino';
import { prepareSubgraphSdl } from '../../schema/sharing';
import { readAgency, type Agency } from './agency';
import { Database, RequestTransaction, type Queries } from './db';
import { CLIENT_ERROR_CODES, ErrorCode } from './errors';
import { close, createHttpServer, graphqlHandler, listen, sendJson, type Handler, type Routes } from './http';
import Negotiator from 'negotiator';
import {
  ANONYMOUS,
  askedOf,
  AuthenticationError,
  bearerToken,
  GATEWAY_PROOF_HEADER,
  PROOF_ALREADY_USED,
  PROOF_FOR_ANOTHER_OPERATION,
  provesAsked,
  SpentProofs,
  unauthenticatedMessage,
  verifyGatewayProof,
  type Caller,
  type GatewayProof,
} from './identity';
import { sharedScalars } from './scalars';
import { decideBeforeExecution, FEDERATION_PLUMBING, operationCoordinates, withSharingRules, type Decision, type SubjectOf } from './authorisation';
import { DisclosureRecorder, recordDisclosures } from './disclosure';
import { decodePurpose } from './text';
import { answerWithRecord } from './disclosure-answer';
import { OutboxRelay, type DisclosureSink } from './outbox';
import { disclosureLogRoute } from './log-route';
import { schemaFieldPolicies, type FieldPolicy } from '../../schema/sharing';
import { BoundedCache } from './cache';
import { NO_GRANTS, type GrantView } from './grants';

/** What every subgraph's per-request context holds. Subgraphs extend it with their loaders. */
export interface SubgraphContext {
  readonly requestId: string;
  /**
   * The agency's database as this request sees it. In a provider that keeps a disclosure log, every
   * statement runs in the request's transaction, the one its disclosure record commits in.
   */
  readonly db: Queries;
  /** Who is asking: verified here again from the forwarded token, never taken on trust. */
  readonly caller: Caller;
  /** The declared purpose of the request (mục đích), from the `x-purpose` header; null when absent. */
  readonly purpose: string | null;
  /** The language of refusal messages, from Accept-Language. */
  readonly lang: 'vi' | 'en';
  /** The provider's local view of grants and consents (see kit/grants.ts). */
  readonly grants: GrantView;
  /** The sharing rules' per-request memo; fresh for every request. */
  readonly decisions: Map<string, Decision>;
  /** What this request disclosed, for the provider's log (absent where the subgraph keeps none). */
  readonly disclosure?: DisclosureRecorder;
}

/** How a subgraph tells the gateway's calls and its callers' identities from forgeries. */
export interface SubgraphTrust {
  readonly verifyToken: (token: string) => Promise<Caller>;
  /** This subgraph's own secret shared with the gateway (see gatewayProofSecret). */
  readonly proofSecret: Uint8Array;
  /**
   * Service-to-service secrets derived from the gateway's master secret for one named purpose
   * (`gatewayProofSecret(master, purpose)`), e.g. 'ledger-reader:<agencyCode>' for the access
   * ledger's /internal/grants. Absent when the master secret is not held: such routes refuse.
   */
  readonly serviceSecret?: (purpose: string) => Uint8Array;
}

/** The parts an agency writes; the kit does the rest. */
export interface SubgraphDefinition<Context extends SubgraphContext> {
  /** The folder name under subgraphs/, e.g. "citizens". */
  readonly name: string;
  /** The subgraph's folder (its `__dirname`), holding schema.graphql, agency.json and migrations/. */
  readonly dir: string;
  /** The codegen-typed resolver map (`Resolvers` from the subgraph's __generated__ types). */
  readonly resolvers: object;
  /** Builds a fresh context, with fresh DataLoaders, for one request. */
  readonly createContext: (base: SubgraphContext) => Context;
  /** Fills an empty database with deterministic synthetic data at `scale`; a no-op when not empty. */
  readonly seed?: (db: Database, scale: number) => Promise<void>;
  /**
   * For each type holding personal data, how to read the data subject (a personal id) of a row, so
   * that citizens see their own records and consents apply. Types absent here have no subject.
   */
  readonly subjects?: Readonly<Record<string, SubjectOf>>;
  /**
   * false: no grant or consent opens this subgraph's SPECIAL_REQUEST fields (the access ledger's own);
   * other agencies' officials are refused them as SUBJECT_ONLY (Owner.grantable).
   */
  readonly grantable?: false;
  /** Extra HTTP routes (e.g. a service endpoint), given the agency database, the trust settings and the subgraph's logger. */
  readonly routes?: (db: Database, trust: SubgraphTrust, logger: Logger) => Routes;
  /**
   * False for a subgraph that provides no agency data and so keeps no disclosure log (the access
   * ledger, which is itself the record of requests and grants). Every provider keeps one.
   */
  readonly disclosureLog?: false;
  /**
   * For a subgraph whose rules depend on the composed graph (the access ledger's field catalogue):
   * keeps to the supergraphs `feed` reads (the schema registry's current one) until the returned
   * stop(). Called where a registry is configured; without one, the committed supergraph is used.
   */
  readonly followSupergraph?: (feed: SupergraphFeed, logger: Logger) => Promise<{ stop(): void }>;
}

/**
 * Reads the supergraph being served now: null while there is none; throws when it cannot be read.
 * The id changes with the supergraph's content.
 */
export type SupergraphFeed = () => Promise<{ readonly id: string; readonly supergraphSdl: string } | null>;

/** Reads `schema.graphql` from the subgraph folder, with the shared definitions and defaults expanded. */
export function loadSubgraphDocument(name: string, dir: string) {
  return prepareSubgraphSdl(name, readFileSync(join(dir, 'schema.graphql'), 'utf8'));
}

/** Builds the executable subgraph schema. Throws (naming the fields) if a field has no category. */
export function buildSchema<Context extends SubgraphContext>(definition: SubgraphDefinition<Context>): GraphQLSchema {
  const typeDefs = loadSubgraphDocument(definition.name, definition.dir);
  // The generated resolver types are checked against the schema by codegen; here they only need
  // to be handed to Apollo, whose map type is looser.
  const resolvers = { ...sharedScalars, ...definition.resolvers } as GraphQLResolverMap<unknown>;
  return buildSubgraphSchema([{ typeDefs, resolvers }]);
}


/**
 * Keeps errors that carry one of our stable codes; replaces anything else (a bug, a driver error
 * with SQL in it) by a generic internal error, after logging it.
 */
export function maskError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A shared scalar refusing a literal surfaces as a validation error; the caller's mistake is the
    // malformed value, so it keeps the scalar's BAD_USER_INPUT code and hints.
    const cause = error instanceof GraphQLError ? error.originalError : undefined;
    if (cause instanceof GraphQLError && cause.extensions['code'] === ErrorCode.BAD_USER_INPUT) {
      return { ...formatted, extensions: { ...cause.extensions } };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error }, 'internal error');
    return {
      message: 'Lỗi nội bộ. (Internal server error.)',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

export interface RunningSubgraph {
  readonly name: string;
  readonly agency: Agency;
  readonly url: string;
  readonly db: Database;
  readonly server: Server;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly db: Database;
  readonly port: number;
  readonly host?: string;
  readonly logger?: Logger;
  /** Benchmarks only: milliseconds each GraphQL request waits before it is handled (SUBGRAPH_DELAY_MS). */
  readonly delayMs?: number;
  readonly trust: SubgraphTrust;
  /** Grants and consents from the access ledger; without one, no grant-based access is given. */
  readonly grants?: GrantView;
  /**
   * Benchmarks only (`bench/authorisation-cost.ts`, to measure what the rules cost): false serves
   * the schema without the sharing rules; 'per-field' runs every field through the rules even when
   * the whole operation could be decided up front. No configuration or environment variable reaches it.
   */
  readonly sharingRulesForBenchmarkOnly?: false | 'per-field';
  /** Benchmarks only: false serves without writing the disclosure log, to measure what it costs. */
  readonly disclosureLogForBenchmarkOnly?: false;
  /** Where the disclosure outbox is delivered (the access ledger); without one, records wait in the outbox. */
  readonly disclosureSink?: DisclosureSink;
}

/** True when every field of `touched` (federation plumbing aside) is OPEN: the answer is the same for anyone. */
function onlyOpen(touched: readonly string[] | null, policies: ReadonlyMap<string, FieldPolicy>): boolean {
  if (touched === null) return false;
  let data = false;
  for (const coordinate of touched) {
    if (FEDERATION_PLUMBING.has(coordinate)) continue;
    if (policies.get(coordinate)?.category !== 'OPEN') return false;
    data = true;
  }
  return data;
}

/**
 * Tells HTTP caches, the gateway's among them, what they may keep: `public, max-age=N` (the agency's
 * `openDataMaxAgeSeconds`) on an answer without errors to an operation that touches only OPEN
 * fields, and `no-store` on every other answer.
 */
function openDataCacheHint(maxAgeSeconds: number, openOnly: (query: string) => boolean): ApolloServerPlugin {
  const shared = `public, max-age=${maxAgeSeconds}`;
  // One listener for every request: it keeps nothing between the calls.
  const listener = {
    async willSendResponse({ request, response }: GraphQLRequestContextWillSendResponse<BaseContext>) {
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      const keep = maxAgeSeconds > 0 && result !== undefined && !result.errors?.length && typeof request.query === 'string' && openOnly(request.query);
      response.http.headers.set('cache-control', keep ? shared : 'no-store');
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

/** Where a provider serves its own disclosure log (through the gateway's route of the same path). */
export const DISCLOSURE_LOG_PATH = '/disclosure-log';

/** A request whose caller the kit has verified, with its per-request state. */
export interface Verified {
  readonly caller: Caller;
  readonly requestId: string;
  readonly decisions: Map<string, Decision>;
  readonly disclosure?: DisclosureRecorder;
  /** Where a provider's request reads and writes its disclosure record (see RequestTransaction). */
  readonly transaction?: RequestTransaction;
}

function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && /^[\w-]{8,64}$/.test(header) ? header : randomUUID();
}

/** The caller's purpose (the `x-purpose` header, see decodePurpose); null when absent or unreadable. */
export function purposeOf(req: IncomingMessage): string | null {
  const header = req.headers['x-purpose'];
  return decodePurpose(typeof header === 'string' ? header : null);
}

/** 'en' when the caller's Accept-Language prefers English to Vietnamese (quality values weighed), else 'vi'. */
export function languageOf(req: IncomingMessage): 'vi' | 'en' {
  return new Negotiator(req).language(['vi', 'en']) === 'en' ? 'en' : 'vi';
}

/**
 * A 401 with a stable code; the reason names the failed check, never a key or a host. A subgraph
 * refusing a call without the gateway's proof also names itself (`subgraph`), so that the registry
 * can tell, before publishing a subgraph at a URL, that the URL serves that subgraph.
 */
export function sendUnauthenticated(res: ServerResponse, reason: string, subgraph?: string): void {
  const extensions = { code: 'UNAUTHENTICATED', reason, ...(subgraph ? { subgraph } : {}) };
  sendJson(res, 401, { errors: [{ message: unauthenticatedMessage(reason), extensions }] }, {
    'www-authenticate': 'Bearer',
  });
}

/**
 * Builds and starts one agency subgraph: GraphQL at /graphql, liveness at /health/live, readiness
 * (database reachable) at /health/ready. Resolves once listening.
 */
export async function startSubgraph<Context extends SubgraphContext>(
  definition: SubgraphDefinition<Context>,
  options: StartOptions,
): Promise<RunningSubgraph> {
  const agency = readAgency(definition.name);
  const logger = options.logger ?? pino({ name: definition.name });
  const owner = { agencyCode: agency.agencyCode, agencyName: agency.name, subgraph: definition.name, grantable: definition.grantable !== false };
  const built = buildSchema(definition);
  const policies = schemaFieldPolicies(built);
  const logged = definition.disclosureLog !== false && options.disclosureLogForBenchmarkOnly !== false;
  const unprotected = logged ? recordDisclosures(built, policies, definition.subjects ?? {}) : built;
  const rulesOn = options.sharingRulesForBenchmarkOnly !== false;
  const protectedSchema = rulesOn ? withSharingRules(unprotected, owner, definition.subjects ?? {}) : unprotected;
  const grants = options.grants ?? NO_GRANTS;
  const coordinates = new BoundedCache<string, readonly string[] | null>(1000);
  /** The fields an operation can touch (null when it does not parse or validate), remembered per text. */
  const touchedBy = (query: string): readonly string[] | null => {
    let touched = coordinates.get(query);
    if (touched === undefined) {
      touched = operationCoordinates(unprotected, query);
      coordinates.set(query, touched);
    }
    return touched;
  };
  const cacheHint = openDataCacheHint(agency.openDataMaxAgeSeconds, (query) => onlyOpen(touchedBy(query), policies));
  const serverFor = (schema: GraphQLSchema) =>
    new ApolloServer<Context>({
      schema,
      includeStacktraceInErrorResponses: false,
      formatError: maskError(logger),
      // Whoever runs the server stops it (npm start, run.ts, tests): no signal handlers per server.
      stopOnTerminationSignals: false,
      // No per-field hooks: nothing reads cache hints or traces from a subgraph, and with neither
      // plugin Apollo resolves each field without wrapping it.
      // Apollo's hints are replaced by one decision per answer: openDataCacheHint.
      plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), cacheHint],
    });
  // Two executors over the same schema: with the per-field rules, and without them for operations
  // whose every field is allowed to this caller whatever the rows (decided before execution).
  const apollo = serverFor(protectedSchema);
  const unchecked = rulesOn && options.sharingRulesForBenchmarkOnly !== 'per-field' ? serverFor(unprotected) : apollo;
  await apollo.start();
  if (unchecked !== apollo) await unchecked.start();
  const { db, trust } = options;
  const relay = logged && options.disclosureSink ? new OutboxRelay(db, options.disclosureSink, logger) : undefined;
  // Identity is settled before Apollo sees the request: a call that is not the gateway's, or whose
  // token fails, gets a 401 and reaches no resolver.
  const callers = new WeakMap<IncomingMessage, Verified>();
  const pick = async (body: unknown, req: IncomingMessage): Promise<ApolloServer<Context>> => {
    const verified = callers.get(req);
    const query = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
    if (!verified || typeof query !== 'string' || !rulesOn) return apollo;
    const touched = touchedBy(query);
    if (!touched) return apollo;
    const access = { caller: verified.caller, purpose: purposeOf(req), lang: languageOf(req), grants, decisions: verified.decisions };
    let decided = decideBeforeExecution(touched, policies, access, owner);
    if (decided === 'refresh-first') {
      // A grant decides a field of this operation and the view has aged: ask the ledger now, before
      // execution begins the request's transaction, so that no connection is held while waiting.
      await grants.refreshIfStale?.();
      decided = decideBeforeExecution(touched, policies, access, owner, true);
    }
    return decided === 'all-allowed' ? unchecked : apollo;
  };
  // A provider holds each answer until the record of what it disclosed is committed and durable.
  const answerWithDisclosureRecord = logged
    ? answerWithRecord({
        agencyName: agency.name,
        logger,
        verified: (req) => callers.get(req),
        purpose: purposeOf,
        written: () => relay?.poke(),
      })
    : undefined;
  // A gateway proof is made for one call: the body (or query string) and purpose it carries must be
  // the ones it names, and it is taken once.
  const proofs = new WeakMap<IncomingMessage, GatewayProof>();
  const spent = new SpentProofs();
  const provingAsked = (req: IncomingMessage, res: ServerResponse, asked: string): boolean => {
    const proof = proofs.get(req);
    const purpose = req.headers['x-purpose'];
    if (!proof || !provesAsked(proof, askedOf(asked, typeof purpose === 'string' ? purpose : null))) {
      sendUnauthenticated(res, PROOF_FOR_ANOTHER_OPERATION);
      return false;
    }
    if (!spent.take(proof)) {
      sendUnauthenticated(res, PROOF_ALREADY_USED);
      return false;
    }
    return true;
  };
  const graphqlInner = graphqlHandler(pick, async (req) => {
    const verified = callers.get(req);
    if (!verified) throw new Error('request reached GraphQL without authentication');
    return definition.createContext({
      requestId: verified.requestId,
      db: verified.transaction ?? db,
      caller: verified.caller,
      purpose: purposeOf(req),
      lang: languageOf(req),
      grants,
      decisions: verified.decisions,
      ...(verified.disclosure ? { disclosure: verified.disclosure } : {}),
    });
  }, answerWithDisclosureRecord, provingAsked);
  /**
   * Settles a call's gateway proof and caller; answers 401 itself and returns null when either fails.
   * What the call asks is checked against the proof once it has been read (provingAsked).
   */
  const authenticate = async (req: IncomingMessage, res: ServerResponse): Promise<(Pick<Verified, 'caller' | 'requestId'> & { proof: GatewayProof }) | null> => {
    try {
      const token = bearerToken(req.headers.authorization);
      const header = req.headers[GATEWAY_PROOF_HEADER];
      const proof = await verifyGatewayProof(trust.proofSecret, definition.name, typeof header === 'string' ? header : undefined, token);
      const caller = token ? await trust.verifyToken(token) : ANONYMOUS;
      return { caller, requestId: proof.requestId || requestIdOf(req), proof };
    } catch (error) {
      if (error instanceof AuthenticationError) {
        sendUnauthenticated(res, error.reason, definition.name);
        return null;
      }
      throw error;
    }
  };
  const graphql: Handler = async (req, res) => {
    const verified = await authenticate(req, res);
    if (!verified) return;
    proofs.set(req, verified.proof);
    callers.set(req, {
      caller: verified.caller,
      requestId: verified.requestId,
      decisions: new Map(),
      ...(logged ? { disclosure: new DisclosureRecorder(), transaction: new RequestTransaction(db) } : {}),
    });
    await graphqlInner(req, res);
  };
  const delayMs = options.delayMs ?? 0;
  const server = createHttpServer(
    {
      '/graphql': delayMs > 0 ? async (req, res) => { await sleep(delayMs); await graphql(req, res); } : graphql,
      ...(definition.routes?.(db, trust, logger) ?? {}),
      [DISCLOSURE_LOG_PATH]: logged
        ? disclosureLogRoute(db, agency.agencyCode, async (req, res) => {
            const verified = await authenticate(req, res);
            if (!verified) return null;
            proofs.set(req, verified.proof);
            return provingAsked(req, res, new URL(req.url ?? '/', 'http://localhost').search) ? verified.caller : null;
          })
        : async (req, res) => {
            // A subgraph without a log (the access ledger, whose records are themselves the record) says so.
            if (!(await authenticate(req, res))) return;
            sendJson(res, 404, {
              errors: [{
                message: `${agency.name} không giữ nhật ký cung cấp. (${definition.name} keeps no disclosure log.)`,
                extensions: { code: 'NO_DISCLOSURE_LOG', subgraph: definition.name, agency: agency.name },
              }],
            });
          },
      '/health/live': (_req, res) => sendJson(res, 200, { status: 'live', subgraph: definition.name }),
      '/health/ready': async (_req, res) => {
        const ready = await db.ping();
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database-unavailable', subgraph: definition.name });
      },
    },
    (error) => logger.error({ err: error }, 'request failed'),
  );
  const url = await listen(server, options.port, options.host);
  relay?.start();
  return {
    name: definition.name,
    agency,
    url,
    db,
    server,
    async stop() {
      await close(server);
      await relay?.stop();
      await apollo.stop();
      if (unchecked !== apollo) await unchecked.stop();
    },
  };
}
