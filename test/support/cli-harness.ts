import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { Harness } from './bot-harness.js';

/** What one run of the command line did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The engine's log lines (in-process runs only). */
  logs: string;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const AWS_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret-key' };

/**
 * The environment an operator's shell (or a CI job) would have: the bot's settings, pointed at the
 * harness's fakes and store; no signing secret, since the command line receives nothing from Slack.
 */
export function cliEnv(h: Harness, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: h.slack.botToken,
    SLACK_API_URL: h.slack.started.apiUrl,
    ROLLBACK_CONFIG: path.join(h.dataDir, 'rollback.config.yaml'),
    DATA_DIR: h.dataDir,
    PAGERDUTY_EVENTS_URL: h.pagerduty.url,
    PAGERDUTY_API_URL: h.pagerduty.url,
    PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000001',
    USER: 'ci-bot',
    ...extra,
  };
}

/** Runs `rollback-bot <argv>` in this process on the harness's fake clock; `tty` makes stdout a terminal. */
export async function runCli(h: Harness, argv: string[], options: { tty?: boolean; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let logs = '';
  const code = await main(
    argv,
    options.env ?? cliEnv(h),
    {
      stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false, columns: 120 },
      stderr: { write: (text: string) => (stderr += text) },
    },
    {
      clock: h.clock,
      logDestination: { write: (line: string) => void (logs += line) },
      aws: { endpoint: { ecs: h.ecs.url, cloudwatch: h.cloudwatch.url }, credentials: AWS_CREDENTIALS },
    },
  );
  return { code, stdout, stderr, logs };
}

/** Runs `src/cli.ts` as its own process, as an operator or a pipeline would, reaching AWS through the SDK's own env variables. */
export function spawnCli(h: Harness, argv: string[]): Promise<CliRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    ...cliEnv(h),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_ECS: h.ecs.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: h.cloudwatch.url,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...argv], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, logs: '' }));
  });
}
