import { parentPort, Worker, workerData } from 'node:worker_threads';
import { checkSubgraph, type CheckInput, type CheckResult } from '../check';

/**
 * Schema checks off the registry's event loop. Composition's cost grows faster than the schema, so a
 * check can take a second or more; on the registry's own thread it would stall every other call (and,
 * under `npm start`, the whole mesh, which shares the process). Checks run one after another in one
 * long-lived worker thread; one that runs past its time limit is stopped with its worker, and the
 * next check starts a fresh one.
 */

/** How long a check may run before it is stopped and refused (CHECK_TIMEOUT). */
export const CHECK_TIME_LIMIT_MS = 30_000;

type Reply = { readonly id: number; readonly result: CheckResult } | { readonly id: number; readonly error: string };

/**
 * Thrown when a check could not complete: it ran past its time limit (CHECK_TIMEOUT, its worker is
 * stopped), or it failed or its worker stopped, e.g. out of memory (CHECK_ABORTED). The registry's
 * own thread is unharmed either way.
 */
export class CheckAborted extends Error {
  override name = 'CheckAborted';
  constructor(
    readonly code: 'CHECK_TIMEOUT' | 'CHECK_ABORTED',
    message: string,
  ) {
    super(message);
  }
}

/** The most memory a check's worker may use: a runaway composition ends the worker, not the registry. */
const WORKER_HEAP_MB = 512;

/** Marks the worker's thread, so that this module serves checks there and nowhere else. */
const ROLE = 'lienthong-schema-check';

// The worker loads this same file as TypeScript through tsx's CommonJS hook, whatever loaded the
// parent (tsx, ts-jest), and then serves checks.
const BOOTSTRAP = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(__filename)});`;
/** The worker's first message: its modules are loaded. */
const READY = 'ready';

/** A started worker, and when it has loaded the checks' modules. */
interface Running {
  readonly worker: Worker;
  readonly ready: Promise<void>;
}

export class CheckWorker {
  private running: Running | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (result: CheckResult) => void; reject: (error: CheckAborted) => void }>();
  /** Checks wait for the one before them, so that a time limit measures one check's own work. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly limitMs = CHECK_TIME_LIMIT_MS) {}

  /** The result of checkSubgraph(input), computed in the worker; rejects with CheckAborted when it cannot complete. */
  check(input: CheckInput): Promise<CheckResult> {
    const run = this.queue.then(() => this.run(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the worker; checks still waiting are refused. */
  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    this.failAll(new CheckAborted('CHECK_ABORTED', 'the registry is stopping'));
    await running?.worker.terminate();
  }

  private async run(input: CheckInput): Promise<CheckResult> {
    const running = this.start();
    // Loading the worker's modules does not count against the check's time limit.
    await running.ready;
    const id = this.nextId++;
    return new Promise<CheckResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CheckAborted('CHECK_TIMEOUT', `the check ran past ${this.limitMs} ms`));
        if (this.running === running) this.running = undefined;
        void running.worker.terminate();
      }, this.limitMs);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      running.worker.postMessage({ id, input });
    });
  }

  private start(): Running {
    if (this.running) return this.running;
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: ROLE, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    // An idle worker must not keep the process alive.
    worker.unref();
    let loaded: () => void = () => undefined;
    let failed: (error: CheckAborted) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      failed = reject;
    });
    const running: Running = { worker, ready };
    worker.on('message', (reply: Reply | typeof READY) => {
      if (reply === READY) return loaded();
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ('result' in reply) waiting.resolve(reply.result);
      else waiting.reject(new CheckAborted('CHECK_ABORTED', reply.error));
    });
    const gone = (reason: string) => {
      const error = new CheckAborted('CHECK_ABORTED', reason);
      failed(error);
      if (this.running !== running) return;
      this.running = undefined;
      this.failAll(error);
    };
    worker.on('error', (error) => gone((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the check ran out of memory' : 'the check failed'));
    worker.on('exit', () => gone('the check stopped'));
    this.running = running;
    return running;
  }

  private failAll(error: CheckAborted): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

// In the worker: answer each check in turn. checkSubgraph never throws on bad input: an error is a
// fault of ours, written to the registry's stderr and answered as a check that could not complete,
// with no internals in the answer.
if (workerData === ROLE && parentPort) {
  const port = parentPort;
  port.on('message', (message: { id: number; input: CheckInput }) => {
    checkSubgraph(message.input).then(
      (result) => port.postMessage({ id: message.id, result } satisfies Reply),
      (error: unknown) => {
        process.stderr.write(`registry check: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        port.postMessage({ id: message.id, error: 'the check failed' } satisfies Reply);
      },
    );
  });
  port.postMessage(READY);
}
