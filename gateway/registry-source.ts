import { servedSupergraphFeed } from '../schema/registry/gateway-feed';
import type { SupergraphSource } from './server';

/**
 * The schema registry as the gateway's supergraph source: its current supergraph and open contract,
 * read with the gateway's service token. Null while the registry has none; throws when it cannot be
 * reached or answers otherwise (the gateway then keeps what it serves).
 */
export function registrySource(registryUrl: string, readerSecret: Uint8Array, timeoutMs = 3000): SupergraphSource {
  return servedSupergraphFeed(registryUrl, readerSecret, timeoutMs);
}
