import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { getVariableValues, GraphQLError, isScalarType, Kind, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import pino, { type Logger } from 'pino';
import { readAgency } from '../subgraphs/kit/agency';
import { AuthenticationError, bearerToken, GATEWAY_PROOF_HEADER, gatewayProofSecret, type Caller } from '../subgraphs/kit/identity';
import { sendUnauthenticated } from '../subgraphs/kit/server';
import { CLIENT_ERROR_CODES, ErrorCode } from '../subgraphs/kit/errors';
import { clip, decodePurpose, purposeRefusal } from '../subgraphs/kit/text';
import { sharedScalars } from '../subgraphs/kit/scalars';
import { close, createHttpServer, escapeHtml, graphqlHandler, HTML_PAGE_HEADERS, listen, plainPage, sendJson, staticDocument, type Handler } from '../subgraphs/kit/http';
import { anonymousContext, clientRequestIdOf, headerOf, type GatewayContext } from './context';
import { AgencyDataSource, keepAliveFetcher } from './datasource';
import { graphiqlAssetRoutes, graphiqlPage } from './graphiql';
import { armorFor, costRefusal, LIMITS, operationCost, type Audience } from './limits';
import { checkSubgraphs } from './health';
import { supergraphEndpoints } from './supergraph';
import { disclosureLogProxy } from './disclosure-log';
import { catalogueRoutes } from './catalogue';
import { Supergraph } from '@apollo/federation-internals';
import { OpenDataCache } from './open-data-cache';
import { DOWNLOAD_PATH, openDownloads, type CatalogueSettings } from './open-download';
import { DCAT_PATH, DEFAULT_OPEN_DATA_LICENSE } from './dcat';
import { limitingOpenWrites, OPEN_WRITES_PER_HOUR, openMutationNames, WriteAllowance } from './open-writes';
import { openFeedbackRoutes } from './open-feedback';

/** The open data a gateway keeps by default: 16 MB of JSON text. */
export const OPEN_DATA_CACHE_BYTES = 16 * 1024 * 1024;

export interface GatewayOptions {
  readonly supergraphSdl: string;
  /** The OPEN-only contract supergraph served anonymously at /open/graphql. */
  readonly openSupergraphSdl: string;
  /** Overrides of the subgraph URLs composed into the supergraph, by subgraph name. */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  readonly subgraphTimeoutMs?: number;
  readonly subgraphConnections?: number;
  /**
   * Bytes of open data the gateway may keep, as its subgraphs allow (gateway/open-data-cache.ts);
   * 16 MB by default, 0 to keep none.
   */
  readonly openDataCacheBytes?: number;
  /**
   * The address the gateway is reached at from outside (behind a proxy, say), for the links of the
   * open-data catalogue; its own listening address by default.
   */
  readonly publicUrl?: string;
  /** The licence open data is offered under, as a URL (gateway/dcat.ts); CC BY 4.0 by default. */
  readonly openDataLicense?: string;
  /** Anonymous writes (feedback on open data) one client address may send per hour; OPEN_WRITES_PER_HOUR by default. */
  readonly openWritesPerHour?: number;
  readonly logger?: Logger;
  readonly trust: {
    readonly verifyToken: (token: string) => Promise<Caller>;
    /** The master secret each subgraph's proof secret derives from. */
    readonly gatewaySecret: string;
  };
  /**
   * Where newer supergraphs come from (the schema registry), asked every `intervalMs` (1 s by
   * default). A version that does not build never replaces the one being served.
   */
  readonly follow?: { readonly source: SupergraphSource; readonly intervalMs?: number };
}

/** One version of the graph: the full supergraph and its OPEN-only contract, composed together. */
export interface SupergraphVersion {
  readonly id: string;
  readonly supergraphSdl: string;
  readonly openSupergraphSdl: string;
}

/** The current version at the source, or null when it has none or cannot be reached now. */
export type SupergraphSource = () => Promise<SupergraphVersion | null>;

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  /** The id of the version being served ('initial' until a followed source gave one). */
  currentVersion(): string;
  /**
   * Serves `version` from now on, both graphs and the catalogue together, if it builds; requests
   * under way finish on the version they started with. Resolves false (and keeps the current one)
   * when it does not build.
   */
  swap(version: SupergraphVersion): Promise<boolean>;
  stop(): Promise<void>;
}

