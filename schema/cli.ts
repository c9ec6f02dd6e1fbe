import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { repeatedOption, repeatedOptionError, withBilingualUsage } from '../scripts/cli-usage';
import { z } from 'zod';
import { checkSubgraph, type CheckResult, type FieldConsumer } from './check';
import { localSubgraphSources, SUPERGRAPH_PATH } from './compose';
import { listAgencies } from '../subgraphs/kit/agency';
import { EXIT_CODE, formatReport } from './report';
import { SHARED_DEFINITIONS_SOURCE } from './sharing';
import { readRunningMesh } from '../scripts/running-mesh';
import { endQuietlyOnClosedPipe } from '../scripts/closed-pipe';

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

const CONSUMERS_OPTION = 'JSON [{ "consumer": "so-y-te", "fields": ["Type.field"] }]: grants or usage, to name whom a breaking change or a tightening breaks';

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
  readonly registry?: string;
  readonly token?: string;
  readonly offline?: boolean;
}

/** Where a check runs: the registry at `url` (given, or found at the running mesh), or offline. */
type CheckTarget = { readonly kind: 'registry'; readonly url: string; readonly given: boolean } | { readonly kind: 'offline' };

/** The registry `npm start` runs here, if it runs (a stale or unreadable description counts as none). */
function runningMeshRegistry(): string | undefined {
  try {
    return readRunningMesh()?.registryUrl;
  } catch {
    return undefined;
  }
}

/**
 * A check asks the registry given by --registry or LIENTHONG_REGISTRY_URL, else the one `npm start`
 * runs here; --offline, --supergraph or no registry at all check against the committed files.
 */
function checkTarget(options: CheckOptions): CheckTarget {
  if (options.offline || options.supergraph !== undefined) {
    if (options.registry !== undefined) throw new UsageError('--registry không dùng cùng --offline hoặc --supergraph (--registry cannot be combined with --offline or --supergraph).');
    return { kind: 'offline' };
  }
  const given = options.registry ?? process.env['LIENTHONG_REGISTRY_URL'];
  if (given) return { kind: 'registry', url: given, given: true };
  const running = runningMeshRegistry();
  return running ? { kind: 'registry', url: running, given: false } : { kind: 'offline' };
}

const checkAnswer = z
  .object({
    subgraph: z.string(),
    outcome: z.enum(['ok', 'failed', 'needsApproval']),
    composition: z.object({ status: z.string(), issues: z.array(z.unknown()) }).passthrough(),
    lint: z.object({ status: z.string(), issues: z.array(z.unknown()) }).passthrough(),
    breakingChanges: z.object({ status: z.string(), issues: z.array(z.unknown()), warnings: z.array(z.unknown()) }).passthrough(),
    categoryChanges: z.object({ status: z.string(), loosened: z.array(z.unknown()), tightened: z.array(z.unknown()) }).passthrough(),
  })
  .passthrough();

/**
 * The registry's check of the proposal against its current supergraph and published subgraphs
 * (POST /check): the result, or a refusal's exit code. A registry found at the running mesh that
 * cannot be asked (no token, not answering) gives null, and the check runs offline instead.
 */
