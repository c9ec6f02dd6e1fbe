import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { buildSchema, languageOf, startSubgraph, type RunningSubgraph, type SubgraphContext, type SubgraphDefinition } from './server';
import { SharingPolicyError } from '../../schema/sharing';
import { Database } from './db';
import { GrantCache, type LedgerSnapshot } from './grants';
import { askedOf, GATEWAY_PROOF_HEADER, signGatewayProof, type Caller } from './identity';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function definitionWithSchema(sdl: string): SubgraphDefinition<SubgraphContext> {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-subgraph-'));
  made.push(dir);
  writeFileSync(join(dir, 'schema.graphql'), sdl);
  return { name: 'demo', dir, resolvers: {}, createContext: (base) => base };
}

describe('a subgraph at start-up', () => {
  it('refuses to build when a field has no sharing category, naming the field', () => {
    const definition = definitionWithSchema(`
      type Query { "a" permits: [Permit!]! @sharing(category: OPEN) }
      "p" type Permit { "n" number: String! @sharing(category: OPEN) "o" owner: String }
    `);
    expect(() => buildSchema(definition)).toThrow(new SharingPolicyError('demo', ['Permit.owner'], 'has fields with no @sharing category'));
  });

  it('builds when every field is categorised, directly or by a type default', () => {
    const definition = definitionWithSchema(`
      type Query { "a" permits: [Permit!]! @sharing(category: OPEN) }
      "p" type Permit @sharing(category: DEFAULT) { "n" number: String! @sharing(category: OPEN) "o" owner: String }
    `);
    expect(buildSchema(definition).getType('Permit')).toBeDefined();
  });
});

describe('languageOf', () => {
  it('weighs Accept-Language quality values: English only when preferred to Vietnamese', () => {
    const of = (header: string | undefined) => languageOf({ headers: header === undefined ? {} : { 'accept-language': header } } as IncomingMessage);
    expect([undefined, 'en-US,en;q=0.9', 'vi;q=0,en', 'en;q=0.5,vi;q=0.6', 'vi-VN,vi;q=0.9,en;q=0.8', 'fr', '*'].map(of)).toEqual([
      'vi', 'en', 'en', 'vi', 'vi', 'vi', 'vi',
    ]);
  });
});

describe('a provider whose view of the grants has aged', () => {
  // Sở Y tế's grant on a special-request field of Công an's subgraph; no poll timer runs (the cache
  // is never started): the test moves the cache's clock past the staleness bound instead.
  const grant = { id: 'g1', consumerAgency: 'so-y-te', fields: ['Query.ethnicGroup'], validFrom: '2026-01-01', validUntil: null };
  const official: Caller = { kind: 'official', officialId: 'so-y-te.official', agency: 'so-y-te', roles: ['official'] };
  const proofSecret = randomBytes(32);
  let clock = Date.parse('2026-12-06T03:00:00Z');
  let reachable = true;
  let polls = 0;
  const grants = new GrantCache(
    async (): Promise<LedgerSnapshot> => {
      polls++;
      if (!reachable) throw new Error('access ledger unreachable');
      return { grants: [grant], consents: [] };
    },
    1000,
    5000,
    () => new Date(clock),
  );
  let running: RunningSubgraph;

  beforeAll(async () => {
    const definition: SubgraphDefinition<SubgraphContext> = {
      ...definitionWithSchema('type Query { "e" ethnicGroup: String @sharing(category: SPECIAL_REQUEST) "n" name: String @sharing(category: DEFAULT) }'),
      name: 'citizens',
      resolvers: { Query: { ethnicGroup: () => 'Kinh', name: () => 'An' } },
      disclosureLog: false,
    };
    // No query reaches the database: the pool never connects.
    const db = new Database('test', { connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1, statementTimeoutMs: 1000, connectTimeoutMs: 1000 });
    running = await startSubgraph(definition, {
      db,
      port: 0,
      host: '127.0.0.1',
      logger: pino({ level: 'silent' }),
      trust: { verifyToken: async () => official, proofSecret },
      grants,
    });
  });
  afterAll(async () => {
    await running.stop();
    await running.db.close();
  });

  /** Asks for the special-request field as Sở Y tế, through the gateway (its proof, its purpose header). */
  const ask = async (query = '{ ethnicGroup }') => {
    const body = JSON.stringify({ query });
    const purpose = encodeURIComponent('Khám chữa bệnh');
    const token = 'token-of-so-y-te';
    const proof = await signGatewayProof(proofSecret, 'citizens', 'request-1', token, askedOf(body, purpose));
    const response = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: proof, 'x-purpose': purpose },
      body,
    });
    return (await response.json()) as { data?: Record<string, string | null>; errors?: Array<{ extensions?: Record<string, unknown> }> };
  };

  it('asks the ledger nothing for a request no grant decides: a slow ledger slows only what rests on it', async () => {
    await grants.refresh();
    clock += 5001;
    const before = polls;
    expect(await ask('{ name }')).toEqual({ data: { name: 'An' } });
    expect(polls).toBe(before);
  });

  it('asks the ledger before deciding, rather than refusing because its poll timer is late', async () => {
    await grants.refresh();
    clock += 5001;
    expect(grants.grantFor('so-y-te', 'Query.ethnicGroup')).toBe('unavailable');
    const before = polls;
    expect(await ask()).toEqual({ data: { ethnicGroup: 'Kinh' } });
    expect(polls).toBe(before + 1);
  });

  it('still refuses, fail closed, when the ledger cannot be reached', async () => {
    reachable = false;
    clock += 5001;
    const answer = await ask();
    expect(answer.data).toEqual({ ethnicGroup: null });
    expect(answer.errors?.map((error) => error.extensions?.['reason'])).toEqual(['GRANTS_UNAVAILABLE']);
  });
});