/** Extensions a client may see; transport details (response, serviceName internals, stacks) are dropped. */
const CLIENT_EXTENSIONS = new Set(['code', 'subgraph', 'agency', 'argument', 'expected', 'maximum', 'reason', 'field', 'category', 'owner', 'ownerAgency', 'requestAccess', 'retryAfterSeconds', 'validFrom', 'state', 'problems', 'consumer', 'provider', 'requiredRole']);

function agencyName(subgraph: string): string {
  try {
    return readAgency(subgraph).name;
  } catch {
    return subgraph;
  }
}

/** The longest error message a client gets back: a message quoting a 100 KB input need not repeat it. */
const MAX_MESSAGE = 1000;

/** True for an error Apollo Server raised with an HTTP 4xx status: a request it refused as malformed. */
function refusedAsBadRequest(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const http: unknown = error.extensions['http'];
  const status = typeof http === 'object' && http !== null && 'status' in http ? http.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** The most variable errors reported: past it, coercion stops (graphql-js `maxErrors`). */
export const MAX_VARIABLE_ERRORS = 10;
/** Variables holding at most this many values (keys and list items, at any depth) are coerced by the executor alone. */
const SMALL_VARIABLES = 100;

/** True when `value` holds more than `limit` values (object keys and list items, at any depth); stops counting past it. */
function holdsMoreValuesThan(value: unknown, limit: number): boolean {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    const children = Array.isArray(next) ? next : Object.values(next);
    count += children.length;
    if (count > limit) return true;
    pending.push(...children);
  }
  return false;
}

/**
 * Settles, before the gateway's executor, what it would otherwise settle without bounds:
 * - a document that names no operation the endpoint can run (an operationName the document lacks,
 *   several operations and no name, a mutation or subscription where the graph has none, as in the
 *   open contract) is a 400 with OPERATION_RESOLUTION_FAILURE; the executor throws these uncoded,
 *   which read as internal errors;
 * - variables are coerced with at most MAX_VARIABLE_ERRORS errors, and a request that reaches the
 *   bound is a 400 with BAD_USER_INPUT. The executor reports every error, each quoting the whole
 *   value: an object of 8,000 unknown keys cost 20 s and 2 GB, and 60,000 ran the process out of
 *   memory, for anyone, without a token;
 * - an operation over the audience's cost (limits.ts: operationCost, which reads the variables, so
 *   it comes after their bound) is a 400, and no subgraph sees it.
 */
