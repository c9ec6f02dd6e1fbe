import { z } from 'zod';
import { GATEWAY_SUPERGRAPH_PATH, REGISTRY_SERVICE_HEADER, signGatewayReader } from '../schema/registry/gateway-feed';
import type { SupergraphSource } from './server';

const served = z.object({ version: z.number(), sha256: z.string(), sdl: z.string(), openSdl: z.string() });

/**
 * The schema registry as the gateway's supergraph source: its current supergraph and open contract,
 * read with the gateway's service token. Null while the registry has none; throws when it cannot be
 * reached or answers otherwise (the gateway then keeps what it serves).
 */
export function registrySource(registryUrl: string, readerSecret: Uint8Array, timeoutMs = 3000): SupergraphSource {
  return async () => {
    const response = await fetch(new URL(GATEWAY_SUPERGRAPH_PATH, registryUrl), {
      headers: { [REGISTRY_SERVICE_HEADER]: await signGatewayReader(readerSecret), accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`the registry answered ${response.status}`);
    }
    const body = served.parse(await response.json());
    return { id: `registry-v${body.version}-${body.sha256.slice(0, 12)}`, supergraphSdl: body.sdl, openSupergraphSdl: body.openSdl };
  };
}
