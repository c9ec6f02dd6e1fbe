import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
import { ErrorCode } from '../subgraphs/kit/errors';
import { GATEWAY_PROOF_HEADER, signGatewayProof } from '../subgraphs/kit/identity';
import type { GatewayContext } from './context';

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
    private readonly proofSecret: Uint8Array,
  ) {
    super({ url, fetcher });
  }

  /**
   * Forwards the caller's token, purpose and language, and proves the call comes from the gateway
   * with a short-lived signature bound to this subgraph, the request and that token. Calls the
   * gateway makes on its own (health, schema) carry a proof with no token.
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
    headers.set(GATEWAY_PROOF_HEADER, await signGatewayProof(this.proofSecret, this.subgraph, own?.requestId ?? 'gateway', token));
  }

  /** A 4xx answer that carries GraphQL errors is the subgraph speaking: keep its errors. */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const body: unknown = await this.parseBody(response);
    if (response.status < 500 && isGraphQLErrorBody(body)) return new SubgraphAnswer(body.errors);
    return subgraphUnavailable(this.subgraph, this.agency);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      if (error instanceof SubgraphAnswer) {
        return { errors: error.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} })) };
      }
      throw subgraphUnavailable(this.subgraph, this.agency);
    }
  }
}

/** Carries a subgraph's own GraphQL errors out of a non-2xx answer. */
class SubgraphAnswer extends GraphQLError {
  constructor(readonly errors: GraphQLErrorBody['errors']) {
    super(errors[0]?.message ?? 'subgraph error');
  }
}
