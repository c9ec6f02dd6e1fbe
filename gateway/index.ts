import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, parseConfig } from '../subgraphs/kit/config';
import { gatewayEnvSchema } from './config';
import { startGateway } from './server';
import { trustFromEnv } from '../subgraphs/kit/trust';
import { registryReaderSecret, servedSupergraphFeed } from '../schema/registry/gateway-feed';

/** Runs the gateway alone, as the governing department deploys it. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const logger = pino({ name: 'gateway' });
  try {
    const env = parseConfig(gatewayEnvSchema);
    const trust = trustFromEnv();
    const gatewaySecret = trust.gatewaySecret;
    if (!gatewaySecret) throw new ConfigError('Invalid configuration:\n  - LIENTHONG_GATEWAY_SECRET: required');
    logger.level = env.LOG_LEVEL;
    const gateway = await startGateway(
      {
        supergraphSdl: readFileSync(env.SUPERGRAPH_PATH, 'utf8'),
        openSupergraphSdl: readFileSync(env.OPEN_SUPERGRAPH_PATH, 'utf8'),
        trust: { verifyToken: trust.verifyToken, gatewaySecret },
        subgraphUrls: env.SUBGRAPH_URLS,
        subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
        subgraphConnections: env.SUBGRAPH_CONNECTIONS,
        openDataCacheBytes: Math.round(env.OPEN_DATA_CACHE_MB * 1024 * 1024),
        ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
        ...(env.OPEN_DATA_LICENSE ? { openDataLicense: env.OPEN_DATA_LICENSE } : {}),
        openWritesPerHour: env.OPEN_WRITES_PER_HOUR,
        logger,
        ...(env.LIENTHONG_REGISTRY_URL ? { follow: { source: servedSupergraphFeed(env.LIENTHONG_REGISTRY_URL, registryReaderSecret(gatewaySecret)) } } : {}),
      },
      env.PORT,
      env.HOST,
    );
    logger.info({ url: `${gateway.url}/graphql` }, 'gateway listening');
    if (!env.PUBLIC_URL && !['127.0.0.1', 'localhost', '::1'].includes(env.HOST)) {
      logger.warn({ host: env.HOST }, 'PUBLIC_URL is not set: the open-data catalogue links to the address the gateway listens on, which the public may not reach');
    }
    const stop = async () => {
      await gateway.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  } catch (error) {
    if (error instanceof ConfigError) logger.fatal(error.message);
    else logger.fatal({ err: error }, 'gateway failed to start');
    process.exit(1);
  }
}

void main();