export function operationResolution(audience: Audience): ApolloServerPlugin<GatewayContext> {
  const refuse = (message: string, code = 'OPERATION_RESOLUTION_FAILURE') => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
  const listener = {
    async didResolveOperation({ operation, request, document, schema }: GraphQLRequestContextDidResolveOperation<GatewayContext>) {
      if (!operation) {
        const named = request.operationName;
        if (typeof named === 'string' && named !== '') throw refuse(`Không có thao tác "${named.slice(0, 100)}" trong tài liệu. (Unknown operation named "${named.slice(0, 100)}".)`);
        const count = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length;
        throw refuse(
          count > 1
            ? 'Tài liệu có nhiều thao tác: hãy nêu operationName. (The document holds several operations: give operationName.)'
            : 'Tài liệu không có thao tác nào. (The document holds no operation.)',
        );
      }
      if (!schema.getRootType(operation.operation)) {
        throw refuse(`Điểm truy cập này không có ${operation.operation}. (This endpoint has no ${operation.operation} operations.)`);
      }
      // Variables of at most SMALL_VARIABLES values cannot cost much however wrong: the executor's
      // own coercion is left to handle them, and the usual request is not coerced twice.
      if (holdsMoreValuesThan(request.variables, SMALL_VARIABLES)) {
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: MAX_VARIABLE_ERRORS });
        if (coerced.errors && coerced.errors.length > MAX_VARIABLE_ERRORS) {
          const first = clip(coerced.errors[0]?.message ?? '', 300);
          throw refuse(
            `Quá nhiều lỗi trong biến; lỗi đầu: ${first} (Too many errors in the variables; the first: ${first})`,
            ErrorCode.BAD_USER_INPUT,
          );
        }
      }
      const cost = operationCost(schema, document, request.operationName ?? undefined, request.variables);
      if (cost !== undefined && cost > LIMITS[audience].cost) throw costRefusal(cost, audience);
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

/**
 * What the standard refusals of GraphQL's own checks (graphql-js, Apollo Server) say in Vietnamese:
 * their words are English only, and come after this lead, in brackets, as every message here reads.
 * Persisted-query refusals are left as they are: clients (Apollo Kotlin, iOS, Link) read their
 * message, `PersistedQueryNotFound`, as the signal to send the whole query.
 */
const VIETNAMESE_LEAD: Readonly<Record<string, string>> = {
  GRAPHQL_PARSE_FAILED: 'Truy vấn sai cú pháp',
  GRAPHQL_VALIDATION_FAILED: 'Truy vấn không khớp lược đồ',
  BAD_USER_INPUT: 'Giá trị đầu vào không hợp lệ',
  BAD_REQUEST: 'Yêu cầu không đúng dạng',
  OPERATION_RESOLUTION_FAILURE: 'Không xác định được thao tác cần chạy',
};

/**
 * A Vietnamese letter (the Latin letters with marks Vietnamese uses, and đ): a message with one
 * outside the values it quotes is ours, said in Vietnamese already.
 */
const VIETNAMESE_LETTER = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

/** graphql-js's refusal of a document over the token limit (parseOptions.maxTokens), "that" as it spells it today. */
const TOKEN_LIMIT = /Document contains more th(?:at|an) (\d+) tokens/;

/** A library's English refusal, said in both languages (VIETNAMESE_LEAD); the token limit as a limit. */
function bilingual(message: string, code: string): { message: string; maximum?: number } {
  const tokens = TOKEN_LIMIT.exec(message)?.[1];
  if (code === 'GRAPHQL_PARSE_FAILED' && tokens !== undefined) {
    return { message: `Truy vấn dài quá ${tokens} token. (The query has more than ${tokens} tokens.)`, maximum: Number(tokens) };
  }
  // A variable refused by one of our scalars: graphql-js puts its English before our bilingual words.
  const variable = /^Variable "\$(\w+)" got invalid value (?:.*?)(?: at "([^"]+)")?; (.*)$/s.exec(message);
  if (variable && VIETNAMESE_LETTER.test((variable[3] ?? '').replace(/"[^"]*"/g, ''))) {
    const [, name, at, ours] = variable;
    const where = at ? ` tại "${at}"` : '';
    return { message: `Biến $${name ?? ''} có giá trị không hợp lệ${where} (variable $${name ?? ''}${at ? ` at ${at}` : ''}): ${ours ?? ''}` };
  }
  const lead = VIETNAMESE_LEAD[code];
  const ours = VIETNAMESE_LETTER.test(message.replace(/"[^"]*"/g, ''));
  return { message: lead !== undefined && !ours ? `${lead} (${message})` : message };
}

/**
 * Masks what a client must not see: an error without one of our stable codes becomes a generic
 * internal error, and only the whitelisted extensions survive. GraphQL's own refusals keep their
 * words after a Vietnamese lead (bilingual), without "Did you mean" suggestions, which would leak
 * schema beyond the caller's view.
 */
export function formatGatewayError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A malformed code (a personal id, a tax code) written in the document fails validation, as any
    // invalid literal does; the shared scalar's refusal keeps the code it has as a variable.
    const code = formatted.extensions?.['code'] === 'GRAPHQL_VALIDATION_FAILED' && typeof formatted.extensions['expected'] === 'string' ? ErrorCode.BAD_USER_INPUT : formatted.extensions?.['code'];
    // Apollo Server's own refusals of a malformed request (a persisted-query hash that does not
    // match, say) carry an HTTP 4xx but no code: the client's mistake, named as such.
    if ((typeof code !== 'string' || code === ErrorCode.INTERNAL_SERVER_ERROR) && refusedAsBadRequest(error)) {
      return { message: clip(bilingual(formatted.message, 'BAD_REQUEST').message, MAX_MESSAGE), extensions: { code: 'BAD_REQUEST' } };
    }
    if (typeof code !== 'string' || !CLIENT_ERROR_CODES.has(code)) {
      logger.error({ err: error }, 'masked internal error');
      return {
        message: 'Lỗi nội bộ. (Internal server error.)',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
    }
    const extensions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(formatted.extensions ?? {})) {
      if (CLIENT_EXTENSIONS.has(key)) extensions[key] = value;
    }
    const serviceName = formatted.extensions?.['serviceName'];
    if (typeof serviceName === 'string' && !('subgraph' in extensions)) extensions['subgraph'] = serviceName;
    extensions['code'] = code;
    // Schema suggestions are withheld (graphql-armor masks them); nothing of the mask is shown either.
    const said = bilingual(formatted.message.replace(/ Did you mean .*$/s, '').replace(/ \[Suggestion hidden\]\??/g, ''), code);
    if (said.maximum !== undefined) extensions['maximum'] = said.maximum;
    return { ...formatted, message: clip(said.message, MAX_MESSAGE), extensions };
  };
}

