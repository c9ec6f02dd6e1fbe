import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const MIGRATION_FILE = /^(\d{3,})_[a-z0-9_]+\.sql$/;
/** Arbitrary but fixed: only one migrator per database runs at a time. */
const MIGRATION_LOCK = 4_701_202_047;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Reads `NNN_name.sql` files from `dir`, in version order. Refuses duplicate versions. */
export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .map((file) => ({
      version: Number(MIGRATION_FILE.exec(file)?.[1]),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new Error(`Two migrations share version ${migrations[i]?.version} in ${dir}`);
    }
  }
  return migrations;
}

/** The kit's own migrations (the disclosure log), applied to every provider's database. */
export const KIT_MIGRATIONS = { dir: join(__dirname, 'migrations'), table: 'kit_migrations' } as const;

/**
 * Applies, each in its own transaction and in order, the migrations of `dir` not yet recorded in
 * `table` (default `schema_migrations`; the kit's migrations keep their own, `kit_migrations`). Safe
 * to run concurrently: an advisory lock serialises migrators. Returns the names applied.
 */
export async function migrate(connectionString: string, dir: string, table: 'schema_migrations' | 'kit_migrations' = 'schema_migrations'): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('/* migrationLock */ SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `/* createMigrationTable */ CREATE TABLE IF NOT EXISTS ${table} (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = await client.query<{ version: number }>(`/* appliedMigrations */ SELECT version FROM ${table}`);
    const doneVersions = new Set(done.rows.map((row) => row.version));
    for (const migration of readMigrations(dir)) {
      if (doneVersions.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(`/* recordMigration */ INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
  return applied;
}

/**
 * Creates `database` on the server of `adminUrl` if it does not exist. The name is checked against a
 * strict pattern because CREATE DATABASE cannot take a bind parameter.
 */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(database)) throw new Error(`Refusing unsafe database name "${database}"`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('/* databaseExists */ SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${database}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

/** The URL of `database` on the same server as `serverUrl`. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops `database` if it exists, disconnecting its sessions; the name is checked as in ensureDatabase. */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(database)) throw new Error(`Refusing unsafe database name "${database}"`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Drops `database` and creates it empty: for development databases rebuilt at every start (the mesh's registry). */
export async function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  await dropDatabase(adminUrl, database);
  await ensureDatabase(adminUrl, database);
}
