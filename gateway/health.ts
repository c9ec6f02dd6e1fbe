import { request } from 'undici';

export interface SubgraphHealth {
  readonly subgraph: string;
  readonly agency: string;
  readonly status: 'ready' | 'unavailable';
}

/**
 * Asks each subgraph's /health/ready (its database reachable) with a short timeout. The gateway is
 * ready only when every subgraph is.
 */
export async function checkSubgraphs(
  subgraphs: ReadonlyArray<{ name: string; agency: string; url: string }>,
  timeoutMs = 2000,
): Promise<{ ready: boolean; subgraphs: SubgraphHealth[] }> {
  const results = await Promise.all(
    subgraphs.map(async ({ name, agency, url }): Promise<SubgraphHealth> => {
      const healthUrl = new URL('/health/ready', url).toString();
      try {
        const response = await request(healthUrl, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        await response.body.dump();
        return { subgraph: name, agency, status: response.statusCode === 200 ? 'ready' : 'unavailable' };
      } catch {
        return { subgraph: name, agency, status: 'unavailable' };
      }
    }),
  );
  return { ready: results.every((r) => r.status === 'ready'), subgraphs: results };
}
