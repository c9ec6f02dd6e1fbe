import { readFileSync } from 'node:fs';
import { OPEN_SUPERGRAPH_PATH } from '../../schema/compose';
import { openDatasets, DOWNLOAD_PATH, type OpenDataset } from '../../gateway/open-download';
import type { BenchContext } from '../context';
import type { Deployment, GatewayKind } from '../deployment';
import { rssBytes } from '../processes';
import { pairByPair, spread, type Spread } from '../stats';
import { keysetCursor } from '../../subgraphs/kit/pagination';
import { parcelIdAt } from '../../subgraphs/kit/seed-plan';

export const OPEN_EXPORT_SCENARIO = '7. Open-data export';

/** The list exported: the largest open list of the seed (land parcels, 4,000 per unit of scale). */
export const EXPORT_DATASET = 'landParcels';

/** Rows of each timed round: enough pages (200) for a steady rate, few enough for three ways × rounds. */
const ROUND_ROWS = 20_000;

/** Rows paged from each start when comparing pages at the start of the list with pages deep in it. */
const DEPTH_ROWS = 10_000;

export type ExportWay = 'ours-download' | 'ours-paged' | 'hive-paged';

export const EXPORT_WAYS: Readonly<Record<ExportWay, { gateway: GatewayKind; label: string }>> = {
  'ours-download': { gateway: 'ours', label: `ours, GET ${DOWNLOAD_PATH}/${EXPORT_DATASET}.csv` },
  'ours-paged': { gateway: 'ours', label: 'ours, a client paging /graphql' },
  'hive-paged': { gateway: 'hive', label: 'Hive Gateway, a client paging /graphql' },
};

export interface WholeExport {
  readonly rows: number;
  readonly seconds: number;
  readonly bytes: number;
  /** Gateway RSS before the download, bytes. */
  readonly idle: number | undefined;
  /** Highest gateway RSS sampled during it (every 250 ms), bytes. */
  readonly peak: number | undefined;
  /** RSS at a quarter of the way and at the end: flat memory shows as little growth between them. */
  readonly quarter: number | undefined;
  readonly last: number | undefined;
  readonly complete: boolean;
}

/** Paging from the first row against paging from deep in the list, through our /graphql. */
export interface DepthResult {
  /** Rows before the deep start. */
  readonly deepAfter: number;
  /** Rows paged from each start in each round. */
  readonly rows: number;
  readonly fromStart: Spread;
  readonly fromDeep: Spread;
  /** Pair by pair in each round: rows/s from deep ÷ rows/s from the start. */
  readonly ratio: Spread;
}

export interface ExportResult {
  readonly dataset: string;
  readonly columns: number;
  readonly roundRows: number;
  /** Rows per second of each way over the first ROUND_ROWS rows, per round. */
  readonly rates: ReadonlyMap<ExportWay, Spread>;
  /** Pair by pair in each round: ours-download ÷ each other way. */
  readonly ratios: ReadonlyMap<Exclude<ExportWay, 'ours-download'>, Spread>;
  /** The whole list downloaded once from our gateway, with its memory. */
  readonly whole: WholeExport;
  readonly depth: DepthResult;
}

function origin(url: string): string {
  return new URL(url).origin;
}

/** Downloads `url`, counting CSV rows (CRLF line ends) as they arrive; stops after `maxRows` rows. */
async function download(url: string, maxRows: number, onRows: (rows: number) => void = () => undefined): Promise<{ rows: number; bytes: number; complete: boolean }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (response.status !== 200 || !response.body) throw new Error(`download ${url}: HTTP ${response.status}`);
  let lines = 0;
  let bytes = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { rows: Math.max(0, lines - 1), bytes, complete: true };
      bytes += value.byteLength;
      for (const byte of value) if (byte === 10) lines++;
      onRows(Math.max(0, lines - 1));
      if (lines - 1 >= maxRows) {
        controller.abort();
        return { rows: lines - 1, bytes, complete: false };
      }
    }
  } catch (error) {
    if (controller.signal.aborted) return { rows: Math.max(0, lines - 1), bytes, complete: false };
    throw error;
  }
}

