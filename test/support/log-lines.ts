import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/**
 * A logger at info whose every line is kept, parsed, in `lines`: for tests that read what the mesh
 * logged, the gateway's consumer-side records among it.
 */
export function capturedLog(): { readonly logger: Logger; readonly lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}
