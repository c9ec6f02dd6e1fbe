/**
 * How the gateway counts an operation's cost (limits.ts), on a small schema of its own: the same
 * count whether a page size is written or passed as a variable, defaults and nulls counted as the
 * subgraphs would serve them, and @include/@skip followed.
 */
import { buildSchema, parse } from 'graphql';
import { operationCost } from './limits';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../subgraphs/kit/pagination';

const schema = buildSchema(`
  type Query { things(first: Int = 30): ThingPage! }
  type ThingPage { nodes: [Thing!]! }
  type Thing { id: ID! name: String parts(first: Int = 5): [Part!]! }
  type Part { id: ID! }
`);

/** The cost of `query` (parsed afresh, so that nothing is remembered between cases). */
function cost(query: string, variables?: Record<string, unknown>): number | undefined {
  return operationCost(schema, parse(query), undefined, variables);
}

/** things (1) + rows × (nodes 1 + id 1 + name 1). */
const page = (rows: number) => 1 + rows * 3;

it('counts a list once per row it asks for, whether `first` is written or a variable', () => {
  expect(cost('{ things(first: 10) { nodes { id name } } }')).toBe(page(10));
  expect(cost('query ($n: Int) { things(first: $n) { nodes { id name } } }', { n: 10 })).toBe(page(10));
  expect(cost('query ($n: Int) { things(first: $n) { nodes { id name } } }', { n: 90 })).toBe(page(90));
});

it('counts a list without `first` at its default, one with `first: null` at the subgraphs\' default, and never above the largest page', () => {
  expect(cost('{ things { nodes { id name } } }')).toBe(page(30));
  expect(cost('query ($n: Int = 40) { things(first: $n) { nodes { id name } } }')).toBe(page(40));
  expect(cost('query ($n: Int = 40) { things(first: $n) { nodes { id name } } }', { n: null })).toBe(page(DEFAULT_PAGE_SIZE));
  expect(cost('{ things(first: 100000) { nodes { id name } } }')).toBe(page(MAX_PAGE_SIZE));
  expect(cost('{ things(first: -5) { nodes { id name } } }')).toBe(page(0));
});

it('multiplies nested lists', () => {
  // things (1) + 10 × (nodes 1 + id 1 + parts (1 + 7 × id 1)).
  expect(cost('{ things(first: 10) { nodes { id parts(first: 7) { id } } } }')).toBe(1 + 10 * (1 + 1 + (1 + 7)));
  // The same document remembers each value of its variables apart.
  const document = parse('query ($n: Int) { things(first: 10) { nodes { id parts(first: $n) { id } } } }');
  expect(operationCost(schema, document, undefined, { n: 7 })).toBe(1 + 10 * (1 + 1 + (1 + 7)));
  expect(operationCost(schema, document, undefined, { n: 2 })).toBe(1 + 10 * (1 + 1 + (1 + 2)));
  expect(operationCost(schema, document, undefined, {})).toBe(1 + 10 * (1 + 1 + (1 + 5)));
});

it('leaves out what @include and @skip leave out', () => {
  const query = 'query ($deep: Boolean!) { things(first: 10) { nodes { id parts(first: 50) @include(if: $deep) { id } } } }';
  const document = parse(query);
  expect(operationCost(schema, document, undefined, { deep: false })).toBe(1 + 10 * (1 + 1));
  expect(operationCost(schema, document, undefined, { deep: true })).toBe(1 + 10 * (1 + 1 + (1 + 50)));
});

it('gives no cost when the variables do not fit the operation (execution refuses them)', () => {
  expect(cost('query ($n: Int!) { things(first: $n) { nodes { id } } }', {})).toBeUndefined();
  expect(cost('query ($n: Int) { things(first: $n) { nodes { id } } }', { n: 'ten' })).toBeUndefined();
});
