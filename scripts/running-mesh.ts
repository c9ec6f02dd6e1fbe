import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { databaseUrl } from '../subgraphs/kit/migrate';

/** Where `npm start` describes the mesh it runs, while it runs (development only; readable by its user only). */
export const RUNNING_MESH_FILE = join(__dirname, '..', '.data', 'running-mesh.json');

const runningMeshSchema = z.object({
  /** Each agency database's owner URL, by subgraph. */
  ownerUrls: z.record(z.string(), z.string()),
  /** The PostgreSQL server's admin URL: a subgraph that joins the mesh creates its database there. */
  serverUrl: z.string(),
  /** Agency databases are named `<databasePrefix><subgraph>`. */
  databasePrefix: z.string(),
  /** The size of the synthetic data the mesh was seeded with. */
  seedScale: z.number().positive(),
  /** The access ledger (the access subgraph's base URL), which providers read grants from. */
  accessLedgerUrl: z.string().optional(),
  /** The schema registry the gateway follows, which `npm run schema -- check` asks by default. */
  registryUrl: z.string().optional(),
});
/** What `npm start` tells other commands about the mesh it runs. */
export type RunningMesh = z.infer<typeof runningMeshSchema>;

export function writeRunningMesh(mesh: RunningMesh): void {
  mkdirSync(dirname(RUNNING_MESH_FILE), { recursive: true });
  writeFileSync(RUNNING_MESH_FILE, JSON.stringify(mesh), { mode: 0o600 });
}

export function removeRunningMesh(): void {
  rmSync(RUNNING_MESH_FILE, { force: true });
}

/**
 * The owner URL of subgraph `name`'s database in `mesh`: one the mesh started with, else the one
 * `npm run subgraph -- <name> --mesh` gives a subgraph that joins it (`<databasePrefix><name>` on the
 * mesh's server).
 */
export function meshDatabaseUrl(mesh: RunningMesh, name: string): string {
  return mesh.ownerUrls[name] ?? databaseUrl(mesh.serverUrl, `${mesh.databasePrefix}${name.replace(/-/g, '_')}`);
}

/** The mesh `npm start` is running here, or null when none is. */
export function readRunningMesh(): RunningMesh | null {
  if (!existsSync(RUNNING_MESH_FILE)) return null;
  return runningMeshSchema.parse(JSON.parse(readFileSync(RUNNING_MESH_FILE, 'utf8')));
}
