/**
 * A mesh killed without stopping (out of memory, say) leaves its embedded PostgreSQL running on the
 * data directory. The next start must say so, and what to do, rather than fail with no reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningPostmaster } from '../scripts/embedded-postgres';

const REPO = join(__dirname, '..');
let dir: string;
beforeEach(() => {
  // A data directory as a running server leaves it: initialised, with the postmaster's pid file.
  dir = mkdtempSync(join(tmpdir(), 'lienthong-pg-left-'));
  writeFileSync(join(dir, 'PG_VERSION'), '18\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (a child run to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('a PostgreSQL left running on the data directory', () => {
  it('is found by its pid file when its process lives, and not when it is gone or there is none', () => {
    expect(runningPostmaster(dir)).toBeUndefined();
    writeFileSync(join(dir, 'postmaster.pid'), `${deadPid()}\n${dir}\n`);
    expect(runningPostmaster(dir)).toBeUndefined();
    writeFileSync(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n`);
    expect(runningPostmaster(dir)).toBe(process.pid);
  });

  it('stops a start with a message naming the pid and how to stop it', () => {
    writeFileSync(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n`);
    const script =
      "require('./scripts/embedded-postgres').startEmbeddedPostgres(process.argv[1])" +
      ".then(() => process.exit(0), (e) => { process.stderr.write(e.name + ': ' + e.message); process.exit(1); })";
    const run = spawnSync('npx', ['tsx', '-e', script, dir], { cwd: REPO, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`EmbeddedPostgresError: PostgreSQL đang chạy trên ${dir} (pid ${process.pid})`);
    expect(run.stderr).toContain(`stop it with kill -INT ${process.pid}, then start again`);
  });
});
