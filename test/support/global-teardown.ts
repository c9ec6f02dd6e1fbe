/** Stops the embedded PostgreSQL that global set-up started, if any. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__lienthongTestPostgres?.stop();
}
