import { readAgency } from './agency';
import { ensureDatabase } from './migrate';
import { loadDefinition } from './registry';
import { runStandalone } from './standalone';
import { meshDatabaseUrl, readRunningMesh } from '../../scripts/running-mesh';

const USAGE = `usage: npm run subgraph -- <name>          (e.g. citizens), with DATABASE_URL set
       npm run subgraph -- <name> --mesh   on the PostgreSQL of the mesh \`npm start\` runs here
`;

/**
 * The environment of a subgraph joining the mesh `npm start` runs here: its own database
 * `<prefix><name>` on the mesh's server (created when missing), seeded at the mesh's scale, and the
 * mesh's access ledger. Variables already set win.
 */
async function onRunningMesh(name: string): Promise<NodeJS.ProcessEnv> {
  const mesh = readRunningMesh();
  if (!mesh) throw new Error('--mesh: npm start is not running here (no .data/running-mesh.json); start it first, or give DATABASE_URL');
  const url = meshDatabaseUrl(mesh, name);
  await ensureDatabase(mesh.serverUrl, new URL(url).pathname.slice(1));
  return {
    DATABASE_URL: url,
    SEED: 'true',
    SEED_SCALE: String(mesh.seedScale),
    ...(mesh.accessLedgerUrl ? { ACCESS_LEDGER_URL: mesh.accessLedgerUrl } : {}),
    ...process.env,
  };
}

/** `npm run subgraph -- <name> [--mesh]`: runs one agency subgraph alone, configured by its environment. */
async function main(): Promise<void> {
  const [name, ...flags] = process.argv.slice(2);
  const unknown = flags.filter((flag) => flag !== '--mesh');
  if (!name || name.startsWith('-') || unknown.length > 0) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const definition = loadDefinition(readAgency(name));
  await runStandalone(definition, flags.includes('--mesh') ? await onRunningMesh(name) : process.env);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
