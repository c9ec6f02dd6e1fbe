import { rmSync } from 'node:fs';
import pg from 'pg';

/**
 * Stops the embedded PostgreSQL that global set-up started, if any, and removes its files. On a
 * server of the developer's own (LIENTHONG_TEST_DATABASE_URL), drops the databases this run made
 * (their names carry its tag), and no other: on a shared server, runs side by side keep theirs.
 */
export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__lienthongTestPostgres;
  if (started) {
    await started.pg.stop();
    rmSync(started.dataDir, { recursive: true, force: true });
    return;
  }
  const run = process.env.LIENTHONG_TEST_RUN;
  const url = process.env.LIENTHONG_TEST_DATABASE_URL;
  if (!run || !/^[0-9a-f]{6}$/.test(run) || !url) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [`t${run}`]);
    // A name cannot be a bind parameter; these are the run's own, made by uniquePrefix: [a-z0-9_] only.
    for (const { datname } of rows) if (/^[a-z0-9_]+$/.test(datname)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
