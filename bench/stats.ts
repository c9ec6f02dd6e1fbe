/** A figure over repeated rounds. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly n: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted[sorted.length - 1] ?? Number.NaN, n: sorted.length };
}

/** A number with `digits` decimals, or "n/a". */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** "median (min–max)"; only the median when there was one round. */
export function showSpread(s: Spread, digits: number, unit = ''): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1 || s.min === s.max) return `${fixed(s.median, digits)}${unit}`;
  return `${fixed(s.median, digits)}${unit} (${fixed(s.min, digits)}–${fixed(s.max, digits)})`;
}

/** An error rate as a percentage of all requests. */
export function errorRate(errors: number, total: number): string {
  if (total === 0) return 'n/a';
  if (errors === 0) return '0 %';
  return `${((100 * errors) / total).toPrecision(2)} %`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
}

/**
 * Measures two designs `rounds` times, the one going first alternating, so that drift in the machine
 * favours neither: each design's figures in round order, and the second's over the first's, round by round.
 */
export async function pairByPair<Design>(
  designs: readonly [Design, Design],
  rounds: number,
  measure: (design: Design) => Promise<number>,
): Promise<{ figures: [number[], number[]]; ratios: number[] }> {
  const figures: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] as const : [1, 0] as const;
    const result = [0, 0];
    for (const at of order) {
      result[at] = await measure(designs[at]);
      figures[at].push(result[at] ?? 0);
    }
    ratios.push((result[1] ?? 0) / (result[0] || 1));
  }
  return { figures, ratios };
}
