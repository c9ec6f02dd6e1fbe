import type { RunningGateway } from './deployment';
import type { LoadGenerator } from './load';
import { errorCount, type LoadResult } from './load-protocol';
import { coreBusySeconds, cpuSeconds } from './processes';

/** One load measurement against one gateway. */
export interface Measurement {
  readonly result: LoadResult;
  /** Cores' worth of CPU the gateway process used during the measurement (1.0 = one core busy). */
  readonly gatewayCpu: number | undefined;
  /**
   * Gateway CPU milliseconds per response: what one request costs the gateway itself, whether or
   * not the gateway was the bottleneck. Its inverse bounds the gateway's throughput on one core.
   */
  readonly cpuMsPerRequest: number | undefined;
  /**
   * Cores' worth of CPU that something other than the gateway process used on the gateway's core
   * during the measurement: other users' processes, and the kernel's network work. Near 0 when the
   * core was the gateway's alone; undefined when the gateway is not pinned to one core.
   */
  readonly otherCpuOnGatewayCore: number | undefined;
}

/** Runs `bodies` against `gateway`, with `headers`, over `connections` concurrent connections for `seconds`. */
export async function measure(
  { load, headers }: { readonly load: LoadGenerator; readonly headers: Readonly<Record<string, string>> },
  gateway: RunningGateway,
  bodies: readonly string[],
  connections: number,
  seconds: number,
): Promise<Measurement> {
  const cpuBefore = cpuSeconds(gateway.child.pid);
  const coreBefore = gateway.core === undefined ? undefined : coreBusySeconds(gateway.core);
  const started = process.hrtime.bigint();
  const result = await load.run({ url: gateway.url, bodies: [...bodies], connections, seconds, headers: { ...headers } });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuSeconds(gateway.child.pid);
  const coreAfter = gateway.core === undefined ? undefined : coreBusySeconds(gateway.core);
  const used = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  const gatewayCpu = used !== undefined && wall > 0 ? used / wall : undefined;
  const cpuMsPerRequest = used !== undefined && result.responses > 0 ? (used * 1000) / result.responses : undefined;
  if (gateway.child.exitCode() !== null) throw new Error(`${gateway.child.name} died during a measurement:\n${gateway.child.tail()}`);
  const otherCpuOnGatewayCore =
    used !== undefined && coreBefore !== undefined && coreAfter !== undefined && wall > 0
      ? Math.max(0, (coreAfter - coreBefore - used) / wall)
      : undefined;
  return { result, gatewayCpu, cpuMsPerRequest, otherCpuOnGatewayCore };
}

/** Requests and failures per scenario, for the report's error table. */
export class ErrorTally {
  private readonly rows = new Map<string, { requests: number; errors: number; samples: string[] }>();

  add(scenario: string, result: LoadResult): void {
    const row = this.rows.get(scenario) ?? { requests: 0, errors: 0, samples: [] };
    row.requests += result.responses + result.transportErrors;
    row.errors += errorCount(result);
    for (const sample of result.errorSamples) if (row.samples.length < 3 && !row.samples.includes(sample)) row.samples.push(sample);
    this.rows.set(scenario, row);
  }

  entries(): ReadonlyArray<{ scenario: string; requests: number; errors: number; samples: readonly string[] }> {
    return [...this.rows].map(([scenario, row]) => ({ scenario, ...row }));
  }
}
