import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { argumentsBelow } from './lookahead';

const schema = buildSchema(`
  type Query { shop: Shop  search: [Result!]! }
  type Shop { name: String  items(first: Int = 20): [Item!]! }
  type Item { name: String  tags(first: Int = 5): [String!]! }
  type Person { name: String }
  union Result = Shop | Person
`);

/** What `argumentsBelow` reads for `path` from the field `field` of `query`. */
async function lookahead(query: string, field: 'shop' | 'search', path: readonly string[], variables?: Record<string, unknown>) {
  let seen: Array<Record<string, unknown>> | undefined;
  // A root value's function is the field's resolver, called with (args, context, info).
  const capture = (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
    seen = argumentsBelow(info, path);
    return field === 'shop' ? { items: [] } : [];
  };
  const result = await graphql({ schema, source: query, rootValue: { [field]: capture }, variableValues: variables ?? null });
  expect(result.errors).toBeUndefined();
  return seen;
}

describe('argumentsBelow', () => {
  it('gives the arguments of a nested selection, with defaults applied', async () => {
    expect(await lookahead('{ shop { items { tags } } }', 'shop', ['items', 'tags'])).toEqual([{ first: 5 }]);
    expect(await lookahead('{ shop { items { name } } }', 'shop', ['items'])).toEqual([{ first: 20 }]);
  });

  it('is empty when the field is not selected', async () => {
    expect(await lookahead('{ shop { name } }', 'shop', ['items'])).toEqual([]);
  });

  it('gives one entry per alias, with variables read', async () => {
    expect(await lookahead('query ($n: Int) { shop { a: items(first: 1) { name } b: items(first: $n) { name } } }', 'shop', ['items'], { n: 7 }))
      .toEqual([{ first: 1 }, { first: 7 }]);
  });

  it('follows named and inline fragments, and leaves out what @skip and @include leave out', async () => {
    const query = `query ($no: Boolean!) {
      shop { ...Items ... on Shop { b: items(first: 2) { name } } ... @include(if: $no) { c: items(first: 3) { name } } }
    }
    fragment Items on Shop { a: items(first: 1) { name } d: items(first: 4) @skip(if: true) { name } }`;
    expect(await lookahead(query, 'shop', ['items'], { no: false })).toEqual([{ first: 1 }, { first: 2 }]);
  });

  it('reaches into a union only through a fragment on the member that has the field', async () => {
    const query = '{ search { ... on Person { name } ... on Shop { items(first: 9) { name } } } }';
    expect(await lookahead(query, 'search', ['items'])).toEqual([{ first: 9 }]);
  });
});
