import { composeSupergraph } from './compose';
import { prepareSubgraphSdl, SharingPolicyError } from './sharing';
import { parse, print } from 'graphql';

const owner = `
  type Query { "q" things: [Thing!]! @sharing(category: OPEN) }
  "A thing." type Thing @key(fields: "id") @sharing(category: OPEN) {
    "id" id: ID!
    "name" name: String!
    "secret" secret: String! @sharing(category: SPECIAL_REQUEST)
  }
`;
const contributor = `
  "A thing." type Thing @key(fields: "id") {
    "id" id: ID! @sharing(category: OPEN)
    "added by another agency" extra: String! @sharing(category: DEFAULT)
  }
`;

function categoryInSupergraph(supergraph: string, typeName: string, fieldName: string): string | undefined {
  const type = parse(supergraph).definitions.find((d) => 'name' in d && d.name?.value === typeName);
  if (!type || !('fields' in type) || !type.fields) return undefined;
  const field = (type.fields as ReadonlyArray<{ name: { value: string } }>).find((f) => f.name.value === fieldName);
  const printed = field ? print(field as never) : '';
  return /@sharing\(category: (\w+)\)/.exec(printed)?.[1];
}

describe('sharing categories in the SDL', () => {
  it('expands a type-level default onto each field of that definition, keeping explicit categories', () => {
    const sdl = print(prepareSubgraphSdl('owner', owner));
    expect(sdl).toMatch(/name: String! @sharing\(category: OPEN\)/);
    expect(sdl).toMatch(/secret: String! @sharing\(category: SPECIAL_REQUEST\)/);
    expect(sdl).not.toMatch(/type Thing @key\(fields: "id"\) @sharing/);
  });

  it('does not spread the owning subgraph\'s default to fields another subgraph adds to the entity', () => {
    const outcome = composeSupergraph([
      { name: 'owner', url: 'http://owner/graphql', sdl: owner },
      { name: 'contributor', url: 'http://contributor/graphql', sdl: contributor },
    ]);
    if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
    expect(categoryInSupergraph(outcome.supergraphSdl, 'Thing', 'name')).toBe('OPEN');
    expect(categoryInSupergraph(outcome.supergraphSdl, 'Thing', 'extra')).toBe('DEFAULT');
    expect(categoryInSupergraph(outcome.supergraphSdl, 'Thing', 'secret')).toBe('SPECIAL_REQUEST');
  });

  it('refuses a subgraph with an uncategorised field and names every such field', () => {
    const sdl = `type Query { "q" a: String @sharing(category: OPEN) "q" b: String "q" c: Int }`;
    expect(() => prepareSubgraphSdl('demo', sdl)).toThrow(SharingPolicyError);
    expect(() => prepareSubgraphSdl('demo', sdl)).toThrow('Subgraph "demo" has fields with no @sharing category: Query.b, Query.c');
  });

  it('refuses a personal field marked OPEN', () => {
    const sdl = `type Query { "q" name: String @personal @sharing(category: OPEN) }`;
    expect(() => prepareSubgraphSdl('demo', sdl)).toThrow('Subgraph "demo" marks personal fields as OPEN: Query.name');
  });

  it('refuses composition when a contributing subgraph leaves a field uncategorised', () => {
    const outcome = composeSupergraph([
      { name: 'owner', url: 'http://owner/graphql', sdl: owner },
      { name: 'contributor', url: 'http://contributor/graphql', sdl: contributor.replace(' @sharing(category: DEFAULT)', '') },
    ]);
    expect(outcome).toEqual({ ok: false, errors: ['Subgraph "contributor" has fields with no @sharing category: Thing.extra'] });
  });
});
