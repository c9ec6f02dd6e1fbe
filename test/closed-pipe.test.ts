import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs a script writing 8 MB to stdout, closes the pipe after the first chunk; returns exit code and stderr. */
function cutShort(withHelper: boolean): Promise<{ code: number | null; stderr: string }> {
  const helper = join(__dirname, '..', 'scripts', 'closed-pipe.ts');
  const script = `${withHelper ? `require(${JSON.stringify(helper)}).endQuietlyOnClosedPipe();` : ''}
    const chunk = 'x'.repeat(65536) + '\\n';
    let left = 128;
    const more = () => { while (left-- > 0) { if (!process.stdout.write(chunk)) { process.stdout.once('drain', more); return; } } };
    more();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a command whose reader stops reading (… | head)', () => {
  it('ends quietly, with no EPIPE stack on stderr', async () => {
    const { code, stderr } = await cutShort(true);
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  }, 30_000);

  it('would otherwise die on EPIPE (the control)', async () => {
    const { stderr } = await cutShort(false);
    expect(stderr).toMatch(/EPIPE/);
  }, 30_000);
});
