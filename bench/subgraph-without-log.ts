/**
 * Benchmarks only: one agency subgraph run exactly as `subgraphs/kit/run.ts` runs it, except that it
 * answers without writing its disclosure log, so that `npm run bench` can measure what the logs cost
 * the mesh. No product entry point or setting can turn a provider's log off.
 * `tsx bench/subgraph-without-log.ts <name>`, with the environment of `npm run subgraph`.
 */
import { readAgency } from '../subgraphs/kit/agency';
import { loadDefinition } from '../subgraphs/kit/registry';
import { runStandalone } from '../subgraphs/kit/standalone';

const [name] = process.argv.slice(2);
if (!name) {
  process.stderr.write('usage: tsx bench/subgraph-without-log.ts <name>\n');
  process.exit(2);
}
void runStandalone(loadDefinition(readAgency(name)), process.env, { disclosureLogForBenchmarkOnly: false });