/**
 * Whether an answer carries any agency's data: a root field, other than introspection (`__typename`,
 * under whatever alias), that is not null. Every root field is nullable, so an answer refused at
 * every root still has `data`, its roots null.
 */
function gaveData(data: Record<string, unknown> | null | undefined, operation: OperationDefinitionNode | undefined): boolean {
  const introspection = new Set(
    (operation?.selectionSet.selections ?? []).flatMap((selection) =>
      selection.kind === Kind.FIELD && selection.name.value.startsWith('__') ? [selection.alias?.value ?? selection.name.value] : [],
    ),
  );
  return Object.entries(data ?? {}).some(([key, value]) => value !== null && !introspection.has(key));
}

/**
 * The consumer-side record of every request (DESIGN.md §7): request id, caller, operation and
 * outcome, logged as one line when the answer is sent; the request id also goes back to the client
 * in `x-request-id`, so that a client, a provider's log and an auditor can match records.
 */
function consumerRecord(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operationName, errors, operation }) {
          response.http.headers.set('x-request-id', contextValue.requestId);
          const { caller } = contextValue;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = [...new Set([...(errors ?? []), ...(result?.errors ?? [])].map((e) => String(e.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR')))];
          logger.info(
            {
              record: 'consumer',
              requestId: contextValue.requestId,
              ...(contextValue.clientRequestId ? { clientRequestId: contextValue.clientRequestId } : {}),
              caller: caller.kind === 'official' ? { kind: caller.kind, agency: caller.agency, official: caller.officialId, roles: caller.roles } : { kind: caller.kind },
              purpose: decodePurpose(contextValue.purposeHeader),
              operation: operationName ?? null,
              outcome: codes.length === 0 ? 'OK' : gaveData(result?.data, operation) ? 'PARTIAL' : 'REFUSED',
              errors: codes,
              // Those fetches reached no provider, so no provider's log holds them.
              openDataFromCache: contextValue.servedFromCache.fetches,
            },
            'request answered',
          );
        },
      };
    },
  };
}

interface Endpoint {
  readonly name: string;
  readonly agency: string;
  readonly url: string;
}

/**
 * Gives the gateway's schema the shared scalars' own checks (subgraphs/kit/scalars.ts), which a
 * supergraph declares by name only: a malformed personal id or tax code is then refused when the
 * request is validated, naming its argument, as GraphQL refuses any invalid value. Unchecked, it
 * reached the subgraph inside the one operation the gateway sends there, whose validation then
 * failed whole: the request's valid fields from the same subgraph came back null beside an error
 * with no path. Applied to every schema the gateway loads, before it serves it.
 */
