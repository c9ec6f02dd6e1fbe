import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildSchema, type SubgraphContext, type SubgraphDefinition } from './server';
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
