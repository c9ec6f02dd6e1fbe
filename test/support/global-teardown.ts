import { rmSync } from 'node:fs';

/** Stops the embedded PostgreSQL that global set-up started, if any, and removes its files. */
export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__lienthongTestPostgres;
  if (!started) return;
  await started.pg.stop();
  rmSync(started.dataDir, { recursive: true, force: true });
}
