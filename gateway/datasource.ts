import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
import { ErrorCode } from '../subgraphs/kit/errors';
import { askedOf, GATEWAY_PROOF_HEADER, signGatewayProof } from '../subgraphs/kit/identity';
import type { GatewayContext } from './context';
import { sharedMaxAge, type OpenDataCache } from './open-data-cache';

/**
 * A keep-alive HTTP client for one subgraph: a bounded socket pool reused across requests, and a
 * hard per-request timeout.
 */
export function keepAliveFetcher(connections: number, timeoutMs: number): Fetcher {
  const dispatcher = new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
  return ((url: string, init?: Parameters<Fetcher>[1]) =>
    undiciFetch(url, {
      method: init?.method,
      headers: init?.headers,
      body: init?.body,
      dispatcher,
      signal: AbortSignal.timeout(timeoutMs),
    })) as unknown as Fetcher;
}

/**
 * Adds to each call the gateway's proof for `subgraph`: short-lived, bound to the subgraph, the
 * request id and token the call carries (set by willSendRequest), and the exact body it sends, so
 * that a proof seen on the wire serves no other operation.
 */
export function provingFetcher(fetcher: Fetcher, proofSecret: Uint8Array, subgraph: string): Fetcher {
  return (async (url: string, init?: Parameters<Fetcher>[1]) => {
    // Apollo's RemoteGraphQLDataSource sends its headers as a plain object of lower-case names.
    const headers = { ...((init?.headers ?? {}) as Record<string, string>) };
    const authorization = headers['authorization'];
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : null;
    const body = typeof init?.body === 'string' ? init.body : '';
    headers[GATEWAY_PROOF_HEADER] = await signGatewayProof(proofSecret, subgraph, headers['x-request-id'] ?? 'gateway', token, askedOf(body, headers['x-purpose']));
    return fetcher(url, { ...init, headers });
  }) as unknown as Fetcher;
}

/** The error every caller sees when an agency's subgraph cannot be reached in time. */
export function subgraphUnavailable(subgraph: string, agency: string): GraphQLError {
  return new GraphQLError(
    `Hệ thống của ${agency} (${subgraph}) tạm thời không phản hồi; các phần dữ liệu khác vẫn được trả về. (${subgraph} is unavailable.)`,
    { extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph, agency } },
  );
}

interface GraphQLErrorBody {
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

function isGraphQLErrorBody(body: unknown): body is GraphQLErrorBody {
  return typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors);
}

/**
 * The gateway's link to one agency subgraph. It forwards the request id, passes on the GraphQL
 * errors of a 4xx answer (e.g. a malformed personal id) as the subgraph's own errors, and turns
 * anything else that goes wrong on the wire into SUBGRAPH_UNAVAILABLE naming the agency, never
 * the subgraph's host or the transport's message.
 */
