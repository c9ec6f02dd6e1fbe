import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/embedded-postgres';

declare global {
  // Handed from global set-up to global teardown (same process).
  var __lienthongTestPostgres: { pg: EmbeddedPostgres; dataDir: string } | undefined;
}

/**
 * Tests need a real PostgreSQL server. LIENTHONG_TEST_DATABASE_URL (an admin URL, e.g. the local
 * server at 127.0.0.1:5432) is used when set; otherwise an embedded PostgreSQL is started in a fresh
 * temporary directory on a free port. Each test file creates its own databases on it, named with
 * this run's tag (LIENTHONG_TEST_RUN, see uniquePrefix), so that teardown drops exactly this run's.
 */
export default async function globalSetup(): Promise<void> {
  process.env.LIENTHONG_TEST_RUN = randomBytes(3).toString('hex');
  if (process.env.LIENTHONG_TEST_DATABASE_URL) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'lienthong-test-pg-'));
  const pg = await startEmbeddedPostgres(dataDir, { fast: true });
  globalThis.__lienthongTestPostgres = { pg, dataDir };
  process.env.LIENTHONG_TEST_DATABASE_URL = pg.url;
}
