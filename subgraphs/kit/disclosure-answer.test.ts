import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import { disclosesNothing } from './disclosure-answer';

const answer = (body: unknown): HTTPGraphQLResponse => ({ status: 200, headers: new HeaderMap(), body: { kind: 'complete', string: JSON.stringify(body) } });

describe('an answer that may leave when its disclosure record could not be written', () => {
  it('carries no data at all: no data, or every root field null', () => {
    expect(disclosesNothing(answer({ data: null, errors: [{ message: 'down' }] }))).toBe(true);
    expect(disclosesNothing(answer({ errors: [{ message: 'down' }] }))).toBe(true);
    expect(disclosesNothing(answer({ data: { citizen: null, household: null } }))).toBe(true);
  });

  it('is never a list, even empty or of nulls: that nobody matches, or that these people do not exist, is an answer about people', () => {
    expect(disclosesNothing(answer({ data: { _entities: [] } }))).toBe(false);
    expect(disclosesNothing(answer({ data: { _entities: [null, null] } }))).toBe(false);
    expect(disclosesNothing(answer({ data: { citizen: null, citizens: { nodes: [] } } }))).toBe(false);
  });
});
