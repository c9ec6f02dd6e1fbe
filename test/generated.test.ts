import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { composeSupergraph, localSubgraphSources, SUPERGRAPH_PATH } from '../schema/compose';

const root = join(__dirname, '..');

describe('committed generated files', () => {
  it('schema/supergraph.graphql is what `npm run compose` produces from the subgraphs', () => {
    const outcome = composeSupergraph(localSubgraphSources());
    if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(outcome.supergraphSdl);
  });

  it('every __generated__ file is what `npm run codegen` produces', () => {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    let output: string;
    try {
      output = execFileSync(tsx, [join(root, 'scripts', 'codegen-check.ts')], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`generated files are stale:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
    expect(output).toMatch(/^checked \d+ generated files\n$/);
  }, 60_000);
});
