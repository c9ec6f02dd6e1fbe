import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { buildSchema, languageOf, type SubgraphContext, type SubgraphDefinition } from './server';
import { SharingPolicyError } from '../../schema/sharing';

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
