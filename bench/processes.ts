import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Lines of a child's output kept to explain why it failed. */
const TAIL_LINES = 40;

let tasksetChecked: boolean | undefined;

/** True when processes can be pinned: `taskset` exists and the machine has at least two cores. */
export function canPin(): boolean {
  if (tasksetChecked === undefined) {
    tasksetChecked = cpus().length >= 2 && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  }
  return tasksetChecked;
}

/**
 * Pins an already running process, all its threads, to `cores` (taskset list syntax, e.g. "1").
 * Processes it forks later inherit the affinity. A no-op when pinning is not possible.
 */
export function pinProcess(pid: number, cores: string): void {
  if (!canPin()) return;
  const result = spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset could not pin ${pid} to ${cores}: ${result.stderr}`);
}

/** The direct children of `pid`, from /proc (Linux only; empty elsewhere). */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === pid) children.push(Number(entry));
  }
  return children;
}

interface ProcStat {
  readonly ppid: number;
  /** User plus system CPU time, in clock ticks. */
  readonly cpuTicks: number;
  /** User plus system CPU time of its children that have exited and been waited for, in clock ticks. */
  readonly reapedChildTicks: number;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), i.e. indexes 1, 11 to 14 here.
  return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), reapedChildTicks: Number(fields[13]) + Number(fields[14]) };
}

let ticksPerSecond: number | undefined;

function ticksToSeconds(ticks: number): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticks / ticksPerSecond;
}

/** CPU seconds (user + system) `pid` has used so far, or undefined when /proc cannot tell. */
export function cpuSeconds(pid: number): number | undefined {
  const stat = procStat(pid);
  return stat ? ticksToSeconds(stat.cpuTicks) : undefined;
}

/**
 * CPU seconds used so far by `pid` and its children, those running and those it has reaped: for
 * PostgreSQL's postmaster, every backend and worker, including the ones that exited. Undefined when
 * /proc cannot tell.
 */
export function treeCpuSeconds(pid: number): number | undefined {
  const stat = procStat(pid);
  if (!stat) return undefined;
  let ticks = stat.cpuTicks + stat.reapedChildTicks;
  for (const child of childPids(pid)) ticks += procStat(child)?.cpuTicks ?? 0;
  return ticksToSeconds(ticks);
}

/**
 * Busy CPU seconds of core `core` since boot (user, nice, system, irq, softirq and steal: everything
 * but idle and iowait), from /proc/stat; undefined when /proc cannot tell.
 */
export function coreBusySeconds(core: number): number | undefined {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(`cpu${core} `));
  if (!line) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
  return busy / ticksPerSecond;
}

/** The 1-minute load average, or undefined off Linux. */
export function loadAverage(): number | undefined {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** Resident set size of `pid` in bytes, or undefined when /proc cannot tell. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface ChildSpec {
  readonly name: string;
  /** The executable and its arguments. */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** taskset core list; the child inherits this process's affinity when undefined or when pinning is impossible. */
  readonly cores?: string;
  /** Open an IPC channel (the child must be Node). */
  readonly ipc?: boolean;
}

export interface RunningChild {
  readonly name: string;
  /** The pid of the program itself: taskset execs it in place. */
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last lines the child printed, to explain a failure. */
  tail(): string;
  /** Non-null once the child has exited. */
  exitCode(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a child process, pinned to `spec.cores` when possible, keeping the tail of its output. */
export function startChild(spec: ChildSpec): RunningChild {
  const pinned = spec.cores !== undefined && canPin();
  const command = pinned ? 'taskset' : spec.command;
  const args = pinned ? ['-c', spec.cores ?? '', spec.command, ...spec.args] : [...spec.args];
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: spec.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let code: number | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      code = exitCode ?? (signal ? 128 : 1);
      resolve();
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${command})`);
  const pid = child.pid;
  return {
    name: spec.name,
    pid,
    process: child,
    tail: () => lines.join('\n'),
    exitCode: () => code,
    async stop(graceMs = 5000) {
      if (code !== null) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Waits until `url` answers `init` with 200, polling every 200 ms for at most `timeoutMs`. Fails
 * early, with the child's output, if the child exits.
 */
export async function waitForHttp(url: string, child: RunningChild, init: RequestInit = {}, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode() !== null) throw new Error(`${child.name} exited with ${child.exitCode()}:\n${child.tail()}`);
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${child.name} did not answer at ${url} within ${timeoutMs} ms:\n${child.tail()}`);
}
