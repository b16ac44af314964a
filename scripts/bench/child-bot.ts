import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BotProcessMessage, BotProcessRequest } from './bot-process.js';
import type { Simulators } from './world.js';

/** The bot in a child process, driven over IPC. */
export interface ChildBot {
  botUrl: string;
  pid: number;
  /** Process memory after a full garbage collection. */
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./bot-process.ts', import.meta.url));

/** Forks bot-process.ts (through tsx, with `--expose-gc`) pointed at the simulators, sharing their clock. */
export async function startChildBot(simulators: Simulators): Promise<ChildBot> {
  const child = fork(ENTRY, [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, ...simulators.env, LOG_LEVEL: 'info', BENCH_CLOCK: JSON.stringify(simulators.clock.settings) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const ready = await nextMessage(child, 'ready', 30_000, stderr);
  return {
    botUrl: `http://127.0.0.1:${ready.port}/slack/events`,
    pid: child.pid ?? 0,
    memory: async () => {
      const answer = nextMessage(child, 'memory', 10_000, stderr);
      send(child, { type: 'memory' });
      return (await answer).usage;
    },
    stop: async () => {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      send(child, { type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function send(child: ChildProcess, message: BotProcessRequest): void {
  child.send(message);
}

function nextMessage<T extends BotProcessMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
  stderr: string[],
): Promise<Extract<BotProcessMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: BotProcessMessage) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as Extract<BotProcessMessage, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the bot process exited (${code}) before answering "${type}":\n${stderr.join('').slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the bot process did not answer "${type}" within ${timeoutMs} ms:\n${stderr.join('').slice(-2000)}`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
