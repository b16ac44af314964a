import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Simulators } from './world.js';

/** One start of the bot as a process of its own. */
export interface StartupSample {
  /** Real ms from spawning the process to its `rollback-bot ready` log line. */
  readyMs: number;
  /** CPU time (user + system, all threads) the process had used when it said ready. */
  readyCpuMs: number;
  /** Resident set size a second after ready. */
  rssBytes: number;
}

/** A started bot process. */
export interface LaunchedBot {
  readyMs: number;
  readyCpuMs: number;
  readyAt: number;
  /** Its resident set size now. */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

const SETTLE_MS = 1_000;

/**
 * Starts `command` (e.g. `node dist/main.js`) `runs` times, each on a fresh SQLite store, pointed at
 * the simulators through CONTRACT.md's environment variables; times it to ready, reads its memory a
 * second later from /proc, then stops it with SIGTERM.
 */
export async function measureStartup(command: string[], simulators: Simulators, runs: number): Promise<StartupSample[]> {
  const samples: StartupSample[] = [];
  for (let i = 0; i < runs; i++) {
    const bot = await launchBot(command, simulators);
    try {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      samples.push({ readyMs: bot.readyMs, readyCpuMs: bot.readyCpuMs, rssBytes: await bot.rss() });
    } finally {
      await bot.stop();
    }
  }
  return samples;
}

/** Starts `command` on a fresh SQLite store and resolves once it logs that it is ready. */
export async function launchBot(command: string[], simulators: Simulators): Promise<LaunchedBot> {
  const [file, ...args] = command;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rollback-bot-start-'));
  const started = performance.now();
  const child = spawn(file!, args, { env: { ...process.env, ...simulators.env, DATA_DIR: dataDir, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const ready = await new Promise<{ readyMs: number; readyCpuMs: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command.join(' ')} was not ready within 30 s:\n${stderr.join('')}`)), 30_000);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${command.join(' ')} exited (${code}) before it was ready:\n${stderr.join('')}`));
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.includes('"rollback-bot ready"')) return;
        clearTimeout(timer);
        const readyMs = performance.now() - started;
        cpuMsOf(child.pid ?? 0).then((readyCpuMs) => resolve({ readyMs, readyCpuMs }), reject);
      });
    });
    return { ...ready, readyAt: performance.now(), rss: () => rssOf(child.pid ?? 0), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** VmRSS of a process, as `process.memoryUsage().rss` would report it from inside. */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

// /proc/<pid>/stat counts CPU time in clock ticks, 100 a second on Linux.
const TICK_MS = 10;

/** User and system CPU time of a process so far, from /proc/<pid>/stat (fields 14 and 15). */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