async function checkAtRegistry(
  target: Extract<CheckTarget, { kind: 'registry' }>,
  options: CheckOptions,
  proposal: { subgraph: string; sdl: string; consumers: readonly FieldConsumer[] },
  io: { write: (text: string) => void; writeError: (text: string) => void; fileOf: (source: string) => string },
): Promise<CheckResult | number | null> {
  const offline = (why: string) => {
    io.writeError(`${why}; kiểm tra ngoại tuyến với tệp đã commit (checking offline against the committed files instead).\n`);
    return null;
  };
  if (!target.given && !(options.token ?? process.env['LIENTHONG_TOKEN'])) {
    return offline(`Sổ đăng ký của npm start tại ${target.url} cần --token hoặc LIENTHONG_TOKEN (the running mesh's registry needs a token)`);
  }
  let answer: RegistryAnswer;
  try {
    answer = await callRegistry({ ...options, registry: target.url }, 'POST', '/check', {
      subgraph: proposal.subgraph,
      sdl: proposal.sdl,
      ...(proposal.consumers.length > 0 ? { consumers: proposal.consumers } : {}),
    });
  } catch (error) {
    if (error instanceof RegistryUnavailable && !target.given) return offline(error.message.replace(/\.$/, ''));
    throw error;
  }
  if (answer.status !== 200) return refusal(answer, options.json, io.write, io.writeError, io.fileOf);
  io.writeError(`So với siêu đồ thị hiện hành của sổ đăng ký tại ${target.url} (checked against the registry's current supergraph).\n`);
  return checkAnswer.parse(answer.body) as unknown as CheckResult;
}

/**
 * `check`: against the registry's current supergraph and published subgraphs when a registry is
 * given or `npm start` runs one (see checkTarget); otherwise against the committed supergraph and
 * the other subgraphs' committed schema.graphql (those of the default composition; a subgraph
 * outside it is checked as joining them). Prints the same report either way and returns the exit
 * code of the outcome.
 */
async function check(options: CheckOptions, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  // An agency outside the default composition (a new one) is checked as joining the committed graph.
  const known = listAgencies('all').map((a) => a.subgraph);
  if (!known.includes(options.subgraph)) {
    throw new UsageError(
      `Không có subgraph "${options.subgraph}"; các subgraph đã biết: ${known.join(', ')}. ` +
        `(Unknown subgraph "${options.subgraph}": a new agency first adds subgraphs/<name>/agency.json.)`,
    );
  }
  const sdl = readUserFile(options.sdl, 'SDL');
  const consumers = readConsumers(options.consumers);
  const fileOf = (source: string) =>
    source === options.subgraph ? options.sdl : source === SHARED_DEFINITIONS_SOURCE ? source : `subgraphs/${source}/schema.graphql`;
  const target = checkTarget(options);
  let result: CheckResult | number | null = null;
  if (target.kind === 'registry') {
    result = await checkAtRegistry(target, options, { subgraph: options.subgraph, sdl, consumers }, { write, writeError, fileOf });
    if (typeof result === 'number') return result;
  }
  if (result === null && !localSubgraphSources().some((source) => source.name === options.subgraph)) {
    // Not in the committed graph (outside the default composition): there is no version of it to
    // compare with, so no breaking or category change of its own can show; say so.
    writeError(
      `${options.subgraph} chưa có trong siêu đồ thị đã commit: kiểm tra như một subgraph mới gia nhập, không so với phiên bản nào của nó; ` +
        `so với sổ đăng ký (--registry) để thấy thay đổi so với phiên bản đã công bố. ` +
        `(${options.subgraph} is not in the committed supergraph: checked as joining it, against no version of its own; check against the registry to compare with what it published.)\n`,
    );
  }
  result ??= await checkSubgraph({
    subgraph: options.subgraph,
    sdl,
    subgraphs: localSubgraphSources(),
    currentSupergraphSdl: options.supergraph === undefined ? readFileSync(SUPERGRAPH_PATH, 'utf8') : readUserFile(options.supergraph, 'supergraph'),
    grantsOrUsage: consumers,
  });
  const { supergraphSdl: _composed, ...printable } = result;
  write(options.json ? `${JSON.stringify(printable, null, 2)}\n` : formatReport(result, fileOf));
  return EXIT_CODE[result.outcome];
}

/** The registry's default URL when neither --registry nor LIENTHONG_REGISTRY_URL is given. */
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:4010';

interface RegistryCallOptions {
  readonly registry?: string;
  readonly token?: string;
  readonly json?: boolean;
}

const errorResponse = z.object({
  errors: z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string() }).passthrough() })).min(1),
});