function checkingSharedScalars(schema: GraphQLSchema): void {
  for (const [name, shared] of Object.entries(sharedScalars)) {
    const type = schema.getType(name);
    if (!isScalarType(type)) continue;
    Object.assign(type, { parseValue: shared.parseValue, parseLiteral: shared.parseLiteral });
  }
}

/**
 * An Apollo Server over an Apollo Gateway for one supergraph, calling each subgraph where
 * `endpointOf` says (from its name and the URL the supergraph gives it). `update` replaces the
 * supergraph: it throws, and the gateway keeps serving the previous one, when the new one does not build.
 */
async function graphServer(
  supergraphSdl: string,
  endpointOf: (name: string, supergraphUrl: string) => Endpoint,
  options: GatewayOptions,
  logger: Logger,
  audience: Audience,
  cache: OpenDataCache | undefined,
  extraPlugins: readonly ApolloServerPlugin<GatewayContext>[] = [],
) {
  const timeoutMs = options.subgraphTimeoutMs ?? 10_000;
  const fetcher = keepAliveFetcher(options.subgraphConnections ?? 64, timeoutMs);
  let update: ((sdl: string) => void) | undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: async (hook) => {
      update = hook.update;
      return { supergraphSdl };
    },
    buildService: ({ name, url }) => {
      const endpoint = endpointOf(name, url ?? '');
      const secret = gatewayProofSecret(options.trust.gatewaySecret, name);
      return new AgencyDataSource(name, endpoint.agency, endpoint.url, fetcher, secret, cache);
    },
    logger,
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => checkingSharedScalars(apiSchema));
  const armor = armorFor(audience);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Whoever runs the server stops it (npm start, run.ts, tests): no signal handlers per server.
    stopOnTerminationSignals: false,
    formatError: formatGatewayError(logger),
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: LIMITS[audience].tokens },
    plugins: [...(armor.plugins as ApolloServerPlugin<GatewayContext>[]), ApolloServerPluginLandingPageDisabled(), operationResolution(audience), consumerRecord(logger), ...extraPlugins],
  });
  await apollo.start();
  return {
    apollo,
    update(sdl: string): void {
      if (!update) throw new Error('the gateway has not loaded its first supergraph');
      update(sdl);
    },
  };
}

/**
 * A call that carries a gateway's proof is a gateway calling a subgraph: arriving here, a subgraph
 * URL points at a gateway. It is refused at once (400 LOOP_DETECTED), so that the calls do not multiply.
 */
function refusingGatewayCalls(handler: Handler): Handler {
  return (req, res) => {
    if (req.headers[GATEWAY_PROOF_HEADER] === undefined) return handler(req, res);
    return sendJson(res, 400, {
      errors: [{
        message:
          'Cổng nhận một lời gọi dành cho subgraph: địa chỉ của một subgraph trỏ về cổng. ' +
          '(The gateway received a call meant for a subgraph: a subgraph URL points at a gateway.)',
        extensions: { code: 'LOOP_DETECTED' },
      }],
    });
  };
}

/**
 * Open to pages of any site: the open endpoint, the downloads and the catalogues serve what anyone
 * may have, with no account and no cookie, so a browser app elsewhere may call them (CORS with `*`,
 * which browsers never combine with credentials). A preflight is answered here; Apollo's guard
 * against cross-site requests still refuses a request no browser would send without one. The
 * endpoints that take a token (/graphql, /disclosure-log) allow no other site.
 */
function openToAnyOrigin(handler: Handler, methods: 'GET, HEAD' | 'GET, POST' = 'GET, HEAD'): Handler {
  const graphql = methods.includes('POST');
  return (req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    // A GraphQL answer carries the request id a client may quote to an auditor, and a refused
    // write (429) when it may try again.
    if (graphql) res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
    if (req.method !== 'OPTIONS') return handler(req, res);
    res.writeHead(204, {
      'access-control-allow-methods': methods,
      'access-control-allow-headers': 'content-type, accept, accept-language, apollo-require-preflight, x-apollo-operation-name',
      'access-control-max-age': '86400',
    });
    res.end();
  };
}