/** Pages `dataset` through a gateway's /graphql as a client would, from `start`, until `maxRows` rows or the end. */
async function paged(url: string, headers: Readonly<Record<string, string>>, dataset: OpenDataset, maxRows: number, start: string | null = null): Promise<number> {
  let rows = 0;
  let after: string | null = start;
  for (;;) {
    const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: dataset.document, variables: { after } }) });
    const body = (await response.json()) as { data?: Record<string, { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null>; errors?: unknown[] };
    const page = body.data?.[dataset.name];
    if (!page || body.errors) throw new Error(`paging ${dataset.name}: ${JSON.stringify(body).slice(0, 300)}`);
    rows += page.nodes.length;
    if (rows >= maxRows || !page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

/**
 * Scenario 7 (DESIGN §9, open-data export): our gateway's download of the largest open list, as
 * CSV, against a client paging the same list and fields through each gateway's /graphql (what a
 * consumer does without a download), rows per second pair by pair over the first rows of each round;
 * then the whole list once, with the gateway's memory sampled throughout.
 */
export async function runOpenExport(ctx: BenchContext, deployment: Deployment): Promise<ExportResult> {
  const dataset = openDatasets(readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8')).find((entry) => entry.name === EXPORT_DATASET);
  if (!dataset) throw new Error(`the open contract has no ${EXPORT_DATASET} list`);
  const ours = deployment.gateway('ours');
  const downloadUrl = `${origin(ours.url)}${DOWNLOAD_PATH}/${dataset.name}.csv`;
  const ways = (Object.keys(EXPORT_WAYS) as ExportWay[]).filter((way) => deployment.gateways.has(EXPORT_WAYS[way].gateway));
  const rates = new Map<ExportWay, number[]>(ways.map((way) => [way, []]));
  const ratios = new Map<Exclude<ExportWay, 'ours-download'>, number[]>();
  const roundRows = ctx.options.quick ? 500 : ROUND_ROWS;
  const run = async (way: ExportWay, rows: number): Promise<number> =>
    way === 'ours-download' ? (await download(downloadUrl, rows)).rows : paged(deployment.gateway(EXPORT_WAYS[way].gateway).url, ctx.headers, dataset, rows);
  // Warm-up, untimed: each gateway plans the page query once.
  for (const way of ways) await run(way, 2 * 100);
  for (let round = 1; round <= ctx.options.rounds; round++) {
    const rate = new Map<ExportWay, number>();
    for (const way of ways) {
      const started = performance.now();
      const rows = await run(way, roundRows);
      rate.set(way, rows / ((performance.now() - started) / 1000));
      rates.get(way)?.push(rate.get(way) ?? 0);
    }
    const own = rate.get('ours-download') ?? 0;
    for (const way of ways) {
      if (way === 'ours-download') continue;
      const list = ratios.get(way) ?? [];
      list.push(own / (rate.get(way) ?? Number.NaN));
      ratios.set(way, list);
    }
    ctx.say(`  round ${round}: ${ways.map((way) => `${way} ${(rate.get(way) ?? 0).toFixed(0)} rows/s`).join(', ')}`);
  }

  // The whole list once: memory sampled every 250 ms, and read at a quarter of the rows and at the end.
  const pid = ours.child.pid;
  const idle = rssBytes(pid);
  let peak = idle;
  let latest = idle;
  let quarter: number | undefined;
  const expected = Math.max(1, ctx.pools.sizes.parcels);
  const sample = () => {
    latest = rssBytes(pid) ?? latest;
    if (latest !== undefined && (peak === undefined || latest > peak)) peak = latest;
  };
  const sampler = setInterval(sample, 250);
  const started = performance.now();
  let whole;
  try {
    whole = await download(downloadUrl, Number.POSITIVE_INFINITY, (rows) => {
      if (quarter !== undefined || rows < expected / 4) return;
      sample();
      quarter = latest;
    });
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  sample();
  const last = latest;
  const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1024 ** 2).toFixed(0)} MB`);
  ctx.say(`  whole list: ${whole.rows} rows in ${seconds.toFixed(1)} s (${(whole.rows / seconds).toFixed(0)} rows/s), RSS ${mb(idle)} before, ${mb(quarter)} at a quarter, ${mb(last)} at the end, peak ${mb(peak)}`);
  return {
    dataset: dataset.name,
    columns: dataset.columns.length,
    roundRows,
    rates: new Map(ways.map((way) => [way, spread(rates.get(way) ?? [])])),
    ratios: new Map([...ratios].map(([way, list]) => [way, spread(list)])),
    whole: { rows: whole.rows, seconds, bytes: whole.bytes, idle, peak, quarter, last, complete: whole.complete },
    depth: await pagingDepth(ctx, deployment, dataset),
  };
}

/**
 * Pages of the list from its first row against pages from nine tenths in (the cursor of the row
 * there, as the list itself would give it), through our /graphql, alternating which goes first, pair
 * by pair in each round. Keyset pages cost the same wherever they start; offset pages would cost
 * more the deeper they start.
 */
async function pagingDepth(ctx: BenchContext, deployment: Deployment, dataset: OpenDataset): Promise<DepthResult> {
  const url = deployment.gateway('ours').url;
  const rows = ctx.options.quick ? 300 : DEPTH_ROWS;
  const deepAfter = Math.floor(ctx.pools.sizes.parcels * 0.9);
  const deepStart = keysetCursor('Query.landParcels', parcelIdAt(deepAfter));
  const rate = async (start: string | null): Promise<number> => {
    const started = performance.now();
    const got = await paged(url, ctx.headers, dataset, rows, start);
    return got / ((performance.now() - started) / 1000);
  };
  const { figures: [fromStart, fromDeep], ratios: ratio } = await pairByPair([null, deepStart], ctx.options.rounds, rate);
  fromStart.forEach((start, round) => ctx.say(`  paging ${rows} rows from the first row ${start.toFixed(0)} rows/s, from row ${deepAfter} ${(fromDeep[round] ?? Number.NaN).toFixed(0)} rows/s`));
  return { deepAfter, rows, fromStart: spread(fromStart), fromDeep: spread(fromDeep), ratio: spread(ratio) };
}