/** A registry answer: its status and its parsed JSON body. */
interface RegistryAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Calls the registry at --registry (or LIENTHONG_REGISTRY_URL, or DEFAULT_REGISTRY_URL) with the
 * official's --token (or LIENTHONG_TOKEN). A missing token is a usage error; an unreachable registry
 * or a non-JSON answer throws RegistryUnavailable.
 */
async function callRegistry(options: RegistryCallOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<RegistryAnswer> {
  const token = options.token ?? process.env['LIENTHONG_TOKEN'];
  if (!token) throw new UsageError('Thiếu --token hoặc biến LIENTHONG_TOKEN (a registry call needs an official\'s token: npm run token -- …).');
  const base = (options.registry ?? process.env['LIENTHONG_REGISTRY_URL'] ?? DEFAULT_REGISTRY_URL).replace(/\/+$/, '');
  if (!URL.canParse(base) || !/^https?:\/\//.test(base)) {
    throw new UsageError(`Địa chỉ sổ đăng ký không hợp lệ: ${base}; cần một URL http(s). (Invalid registry address: an http(s) URL is needed.)`);
  }
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    throw new RegistryUnavailable(`Không kết nối được sổ đăng ký lược đồ tại ${base} (cannot reach the schema registry).`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new RegistryUnavailable(`Sổ đăng ký tại ${base} trả lời không phải JSON, mã ${response.status} (the registry answered with non-JSON).`);
  }
}

/** The registry could not be reached or did not answer in JSON: exit 1. */
class RegistryUnavailable extends Error {}

/**
 * Prints a refusal (`{ errors: [...] }`) and returns the exit code (1, or 2 for a subgraph the
 * registry does not know): with `--json`, the registry's answer as it is, on stdout; else the failed
 * check's report when it failed one, each change an approval would have approved unseen
 * (CHANGED_SINCE_PROPOSED), and the code and message on stderr.
 */
function refusal(
  answer: RegistryAnswer,
  json: boolean | undefined,
  write: (text: string) => void,
  writeError: (text: string) => void,
  fileOf: (source: string) => string,
): number {
  const parsed = errorResponse.safeParse(answer.body);
  if (json) write(`${JSON.stringify(answer.body, null, 2)}\n`);
  if (!parsed.success) {
    writeError(`Sổ đăng ký trả lời mã ${answer.status} (the registry answered ${answer.status}).\n`);
    return 1;
  }
  for (const error of parsed.data.errors) {
    const { code } = error.extensions;
    const result = error.extensions['result'];
    if (!json && code === 'CHECK_FAILED' && result && typeof result === 'object') write(formatReport(result as CheckResult, fileOf));
    const unseen = error.extensions['unseen'];
    if (!json && Array.isArray(unseen)) for (const change of unseen) write(`   ? ${String(change)}\n`);
    writeError(`${code}: ${error.message}\n`);
  }
  // A subgraph the registry does not know, or a request it cannot read (an empty SDL, too many
  // consumers), is the command's mistake: bad usage, as `check` says of a subgraph it does not know.
  return parsed.data.errors.some((error) => ['UNKNOWN_SUBGRAPH', 'BAD_REQUEST', 'BAD_JSON'].includes(error.extensions.code)) ? USAGE_ERROR : 1;
}

const versionView = z.object({
  subgraph: z.string(),
  version: z.number(),
  url: z.string().nullable(),
  status: z.string(),
  publishedBy: z.string(),
  publisherAgency: z.string(),
  publishedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
});
const publishOutcome = z.object({
  version: versionView,
  check: z.object({ outcome: z.enum(['ok', 'failed', 'needsApproval']) }).passthrough(),
  supergraph: z.object({ version: z.number(), sha256: z.string() }).optional(),
  unchanged: z.literal(true).optional(),
});

function versionLine(v: z.infer<typeof versionView>): string {
  const decided = v.decidedBy ? `  quyết định (decided) ${v.decidedBy} ${v.decidedAt ?? ''}${v.decisionReason ? `: ${v.decisionReason}` : ''}` : '';
  return `v${v.version}  ${v.status}  ${v.publishedAt}  ${v.publisherAgency}/${v.publishedBy}  ${v.url ?? '—'}${decided}\n`;
}

/** Prints an accepted publish or approval; exit 0 when published, 3 when it waits for approval. */
function accepted(answer: RegistryAnswer, options: RegistryCallOptions, write: (text: string) => void, fileOf: (source: string) => string): number {
  if (options.json) {
    write(`${JSON.stringify(answer.body, null, 2)}\n`);
  }
  const outcome = publishOutcome.parse(answer.body);
  if (!options.json && outcome.unchanged) {
    const published = outcome.version.status === 'PUBLISHED';
    write(
      `KHÔNG ĐỔI (unchanged): ${outcome.version.subgraph} v${outcome.version.version} ${published ? 'đã được công bố' : 'đang chờ phê duyệt'} với đúng SDL và địa chỉ này; không tạo phiên bản mới. ` +
        `(${published ? 'Already published' : 'Already waiting for approval'} with this SDL and URL; no new version.)\n`,
    );
  } else if (!options.json) {
    // A version published on approval needed it: its check's report (and the exit code 3 it ends with) is history.
    if (outcome.check.outcome !== 'ok' && outcome.version.status !== 'PUBLISHED') write(formatReport(outcome.check as unknown as CheckResult, fileOf));
    write(
      outcome.version.status === 'PUBLISHED'
        ? `ĐÃ CÔNG BỐ (published): ${outcome.version.subgraph} v${outcome.version.version}; siêu đồ thị (supergraph) v${outcome.supergraph?.version ?? '?'} ${outcome.supergraph?.sha256 ?? ''}\n`
        : `CHỜ PHÊ DUYỆT (pending governance approval): ${outcome.version.subgraph} v${outcome.version.version}; ` +
            `cơ quan quản lý duyệt bằng (governance decides with) \`npm run schema -- approve --subgraph ${outcome.version.subgraph} --version ${outcome.version.version}\`` +
            ` hoặc (or) \`reject … --reason …\`\n`,
    );
  }
  return outcome.version.status === 'PUBLISHED' ? 0 : EXIT_CODE.needsApproval;
}

function versionNumber(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new UsageError(`"${value}" không phải số phiên bản (not a version number).`);
  return Number(value);
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
  withBilingualUsage(program, writeError);
  program
    .command('check')
    .description('kiểm tra SDL của một subgraph trước khi công bố: hợp nhất, quy tắc, thay đổi phá vỡ, nhóm chia sẻ ' +
      `(exit ${EXIT_CODE.ok} ok, ${EXIT_CODE.failed} failed, ${EXIT_CODE.needsApproval} needs approval, ${USAGE_ERROR} usage error)`)
    .requiredOption('--subgraph <name>', 'tên subgraph (the subgraph), e.g. land')
    .requiredOption('--sdl <path>', 'tệp SDL đề xuất (the proposed schema.graphql)')
    .option('--registry <url>', 'sổ đăng ký lược đồ để kiểm tra theo siêu đồ thị hiện hành của nó (check against the registry\'s current supergraph; ' +
      'default LIENTHONG_REGISTRY_URL, else the registry npm start runs here, else offline)')
    .option('--token <jwt>', 'token của cán bộ, cho sổ đăng ký (an official\'s token for the registry; default LIENTHONG_TOKEN)')
    .option('--offline', 'không hỏi sổ đăng ký: so với schema/supergraph.graphql và các schema.graphql đã commit (check against the committed files only)')
    .option('--supergraph <path>', 'kiểm tra ngoại tuyến so với siêu đồ thị này (offline, against this supergraph file instead of the committed one)')
    .option('--consumers <path>', CONSUMERS_OPTION)
    .option('--json', 'in kết quả dạng JSON (print the result as JSON)')
    .action(async (options: CheckOptions) => {
      code = await check(options, write, writeError);
    });
  const registryOptions = (command: Command): Command =>
    command
      .option('--registry <url>', `sổ đăng ký lược đồ (the registry; default LIENTHONG_REGISTRY_URL or ${DEFAULT_REGISTRY_URL})`)
      .option('--token <jwt>', 'token của cán bộ (an official\'s token; default LIENTHONG_TOKEN)')
      .option('--json', 'in kết quả dạng JSON (print the answer as JSON)');
  const sdlFile = (subgraph: string, sdl: string) => (source: string) =>
    source === subgraph ? sdl : source === SHARED_DEFINITIONS_SOURCE ? source : `subgraphs/${source}/schema.graphql`;
  registryOptions(
    program
      .command('publish')
      .description(`công bố một phiên bản subgraph lên sổ đăng ký (publish to the registry; exit 0 published, ${EXIT_CODE.needsApproval} pending approval, 1 refused)`)
      .requiredOption('--subgraph <name>', 'tên subgraph (the subgraph), e.g. land')
      .requiredOption('--sdl <path>', 'tệp SDL (the schema.graphql to publish)')
      .requiredOption('--url <url>', 'địa chỉ GraphQL của subgraph (the subgraph\'s routing URL)')
      .option('--consumers <path>', CONSUMERS_OPTION),
  ).action(async (options: RegistryCallOptions & { subgraph: string; sdl: string; url: string; consumers?: string }) => {
    const consumers = readConsumers(options.consumers);
    const answer = await callRegistry(options, 'POST', '/publish', {
      subgraph: options.subgraph,
      sdl: readUserFile(options.sdl, 'SDL'),
      url: options.url,
      ...(consumers.length > 0 ? { consumers } : {}),
    });
    const fileOf = sdlFile(options.subgraph, options.sdl);
    code = answer.status < 300 ? accepted(answer, options, write, fileOf) : refusal(answer, options.json, write, writeError, fileOf);
  });
  registryOptions(
    program
      .command('pending')
      .description('các phiên bản đang chờ phê duyệt, cũ nhất trước: mọi subgraph cho cơ quan quản lý, của mình cho cơ quan chủ quản (versions waiting for approval, oldest first)'),
  ).action(async (options: RegistryCallOptions) => {
    const answer = await callRegistry(options, 'GET', '/pending');
    if (answer.status !== 200) {
      code = refusal(answer, options.json, write, writeError, String);
      return;
    }
    const waiting = z
      .object({ versions: z.array(versionView.extend({ changes: z.array(z.string()), affectedConsumers: z.array(z.string()), consumersNote: z.string().nullable() })) })
      .parse(answer.body).versions;
    if (options.json) write(`${JSON.stringify(answer.body, null, 2)}\n`);
    else if (waiting.length === 0) write('Không có phiên bản nào chờ phê duyệt (nothing is waiting for approval).\n');
    else {
      for (const v of waiting) {
        write(`${v.subgraph} v${v.version}  ${v.publishedAt}  ${v.publisherAgency}/${v.publishedBy}  ${v.url ?? '—'}\n`);
        for (const change of v.changes) write(`    ${change}\n`);
        if (v.affectedConsumers.length > 0) write(`    bên bị ảnh hưởng (consumers it breaks): ${v.affectedConsumers.join(', ')}\n`);
        if (v.consumersNote !== null) write(`    ${v.consumersNote}\n`);
      }
    }
    code = 0;
  });
  registryOptions(
    program.command('history').description('các phiên bản của một subgraph, mới nhất trước (versions, newest first)').requiredOption('--subgraph <name>', 'tên subgraph'),
  ).action(async (options: RegistryCallOptions & { subgraph: string }) => {
    const answer = await callRegistry(options, 'GET', `/history?subgraph=${encodeURIComponent(options.subgraph)}`);
    if (answer.status !== 200) {
      code = refusal(answer, options.json, write, writeError, String);
      return;
    }
    if (options.json) write(`${JSON.stringify(answer.body, null, 2)}\n`);
    else for (const version of z.object({ versions: z.array(versionView) }).parse(answer.body).versions) write(versionLine(version));
    code = 0;
  });
  registryOptions(
    program
      .command('diff')
      .description('thay đổi giữa hai phiên bản, theo graphql-inspector (changes between two versions)')
      .requiredOption('--subgraph <name>', 'tên subgraph')
      .requiredOption('--from <n>', 'phiên bản gốc (from version)')
      .requiredOption('--to <n>', 'phiên bản mới (to version)'),
  ).action(async (options: RegistryCallOptions & { subgraph: string; from: string; to: string }) => {
    const query = new URLSearchParams({ subgraph: options.subgraph, from: String(versionNumber(options.from)), to: String(versionNumber(options.to)) });
    const answer = await callRegistry(options, 'GET', `/diff?${query.toString()}`);
    if (answer.status !== 200) {
      code = refusal(answer, options.json, write, writeError, String);
      return;
    }
    const changes = z.object({ changes: z.array(z.object({ type: z.string(), criticality: z.string(), message: z.string(), path: z.string().nullable() })) }).parse(answer.body).changes;
    if (options.json) write(`${JSON.stringify(answer.body, null, 2)}\n`);
    else if (changes.length === 0) write('Không có thay đổi (no changes).\n');
    else for (const c of changes) write(`${c.criticality}  ${c.type}  ${c.path ?? ''}\n    ${c.message}\n`);
    code = 0;
  });
  registryOptions(
    program
      .command('approve')
      .description('cơ quan quản lý phê duyệt một phiên bản đang chờ (governance approves a pending version)')
      .requiredOption('--subgraph <name>', 'tên subgraph')
      .requiredOption('--version <n>', 'phiên bản (the version)'),
  ).action(async (options: RegistryCallOptions & { subgraph: string; version: string }) => {
    const answer = await callRegistry(options, 'POST', '/approve', { subgraph: options.subgraph, version: versionNumber(options.version) });
    const fileOf = sdlFile(options.subgraph, `${options.subgraph} v${options.version}`);
    code = answer.status < 300 ? accepted(answer, options, write, fileOf) : refusal(answer, options.json, write, writeError, fileOf);
  });
  registryOptions(
    program
      .command('reject')
      .description('cơ quan quản lý từ chối một phiên bản đang chờ, nêu lý do (governance rejects a pending version, with a reason)')
      .requiredOption('--subgraph <name>', 'tên subgraph')
      .requiredOption('--version <n>', 'phiên bản (the version)')
      .requiredOption('--reason <text>', 'lý do (the reason)'),
  ).action(async (options: RegistryCallOptions & { subgraph: string; version: string; reason: string }) => {
    const answer = await callRegistry(options, 'POST', '/reject', { subgraph: options.subgraph, version: versionNumber(options.version), reason: options.reason });
    if (answer.status !== 200) {
      code = refusal(answer, options.json, write, writeError, String);
      return;
    }
    const version = versionView.parse(answer.body);
    write(options.json ? `${JSON.stringify(answer.body, null, 2)}\n` : `ĐÃ TỪ CHỐI (rejected): ${versionLine(version)}`);
    code = 0;
  });
  return { program, exitCode: () => code };
}

/** Runs the program on `argv` (the arguments after the script name) and resolves to the exit code. */
export async function runSchemaCli(argv: readonly string[], write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  const repeated = repeatedOption(argv);
  if (repeated !== null) {
    writeError(repeatedOptionError(repeated));
    return USAGE_ERROR;
  }
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
    if (error instanceof RegistryUnavailable) {
      writeError(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  endQuietlyOnClosedPipe();
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