/** What `GET /` answers: where each kind of user starts. */
const ENTRY_POINTS = {
  name: 'lienthong — trục chia sẻ dữ liệu của tỉnh (the provincial data-sharing mesh)',
  graphql: { path: '/graphql', for: 'cán bộ cơ quan nhà nước, công dân: cần token (state agency officials, citizens: a bearer token)' },
  openGraphql: { path: '/open/graphql', for: 'dữ liệu mở, không cần tài khoản (open data, no account)' },
  downloads: { path: DOWNLOAD_PATH, for: 'tải dữ liệu mở CSV/NDJSON (open data downloads)' },
  openDataCatalogue: { path: DCAT_PATH, for: 'danh mục dữ liệu mở DCAT (the open-data catalogue in DCAT)' },
  catalogue: { path: '/catalog', for: 'danh mục dịch vụ chia sẻ dữ liệu (the sharing-service catalogue); /catalog.json for machines' },
  openDataFeedback: { path: '/catalog#gop-y', for: 'góp ý về dữ liệu mở, không cần tài khoản (feedback on open data, no account); sendOpenDataFeedback on /open/graphql' },
  disclosureLog: { path: '/disclosure-log', for: 'nhật ký cung cấp của bên cung cấp, cần token (a provider\'s disclosure log, with a token)' },
  health: { path: '/health', for: 'tình trạng các hệ thống (readiness of every subgraph)' },
} as const;

/**
 * The gateway's front page for a browser: every entry point of ENTRY_POINTS, linked, with whom it is
 * for. Machines asking for anything else get ENTRY_POINTS as JSON.
 */
function entryPointsPage(): string {
  const { name, ...entries } = ENTRY_POINTS;
  const items = Object.values(entries).map(
    (entry) => `<dt><a href="${escapeHtml(entry.path)}"><code>${escapeHtml(entry.path)}</code></a></dt><dd>${escapeHtml(entry.for)}</dd>`,
  );
  return plainPage(
    name,
    `<h1>${escapeHtml(name)}</h1><dl>${items.join('')}</dl>
<p>Máy đọc trang này dạng JSON khi không xin HTML (machines get this list as JSON when they do not ask for HTML).</p>`,
  );
}

/** GET / and HEAD /: the entry points as an HTML page to a browser asking for HTML, else as JSON. */
function entryPoints(): Handler {
  const json = staticDocument('application/json; charset=utf-8', JSON.stringify(ENTRY_POINTS));
  const html = staticDocument('text/html; charset=utf-8', entryPointsPage());
  return (req, res) => ((req.headers.accept ?? '').includes('text/html') ? html(req, res) : json(req, res));
}

/** Serves the GraphiQL page to browsers asking for HTML, and GraphQL to everything else. */
function withGraphiql(graphql: Handler, endpoint: string, title: string): Handler {
  const page = graphiqlPage(endpoint, title);
  return (req, res) => {
    const wantsPage = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !(req.url ?? '').includes('query=');
    if (!wantsPage) return graphql(req, res);
    res.writeHead(200, HTML_PAGE_HEADERS);
    res.end(page);
  };
}

/**
 * Builds and starts the provincial gateway: the full graph at /graphql for callers with a verified
 * token (401 without one), the OPEN-only contract at /open/graphql for anyone, GraphiQL for
 * browsers on both, readiness of every subgraph at /health, liveness at /health/live.
 */
