import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { listAgencies } from '../subgraphs/kit/agency';
import { GATEWAY_NODE_OPTIONS } from '../gateway/runtime';

// No Docker engine runs on these machines, so the file is checked for what it must say, not run.
interface ComposeFile {
  services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string>; depends_on?: unknown }>;
}

const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;

describe('docker-compose.yml', () => {
  it.each(listAgencies().map((a) => a.subgraph))('runs the %s subgraph against a PostgreSQL of its own', (name) => {
    const database = compose.services[`db-${name}`];
    const subgraph = compose.services[`subgraph-${name}`];
    expect(database?.image).toMatch(/^postgres:/);
    expect(subgraph?.command).toEqual(['npx', 'tsx', `subgraphs/${name}/index.ts`]);
    expect(subgraph?.environment?.['DATABASE_URL']).toBe(`postgres://lienthong:lienthong@db-${name}:5432/${name}`);
  });

  it('runs the schema registry against a PostgreSQL of its own, seeded with every subgraph, and the gateway and the access ledger follow it', () => {
    const registry = compose.services['registry'];
    const gateway = compose.services['gateway'];
    expect(compose.services['db-registry']?.image).toMatch(/^postgres:/);
    expect({
      command: registry?.command,
      database: registry?.environment?.['DATABASE_URL'],
      port: registry?.environment?.['PORT'],
      seeded: JSON.parse(registry?.environment?.['SEED_SUBGRAPH_URLS'] ?? '{}') as Record<string, string>,
      followed: gateway?.environment?.['LIENTHONG_REGISTRY_URL'],
      ledgerFollows: compose.services['subgraph-access']?.environment?.['LIENTHONG_REGISTRY_URL'],
    }).toEqual({
      command: ['npx', 'tsx', 'schema/registry/index.ts'],
      database: 'postgres://lienthong:lienthong@db-registry:5432/registry',
      port: '4010',
      seeded: JSON.parse(gateway?.environment?.['SUBGRAPH_URLS'] ?? '{}') as Record<string, string>,
      followed: 'http://registry:4010',
      ledgerFollows: 'http://registry:4010',
    });
    expect(gateway?.depends_on).toContain('registry');
  });

  it('starts the gateway with the Node.js options it is benchmarked with', () => {
    expect(compose.services['gateway']?.environment?.['NODE_OPTIONS']).toBe(GATEWAY_NODE_OPTIONS);
  });

  it('points the gateway at every subgraph', () => {
    const urls = JSON.parse(compose.services['gateway']?.environment?.['SUBGRAPH_URLS'] ?? '{}') as Record<string, string>;
    expect(Object.keys(urls).sort()).toEqual(listAgencies().map((a) => a.subgraph).sort());
  });
});