export class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly subgraph: string,
    readonly agency: string,
    url: string,
    fetcher: Fetcher,
    proofSecret: Uint8Array,
    private readonly cache?: OpenDataCache,
  ) {
    super({ url, fetcher: provingFetcher(fetcher, proofSecret, subgraph) });
  }

  /**
   * Forwards the request id, the caller's token, purpose and language; the proof that the call comes
   * from the gateway is added as it leaves (provingFetcher). Calls the gateway makes on its own
   * (health, schema) carry a proof with no token.
   */
  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = request.http?.headers;
    if (!headers) return;
    const own = 'requestId' in context ? context : undefined;
    const token = own?.token ?? null;
    if (own) {
      headers.set('x-request-id', own.requestId);
      if (own.purposeHeader) headers.set('x-purpose', own.purposeHeader);
      if (own.acceptLanguage) headers.set('accept-language', own.acceptLanguage);
    }
    if (token) headers.set('authorization', `Bearer ${token}`);
  }

  /** A 4xx answer that carries GraphQL errors is the subgraph speaking: keep its errors. */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const body: unknown = await this.parseBody(response);
    if (response.status < 500 && isGraphQLErrorBody(body)) return new SubgraphAnswer(body.errors);
    return subgraphUnavailable(this.subgraph, this.agency);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    try {
      // Only a client's operation goes through the cache: never health checks or schema loading.
      if (this.cache && 'incomingRequestContext' in options) return await this.throughCache(this.cache, options);
      return await super.process(options);
    } catch (error) {
      if (error instanceof SubgraphAnswer) {
        return { errors: error.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} })) };
      }
      throw subgraphUnavailable(this.subgraph, this.agency);
    }
  }

  /**
   * Answers from `cache` what it holds and asks the subgraph for the rest. A fetch of entities is
   * split: the representations already kept are answered from the cache, the others (each once) are
   * sent, and the answers are put back in the order asked, errors' paths included. What the subgraph
   * marks as shared-cacheable, and answers without error, is kept for the time it says. A fetch
   * whose last answer was not shareable is sent as it is, with no work for the cache.
   */
  private async throughCache(cache: OpenDataCache, options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { request, context } = options;
    const query = request.query ?? '';
    const keepFor = (response: SubgraphResponse): number => {
      const seconds = response.errors?.length ? 0 : sharedMaxAge(response.http?.headers.get('cache-control'));
      cache.learn(this.subgraph, query, seconds > 0);
      return seconds;
    };
    if (!cache.mayKeep(this.subgraph, query)) {
      const response = await super.process(options);
      keepFor(response);
      return response;
    }
    const { representations, ...rest } = request.variables ?? {};
    const own = 'requestId' in context ? context : undefined;
    const shape = cache.shape(`${this.subgraph}\n${query}\n${own?.acceptLanguage ?? ''}\n${JSON.stringify(rest)}`);

    if (!Array.isArray(representations)) {
      const kept = cache.kept(shape);
      if (kept !== undefined) {
        if (own) own.servedFromCache.fetches++;
        keptFor(options, kept.secondsLeft);
        return { data: kept.value as Record<string, unknown> };
      }
      const response = await super.process(options);
      const seconds = keepFor(response);
      // A body larger than any entry kept is not even serialised again to find out.
      const length = Number(response.http?.headers.get('content-length') ?? 0);
      if (seconds > 0 && response.data && !(length > cache.largestEntry)) cache.set(shape, JSON.stringify(response.data), seconds);
      return response;
    }

    const entities: unknown[] = new Array(representations.length);
    /** For each representation not kept: its place among those sent (-1 when kept). */
    const sentAs: number[] = new Array(representations.length).fill(-1);
    /** For each place sent: the first representation asked there. */
    const firstAsked: number[] = [];
    const sentKeys: string[] = [];
    const sent: unknown[] = [];
    const placeOf = new Map<string, number>();
    /** The fewest seconds any entity answered from the cache may still be kept. */
    let secondsLeft = Infinity;
    representations.forEach((representation: unknown, index: number) => {
      const key = `${shape}\n${JSON.stringify(representation)}`;
      const kept = cache.kept(key);
      if (kept !== undefined) {
        entities[index] = kept.value;
        secondsLeft = Math.min(secondsLeft, kept.secondsLeft);
        return;
      }
      let place = placeOf.get(key);
      if (place === undefined) {
        place = sent.length;
        placeOf.set(key, place);
        sent.push(representation);
        sentKeys.push(key);
        firstAsked.push(index);
      }
      sentAs[index] = place;
    });
    if (secondsLeft !== Infinity) keptFor(options, secondsLeft);
    if (sent.length === 0) {
      if (own) own.servedFromCache.fetches++;
      return { data: { _entities: entities } };
    }
    request.variables = { ...rest, representations: sent };
    const response = await super.process(options);
    const seconds = keepFor(response);
    const data: unknown = response.data?.['_entities'];
    // No usable answer (e.g. the subgraph failed): what was kept still counts, the rest is null.
    const usable = Array.isArray(data) && data.length === sent.length;
    const answered: readonly unknown[] = usable ? data : sent.map(() => null);
    const texts: Array<string | undefined> = [];
    const textOf = (place: number): string => (texts[place] ??= JSON.stringify(answered[place] ?? null));
    sentAs.forEach((place, index) => {
      if (place === -1) return;
      // A representation asked twice gets its own copy: the gateway merges into what it receives.
      entities[index] = firstAsked[place] === index ? answered[place] : (JSON.parse(textOf(place)) as unknown);
    });
    if (seconds > 0 && usable) {
      answered.forEach((entity, place) => {
        if (entity !== null) cache.set(sentKeys[place] ?? '', textOf(place), seconds);
      });
    }
    const errors = response.errors?.map((error) => {
      const [root, place, ...below] = error.path ?? [];
      if (root !== '_entities' || typeof place !== 'number') return error;
      return { ...error, path: ['_entities', firstAsked[place] ?? place, ...below] };
    });
    return { ...response, data: { ...response.data, _entities: entities }, ...(errors ? { errors } : {}) };
  }
}

/**
 * Tells the response's cache policy that part of it came from the open-data cache, good for
 * `seconds` more: what a fetch sent to the subgraph would have said through its Cache-Control
 * header (Apollo's data source restricts the policy by that header; an answer from the cache has
 * none). Without it, an answer given wholly from the cache was marked no-store, so the most-asked
 * open data could not be kept by any cache downstream.
 */
function keptFor(options: GraphQLDataSourceProcessOptions<GatewayContext>, seconds: number): void {
  const policy = 'incomingRequestContext' in options ? options.incomingRequestContext.overallCachePolicy : undefined;
  if (policy && 'restrict' in policy) policy.restrict({ maxAge: seconds, scope: 'PUBLIC' });
}

/** Carries a subgraph's own GraphQL errors out of a non-2xx answer. */
class SubgraphAnswer extends GraphQLError {
  constructor(readonly errors: GraphQLErrorBody['errors']) {
    super(errors[0]?.message ?? 'subgraph error');
  }
}
