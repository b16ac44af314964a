import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** A bot running as its own process, as in production: `node --import tsx src/main.ts`. */
export interface BotProcess {
  port: number;
  url: string;
  logs: string[];
  child: ChildProcess;
  /** Resolves with the exit code and signal, and how long after `kill` it took. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** A TCP port nobody is listening on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the bot process with `env` (PORT is chosen here) and resolves once it logs that it is ready. */
export async function startBotProcess(env: Record<string, string>, readyTimeoutMs = 20_000): Promise<BotProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot process not ready after ${readyTimeoutMs} ms:\n${logs.join('')}`)), readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      logs.push(chunk.toString('utf8'));
      if (chunk.toString('utf8').includes('rollback-bot ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`bot process exited (${code ?? signal}) before it was ready:\n${logs.join('')}`));
    });
  });
  await ready;
  return { port, url: `http://127.0.0.1:${port}/slack/events`, logs, child, exited, kill: (signal) => child.kill(signal) };
}
