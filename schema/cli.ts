import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { checkSubgraph, type FieldConsumer } from './check';
import { localSubgraphSources, SUPERGRAPH_PATH } from './compose';
import { EXIT_CODE, formatReport } from './report';
import { SHARED_DEFINITIONS_SOURCE } from './sharing';

/** Exit code of a usage error: an unknown subgraph, an unreadable file, a bad option. */
export const USAGE_ERROR = 2;

/** A mistake in how the command was called; reported on stderr with exit code 2. */
class UsageError extends Error {}

const consumersFile = z.array(z.object({ consumer: z.string().min(1), fields: z.array(z.string()) }));

/** Paths are given relative to where the user ran npm (npm itself runs scripts from the package root). */
function userPath(path: string): string {
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(userPath(path), 'utf8');
  } catch {
    throw new UsageError(`Không đọc được ${what} "${path}" (cannot read the ${what} file).`);
  }
}

function readConsumers(path: string | undefined): FieldConsumer[] {
  if (path === undefined) return [];
  const text = readUserFile(path, 'consumers');
  let parsed: ReturnType<typeof consumersFile.safeParse> | undefined;
  try {
    parsed = consumersFile.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    throw new UsageError(`--consumers "${path}" phải là [{ "consumer": "so-y-te", "fields": ["Type.field"] }] (must be a JSON list of consumers and their fields).`);
  }
  return parsed.data;
}

interface CheckOptions {
  readonly subgraph: string;
  readonly sdl: string;
  readonly supergraph?: string;
  readonly consumers?: string;
  readonly json?: boolean;
}

/**
 * `check`: without a registry, checks the proposal against the committed supergraph and the other
 * subgraphs' committed schema.graphql. Returns the exit code of the outcome.
 */
async function check(options: CheckOptions, write: (text: string) => void): Promise<number> {
  const subgraphs = localSubgraphSources();
  const known = subgraphs.map((s) => s.name);
  if (!known.includes(options.subgraph)) {
    throw new UsageError(
      `Không có subgraph "${options.subgraph}"; các subgraph đã biết: ${known.join(', ')}. ` +
        `(Unknown subgraph "${options.subgraph}": a new agency first adds subgraphs/<name>/agency.json.)`,
    );
  }
  const result = await checkSubgraph({
    subgraph: options.subgraph,
    sdl: readUserFile(options.sdl, 'SDL'),
    subgraphs,
    currentSupergraphSdl: options.supergraph === undefined ? readFileSync(SUPERGRAPH_PATH, 'utf8') : readUserFile(options.supergraph, 'supergraph'),
    grantsOrUsage: readConsumers(options.consumers),
  });
  const fileOf = (source: string) =>
    source === options.subgraph ? options.sdl : source === SHARED_DEFINITIONS_SOURCE ? source : `subgraphs/${source}/schema.graphql`;
  const { supergraphSdl: _composed, ...printable } = result;
  write(options.json ? `${JSON.stringify(printable, null, 2)}\n` : formatReport(result, fileOf));
  return EXIT_CODE[result.outcome];
}

/**
 * The `npm run schema --` program. Its actions resolve to the exit code; commands that need the
 * registry are added here beside `check`.
 */
export function schemaProgram(write: (text: string) => void, writeError: (text: string) => void): { program: Command; exitCode: () => number } {
  let code = 0;
  const program = new Command()
    .name('npm run schema --')
    .description('Quản trị lược đồ của đồ thị liên thông (schema governance of the provincial graph)')
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: writeError });
  program
    .command('check')
    .description('kiểm tra SDL của một subgraph trước khi công bố: hợp nhất, quy tắc, thay đổi phá vỡ, nhóm chia sẻ ' +
      `(exit ${EXIT_CODE.ok} ok, ${EXIT_CODE.failed} failed, ${EXIT_CODE.needsApproval} needs approval, ${USAGE_ERROR} usage error)`)
    .requiredOption('--subgraph <name>', 'tên subgraph (the subgraph), e.g. land')
    .requiredOption('--sdl <path>', 'tệp SDL đề xuất (the proposed schema.graphql)')
    .option('--supergraph <path>', 'siêu đồ thị hiện hành (the current supergraph; default: the committed schema/supergraph.graphql)')
    .option('--consumers <path>', 'JSON [{ "consumer": "so-y-te", "fields": ["Type.field"] }]: grants or usage, to name who a tightening breaks')
    .option('--json', 'in kết quả dạng JSON (print the result as JSON)')
    .action(async (options: CheckOptions) => {
      code = await check(options, write);
    });
  return { program, exitCode: () => code };
}

/** Runs the program on `argv` (the arguments after the script name) and resolves to the exit code. */
export async function runSchemaCli(argv: readonly string[], write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  const { program, exitCode } = schemaProgram(write, writeError);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    if (error instanceof UsageError) {
      writeError(`${error.message}\n`);
      return USAGE_ERROR;
    }
    throw error;
  }
}

if (require.main === module) {
  runSchemaCli(process.argv.slice(2), (text) => process.stdout.write(text), (text) => process.stderr.write(text)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
