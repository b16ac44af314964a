import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { systemClock } from '../../src/ports/clock.js';
import { FakeCloudWatch } from '../fakes/cloudwatch/fake-cloudwatch-server.js';
import { FakeEcs } from '../fakes/ecs/fake-ecs-server.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack/index.js';
import { standardServices } from './bot-harness.js';
import { TEST_SIGNING_SECRET } from './slack-requests.js';

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

/** Fakes on real time and the environment a bot process needs to reach them, for tests that start real processes. */
export interface ProcessFixture {
  slack: FakeSlack;
  ecs: FakeEcs;
  cloudwatch: FakeCloudWatch;
  dir: string;
  env: Record<string, string>;
  /** Starts a bot process on this fixture; `stop` kills whatever is left. */
  start(): Promise<BotProcess>;
  /** Waits (real time) until `condition` holds. */
  until(condition: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** `ROLLBACK COMPLETE` messages posted so far. */
  completions(): RecordedCall[];
  /** Kills the processes, checks the fakes saw no request that breaks the specs, and stops them. */
  stop(): Promise<void>;
}

/**
 * Fakes on the system clock (a separate process cannot share a fake one), a config file in a temporary folder,
 * and ECS services seeded with revisions 12 and 13 behind the running 14, each rolling out in a few seconds.
 */
export async function startProcessFixture(options: { config: string; cluster: string; services: string[]; env?: Record<string, string> }): Promise<ProcessFixture> {
  const slack = new FakeSlack();
  const { apiUrl } = await slack.start();
  const ecs = new FakeEcs({ clock: systemClock });
  await ecs.start();
  for (const seed of standardServices(options.cluster, options.services)) ecs.addService({ ...seed, behaviour: { stabilizeSeconds: 4 } });
  const cloudwatch = new FakeCloudWatch({ clock: systemClock });
  await cloudwatch.start();
  const dir = await mkdtemp(path.join(tmpdir(), 'rb-process-'));
  await writeFile(path.join(dir, 'rollback.config.yaml'), options.config);
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    ROLLBACK_CONFIG: path.join(dir, 'rollback.config.yaml'),
    DATA_DIR: dir,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-key',
    AWS_ENDPOINT_URL_ECS: ecs.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const processes: BotProcess[] = [];
  return {
    slack,
    ecs,
    cloudwatch,
    dir,
    env,
    start: async () => {
      const bot = await startBotProcess(env);
      processes.push(bot);
      return bot;
    },
    until: async (condition, what, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    completions: () => slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('ROLLBACK COMPLETE')),
    stop: async () => {
      for (const p of processes.splice(0)) {
        if (p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
        await p.exited;
      }
      expect(slack.violations).toEqual([]);
      expect(ecs.violations).toEqual([]);
      await Promise.all([ecs.stop(), cloudwatch.stop(), slack.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
