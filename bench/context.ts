import type { DevKeys } from '../scripts/dev-keys';
import type { LoadGenerator } from './load';
import type { ErrorTally } from './measure';
import type { BenchOptions } from './options';
import type { VariablePools } from './workload';

/** What every scenario is given. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly load: LoadGenerator;
  readonly pools: VariablePools;
  readonly errors: ErrorTally;
  /** Headers of every request to a gateway: the run's official token. */
  readonly headers: Readonly<Record<string, string>>;
  /** The run's keys: the in-process mesh of scenario 2 must trust the same token. */
  readonly keys: DevKeys;
  readonly say: (line: string) => void;
  /** The PostgreSQL server's postmaster, when the harness started it (its CPU can then be read). */
  readonly databasePid?: number;
}
