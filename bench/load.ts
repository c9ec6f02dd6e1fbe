import { join } from 'node:path';
import { REPO_ROOT } from './options';
import { workerReplySchema, type LoadResult, type LoadSpec } from './load-protocol';
import { startChild, type RunningChild } from './processes';

/** The harness's handle on the load-generator process (bench/load-worker.ts). */
export interface LoadGenerator {
  /** Runs one measurement; one at a time. */
  run(spec: LoadSpec): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** Starts the load generator as a child process pinned to `cores` (when pinning is possible). */
export function startLoadGenerator(cores: string | undefined): LoadGenerator {
  const child: RunningChild = startChild({
    name: 'load generator',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'bench', 'load-worker.ts')],
    env: { ...process.env, NODE_ENV: 'production' },
    cwd: REPO_ROOT,
    cores,
    ipc: true,
  });
  let nextId = 0;
  let busy = false;
  return {
    async run(spec) {
      if (busy) throw new Error('the load generator runs one measurement at a time');
      busy = true;
      const id = nextId++;
      try {
        return await new Promise<LoadResult>((resolve, reject) => {
          // A measurement's own length plus autocannon's 10 s request timeout and start-up.
          const timer = setTimeout(() => finish(new Error(`load generator gave no result within ${spec.seconds + 60} s`)), (spec.seconds + 60) * 1000);
          const onMessage = (raw: unknown) => {
            const reply = workerReplySchema.safeParse(raw);
            if (!reply.success || reply.data.id !== id) return;
            if (reply.data.ok) finish(undefined, reply.data.result);
            else finish(new Error(`load generator: ${reply.data.message}`));
          };
          const onExit = () => finish(new Error(`load generator exited:\n${child.tail()}`));
          const finish = (error: Error | undefined, result?: LoadResult) => {
            clearTimeout(timer);
            child.process.off('message', onMessage);
            child.process.off('exit', onExit);
            if (error || !result) reject(error ?? new Error('no result'));
            else resolve(result);
          };
          child.process.on('message', onMessage);
          child.process.once('exit', onExit);
          child.process.send({ id, spec });
        });
      } finally {
        busy = false;
      }
    },
    async stop() {
      if (child.process.connected) child.process.disconnect();
      await child.stop(3000);
    },
  };
}
