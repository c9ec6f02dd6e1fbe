import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen';
import { composeSupergraph, localSubgraphSources, SUPERGRAPH_PATH } from '../schema/compose';

const root = join(__dirname, '..');

describe('committed generated files', () => {
  it('schema/supergraph.graphql is what `npm run compose` produces from the subgraphs', () => {
    const outcome = composeSupergraph(localSubgraphSources());
    if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(outcome.supergraphSdl);
  });

  it('every __generated__ file is what `npm run codegen` produces', async () => {
    const outputs = await generate({ ...config, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect({ file: output.filename, content: readFileSync(join(root, output.filename), 'utf8') }).toEqual({
        file: output.filename,
        content: output.content,
      });
    }
  });
});
