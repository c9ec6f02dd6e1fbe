import { readAgency } from './agency';
import { loadDefinition } from './registry';
import { runStandalone } from './standalone';

/** `npm run subgraph -- <name>`: runs one agency subgraph alone, configured by its environment. */
const name = process.argv[2];
if (!name) {
  process.stderr.write('usage: npm run subgraph -- <name>   (e.g. citizens), with DATABASE_URL set\n');
  process.exit(2);
}
void runStandalone(loadDefinition(readAgency(name)));