export async function startGateway(options: GatewayOptions, port: number, host = '127.0.0.1'): Promise<RunningGateway> {
  const logger = options.logger ?? pino({ name: 'gateway' });
  // Where a subgraph is called: at the URL the gateway was given for it, else the supergraph's. The
  // same for the graphs' fetches, /health and /disclosure-log, which follow the supergraph being
  // served (a subgraph published since start among them).
  const endpointOf = (name: string, supergraphUrl: string): Endpoint => ({
    name,
    agency: agencyName(name),
    url: options.subgraphUrls?.[name] ?? supergraphUrl,
  });
  const endpointsOf = (supergraphSdl: string): Endpoint[] => supergraphEndpoints(supergraphSdl).map(({ name, url }) => endpointOf(name, url));
  let endpoints = endpointsOf(options.supergraphSdl);
  const cacheBytes = options.openDataCacheBytes ?? OPEN_DATA_CACHE_BYTES;
  // One cache for both graphs: open data is the same whoever asks.
  const cache = cacheBytes > 0 ? new OpenDataCache(cacheBytes) : undefined;
  // The writes anyone may send (the open contract's mutations, feedback on open data) are limited
  // per sender: an anonymous caller by address, a citizen by personal id; officials are not.
  const openWrites = new WriteAllowance(options.openWritesPerHour ?? OPEN_WRITES_PER_HOUR);
  let openMutations = openMutationNames(options.openSupergraphSdl);
  const counted = () => openMutations;
  const citizens = limitingOpenWrites(openWrites, { keyOf: (c) => (c.caller.kind === 'citizen' ? `citizen:${c.caller.personalId}` : null), counted });
  const addresses = limitingOpenWrites(openWrites, { keyOf: (c) => `address:${c.clientAddress ?? 'unknown'}`, counted });
  const full = await graphServer(options.supergraphSdl, endpointOf, options, logger, 'agency', cache, [citizens]);
  const open = await graphServer(options.openSupergraphSdl, endpointOf, options, logger, 'anonymous', cache, [addresses]);
  let catalogue = catalogueRoutes(options.supergraphSdl, options.openSupergraphSdl);
  let listening: string | undefined;
  const openCatalogue: CatalogueSettings = {
    base: () => (options.publicUrl ?? listening ?? '').replace(/\/+$/, ''),
    license: options.openDataLicense ?? DEFAULT_OPEN_DATA_LICENSE,
  };
  let downloads = openDownloads(options.openSupergraphSdl, full.apollo, openCatalogue);
  let version = 'initial';
  const refused = new Set<string>();

  const swap = async (next: SupergraphVersion): Promise<boolean> => {
    // Both graphs and the catalogue are built before any is served, so they change together.
    let nextCatalogue: ReturnType<typeof catalogueRoutes>;
    try {
      Supergraph.build(next.supergraphSdl, { validateSupergraph: true });
      Supergraph.build(next.openSupergraphSdl, { validateSupergraph: true });
      nextCatalogue = catalogueRoutes(next.supergraphSdl, next.openSupergraphSdl);
      full.update(next.supergraphSdl);
    } catch (error) {
      refused.add(next.id);
      logger.error({ err: error, version: next.id }, 'supergraph refused: the current one keeps serving');
      return false;
    }
    try {
      const nextDownloads = openDownloads(next.openSupergraphSdl, full.apollo, openCatalogue);
      const nextMutations = openMutationNames(next.openSupergraphSdl);
      open.update(next.openSupergraphSdl);
      downloads = nextDownloads;
      openMutations = nextMutations;
    } catch (error) {
      // The full graph already moved on; the open contract stays on the last one that built.
      logger.error({ err: error, version: next.id }, 'open contract refused: the previous contract keeps serving');
    }
    catalogue = nextCatalogue;
    endpoints = endpointsOf(next.supergraphSdl);
    version = next.id;
    // A field may have changed category: nothing kept under the previous graph is served again.
    cache?.clear();
    logger.info({ version: next.id }, 'serving a new supergraph');
    return true;
  };
  let following: NodeJS.Timeout | undefined;
  if (options.follow) {
    const { source } = options.follow;
    let busy = false;
    const look = async () => {
      if (busy) return;
      busy = true;
      try {
        const next = await source();
        if (next && next.id !== version && !refused.has(next.id)) await swap(next);
      } catch (error) {
        logger.warn({ err: error }, 'supergraph source unavailable: the current one keeps serving');
      } finally {
        busy = false;
      }
    };
    await look();
    following = setInterval(() => void look(), options.follow.intervalMs ?? 1000);
    following.unref();
  }

  const fullHandler = graphqlHandler(full.apollo, async (req) => {
    const verified = authenticated.get(req);
    if (!verified) throw new Error('request reached GraphQL without authentication');
    return {
      requestId: randomUUID(),
      clientRequestId: clientRequestIdOf(req),
      token: verified.token,
      caller: verified.caller,
      purposeHeader: headerOf(req, 'x-purpose'),
      acceptLanguage: headerOf(req, 'accept-language'),
      clientAddress: req.socket.remoteAddress ?? null,
      servedFromCache: { fetches: 0 },
    };
  });
  const authenticated = new WeakMap<IncomingMessage, { token: string; caller: Caller }>();
  // Every request that reaches it is GraphQL (withGraphiql below answers browsers' page requests).
  const graphql: Handler = async (req, res) => {
    try {
      const token = bearerToken(req.headers.authorization);
      if (!token) throw new AuthenticationError('a bearer token is required on /graphql; anonymous callers use /open/graphql');
      authenticated.set(req, { token, caller: await options.trust.verifyToken(token) });
    } catch (error) {
      if (error instanceof AuthenticationError) return sendUnauthenticated(res, error.reason);
      throw error;
    }
    // A purpose that cannot be read is refused as such, not taken for a missing one; two are refused
    // too (Node would join them with a comma, and the log would hold a purpose nobody stated).
    const purpose = req.headers['x-purpose'];
    const stated = purpose === undefined ? 0 : req.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'x-purpose').length;
    const refusal =
      stated > 1
        ? `x-purpose được gửi ${stated} lần; mỗi yêu cầu nêu một mục đích. (x-purpose is sent ${stated} times; a request states one purpose.)`
        : typeof purpose === 'string'
          ? purposeRefusal(purpose)
          : null;
    if (refusal) return sendJson(res, 400, { errors: [{ message: refusal, extensions: { code: ErrorCode.BAD_USER_INPUT, header: 'x-purpose' } }] });
    return fullHandler(req, res);
  };
  const openHandler = graphqlHandler(open.apollo, async (req) => anonymousContext(req));

  const server = createHttpServer(
    {
      '/graphql': refusingGatewayCalls(withGraphiql(graphql, '/graphql', 'lienthong — GraphiQL')),
      '/open/graphql': openToAnyOrigin(refusingGatewayCalls(withGraphiql(openHandler, '/open/graphql', 'lienthong — dữ liệu mở (open data)')), 'GET, POST'),
      ...graphiqlAssetRoutes(),
      [DOWNLOAD_PATH]: openToAnyOrigin((req, res) => downloads.index(req, res)),
      [DCAT_PATH]: openToAnyOrigin((req, res) => downloads.catalogue(req, res)),
      [`${DOWNLOAD_PATH}/*`]: openToAnyOrigin((req, res) => downloads.file(req, res)),
      ...openFeedbackRoutes(open.apollo),
      '/catalog.json': openToAnyOrigin((req, res) => catalogue['/catalog.json']?.(req, res)),
      '/catalog': (req, res) => catalogue['/catalog']?.(req, res),
      '/disclosure-log': refusingGatewayCalls(disclosureLogProxy(() => endpoints, options.trust, options.subgraphTimeoutMs ?? 10_000)),
      '/': entryPoints(),
      '/health/live': (_req, res) => sendJson(res, 200, { status: 'live' }),
      '/health': async (_req, res) => {
        const health = await checkSubgraphs(endpoints);
        sendJson(res, health.ready ? 200 : 503, { status: health.ready ? 'ready' : 'degraded', subgraphs: health.subgraphs });
      },
    },
    (error) => logger.error({ err: error }, 'request failed'),
  );
  const url = await listen(server, port, host);
  listening = url;
  return {
    url,
    server,
    currentVersion: () => version,
    swap,
    async stop() {
      clearInterval(following);
      await close(server);
      await Promise.all([full.apollo.stop(), open.apollo.stop()]);
    },
  };
}
