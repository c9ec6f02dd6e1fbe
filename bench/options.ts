import { join } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';

/** The repository root (bench/ lives directly under it). */
export const REPO_ROOT = join(__dirname, '..');

/**
 * Where the gateway runs and where everything else runs. `isolated`: the gateway alone on core 0;
 * the load generator, the subgraphs, PostgreSQL (when embedded) and this harness on core 1.
 * `shared`: the gateway on core 0, the load generator on core 1, subgraphs and PostgreSQL free to use
 * both cores.
 */
export type Layout = 'isolated' | 'shared';

export interface BenchOptions {
  readonly quick: boolean;
  /** Seed scale: 50 is 100k citizens, 20k enterprises, 200k parcels. */
  readonly scale: number;
  /** Repetitions of every timed figure; each figure is reported as min/median/max over them. */
  readonly rounds: number;
  /** Seconds per throughput measurement (scenario 1). */
  readonly throughputSeconds: number;
  /** Seconds per latency measurement at concurrency 1 (scenarios 3 and 5). */
  readonly latencySeconds: number;
  /** Seconds of warm-up load per gateway before its first measurement (discarded). */
  readonly warmupSeconds: number;
  /** Seconds into the memory run at which gateway RSS is reported, ascending (scenario 4). */
  readonly memoryMarks: readonly number[];
  /** Delay injected in every subgraph for the latency floor (scenario 3). */
  readonly delayMs: number;
  /** Concurrencies of the throughput scenario. */
  readonly concurrencies: readonly number[];
  /** Where BENCHMARKS.md is written. */
  readonly out: string;
  /** Drop and re-seed the bench databases first. */
  readonly reseed: boolean;
  readonly layout: Layout;
  /** Admin URL of an existing PostgreSQL server; embedded PostgreSQL in `pgDataDir` when absent. */
  readonly databaseUrl: string | undefined;
  readonly pgDataDir: string;
}

const envSchema = z.object({
  LIENTHONG_DATABASE_URL: z.string().url().optional(),
  BENCH_PG_DATA: z.string().default(join(REPO_ROOT, '.data', 'bench-postgres')),
  /** Same as --out; the option wins. */
  BENCH_OUT: z.string().optional(),
});

const positive = (name: string) => (text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
};

/** Parses `argv` (process.argv form) and the environment into the run's options. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const program = new Command()
    .name('npm run bench --')
    .description('Benchmarks the lienthong gateway against Hive Gateway on the seeded mesh and writes BENCHMARKS.md.')
    .option('--quick', 'every scenario for a few seconds on a tiny seed: proves the harness works, timings mean nothing', false)
    .option('--scale <n>', 'seed scale (default 50, quick 0.3)', positive('--scale'))
    .option('--rounds <n>', 'rounds per figure (default 3, quick 1)', positive('--rounds'))
    .option('--duration <s>', 'seconds per throughput measurement (default 10, quick 2)', positive('--duration'))
    .option('--out <path>', 'report path (default BENCHMARKS.md in the repository root)')
    .option('--reseed', 'drop and re-seed the bench databases', false)
    .addOption(new Option('--layout <layout>', 'core layout').choices(['isolated', 'shared']).default('isolated'))
    .exitOverride();
  program.parse([...argv]);
  const flags = z
    .object({
      quick: z.boolean(),
      scale: z.number().positive().max(1000).optional(),
      rounds: z.number().int().positive().max(20).optional(),
      duration: z.number().positive().max(600).optional(),
      out: z.string().optional(),
      reseed: z.boolean(),
      layout: z.enum(['isolated', 'shared']),
    })
    .parse(program.opts());
  const parsedEnv = envSchema.parse(env);
  const quick = flags.quick;
  return {
    quick,
    scale: flags.scale ?? (quick ? 0.3 : 50),
    rounds: flags.rounds ?? (quick ? 1 : 3),
    throughputSeconds: flags.duration ?? (quick ? 2 : 10),
    latencySeconds: quick ? 2 : 5,
    warmupSeconds: quick ? 1 : 5,
    memoryMarks: quick ? [3, 6] : [30, 90],
    delayMs: 20,
    concurrencies: [1, 10],
    out: flags.out ?? parsedEnv.BENCH_OUT ?? join(REPO_ROOT, 'BENCHMARKS.md'),
    reseed: flags.reseed,
    layout: flags.layout,
    databaseUrl: parsedEnv.LIENTHONG_DATABASE_URL,
    pgDataDir: parsedEnv.BENCH_PG_DATA,
  };
}
