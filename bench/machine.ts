import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { REPO_ROOT } from './options';
import { loadAverage } from './processes';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly date: string;
  /** Short commit hash, with "+ uncommitted changes" when the working tree differs from it. */
  readonly commit: string;
  /** 1-minute load average before the harness started anything: others' activity on the machine. */
  readonly loadAverage: number | undefined;
}

function git(args: readonly string[]): string {
  const result = spawnSync('git', [...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : '';
}

/** What the report states about where and on what code it was measured. */
export function describeMachine(): MachineInfo {
  const list = cpus();
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain']) !== '';
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    date: new Date().toISOString(),
    commit: dirty ? `${commit} + uncommitted changes` : commit,
    loadAverage: loadAverage(),
  };
}
