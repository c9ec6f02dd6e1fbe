import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen';

/**
 * Exits 1, naming the files, when a committed __generated__ file differs from what
 * `npm run codegen` would write now. Runs outside Jest because the codegen CLI loads ESM modules.
 */
async function main(): Promise<void> {
  const outputs: ReadonlyArray<{ filename: string; content: string }> = await generate({ ...config, silent: true }, false);
  const stale = outputs.filter((output) => {
    try {
      return readFileSync(join(__dirname, '..', output.filename), 'utf8') !== output.content;
    } catch {
      return true;
    }
  });
  process.stdout.write(`checked ${outputs.length} generated files\n`);
  if (stale.length > 0) {
    process.stdout.write(`stale: ${stale.map((o) => o.filename).join(', ')} — run \`npm run codegen\`\n`);
    process.exit(1);
  }
}

void main();
