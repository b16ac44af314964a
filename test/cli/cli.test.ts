import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli, spawnCli } from '../support/cli-harness.js';
import { startHarness, type Harness } from '../support/bot-harness.js';

// The sample environments, with production's requesters naming the command-line actors allowed there.
const CLI_CONFIG = `
incidentsChannel: C0INCIDENTS
pagerduty:
  urgency: high
environments:
  production:
    region: us-east-1
    cluster: shieldai-production
    protected: true
    requesters: [U0ALICE, cli:alice, cli:ci-bot]
    approvers: [U0CAROL]
    services:
      api:
        ecsService: shieldai-production-api
        healthCheckUrl: https://api.example.com/health
        alarms: [shieldai-production-alb-5xx]
      worker:
        ecsService: shieldai-production-worker
  staging:
    region: us-east-1
    cluster: shieldai-staging
    protected: false
    services:
      api: { ecsService: shieldai-staging-api }
`;

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  expect(h.pagerduty.violations).toEqual([]);
  await h.stop();
});

async function auditOf(environment: string) {
  return (await h.bot.store.listAudit({ environment, limit: 50 })).reverse().map((a) => `${a.actor} ${a.action}:${a.outcome}`);
}

describe('rollback-bot rollback', () => {
  it('rolls back with the same engine as Slack: announced, paged, audited as cli:<USER>, deploys frozen; exit 0', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    const run = await runCli(h, ['rollback', 'staging', 'api', '--reason', 'bad deploy of 14']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Rolling back staging as cli:ci-bot');
    expect(run.stdout).toMatch(/^\[\d+s\] api: rolling out/m);
    expect(run.stdout).toContain('ROLLBACK COMPLETE: staging');
    expect(run.stdout).toContain('api: succeeded: running shieldai-staging-api:13');
    expect(run.stdout).toContain('api: deploys frozen since');
    expect(run.stdout).not.toContain('\x1b[');

    expect(h.ecs.callsTo('UpdateService').map((c) => (c.body as { service: string }).service)).toEqual(['shieldai-staging-api']);
    const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    expect(rollback).toMatchObject({ state: 'succeeded', requestedBy: 'cli:ci-bot', channelId: 'cli', reason: 'bad deploy of 14' });
    const top = h.slack.messagesIn('C0INCIDENTS');
    expect(top).toHaveLength(1);
    expect(top[0]!.text).toContain('ROLLBACK COMPLETE');
    expect(h.slack.callsTo('chat.postMessage').some((c) => JSON.stringify(c.params).includes('cli:ci-bot'))).toBe(true);
    expect(h.pagerduty.events.map((e) => [e['event_action'], e['dedup_key']])).toEqual([
      ['trigger', rollback.id],
      ['resolve', rollback.id],
    ]);
    expect(await auditOf('staging')).toEqual([
      'cli:ci-bot rollback.requested:ok',
      'cli:ci-bot ecs.update-service:attempt',
      'cli:ci-bot ecs.update-service:ok',
      'system service.succeeded:ok',
      'system rollback.succeeded:ok',
      'system deploy-lock.lock:attempt',
      'system deploy-lock.lock:ok',
    ]);

    const check = await runCli(h, ['locks', 'check', 'staging', 'api']);
    expect(check).toMatchObject({ code: 3, stdout: expect.stringContaining('locked: staging/api deploys frozen since') });
    expect(check.stdout).toContain('rolled back by cli:ci-bot because bad deploy of 14');
    expect((await runCli(h, ['history', 'staging'])).stdout).toMatch(/^rb-\S+ .* succeeded, verified in .+ by cli:ci-bot$/m);
    expect(await runCli(h, ['locks', 'unlock', 'staging', 'api', '--actor', 'dana'])).toMatchObject({ code: 0, stdout: expect.stringContaining('unlocked') });
    expect(await runCli(h, ['locks', 'check', 'staging', 'api'])).toMatchObject({ code: 0, stdout: 'unlocked: staging/api\n' });
    expect((await auditOf('staging')).slice(-2)).toEqual(['cli:dana deploy-lock.unlock:attempt', 'cli:dana deploy-lock.unlock:ok']);
  });

  it('refuses a protected environment without --yes and a reason, and `all` there (a second person), changing nothing; exit 2', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    const noYes = await runCli(h, ['rollback', 'production', 'api', '--reason', '5xx']);
    expect(noYes).toMatchObject({ code: 2, stdout: '' });
    expect(noYes.stderr).toContain('production is protected: read the plan (--dry-run), then run again with --yes and --reason');
    expect((await runCli(h, ['rollback', 'production', 'api', '--yes'])).code).toBe(2);
    const all = await runCli(h, ['rollback', 'production', 'all', '--yes', '--reason', 'everything is down']);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain("needs a second person's approval, which the command line cannot give. Use `/rollback production all` in Slack.");
    expect(h.ecs.mutatingRequests()).toEqual([]);
    expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);
    expect(await auditOf('production')).toEqual(['cli:ci-bot rollback.request:refused', 'cli:ci-bot rollback.request:refused', 'cli:ci-bot rollback.request:refused']);
  });

  it('rolls a protected service back with --yes and --reason, showing live lines on a terminal', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    const run = await runCli(h, ['rollback', 'production', 'api', '--yes', '--reason', '5xx since 14', '--actor', 'alice'], { tty: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\x1b[');
    expect(run.stdout).toContain('verifying health');
    expect(run.stdout).toContain('ROLLBACK COMPLETE: production');
    expect(await auditOf('production')).toEqual(expect.arrayContaining(['cli:alice rollback.requested:ok', 'cli:alice rollback.confirmed:ok', 'cli:alice ecs.update-service:ok']));
    expect((await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]).toMatchObject({ state: 'succeeded', confirmedBy: 'cli:alice' });
  });

  it('refuses a command-line actor that the environment does not list among its requesters; exit 1', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    const run = await runCli(h, ['rollback', 'production', 'api', '--yes', '--reason', '5xx', '--actor', 'mallory']);
    expect(run.code).toBe(1);
    expect(run.stderr + run.stdout).toContain('may start rollbacks in production');
    expect(h.ecs.mutatingRequests()).toEqual([]);
  });

  it('exits 1 when a service fails, and freezes nothing', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { failTasks: true }, { taskDefinition: 'shieldai-staging-api:13' });
    const run = await runCli(h, ['rollback', 'staging', 'api', '--reason', 'bad deploy']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ROLLBACK FAILED: staging');
    expect(run.stdout).toMatch(/api: FAILED/);
    expect((await runCli(h, ['locks', 'check', 'staging', 'api'])).code).toBe(0);
  });

  it('exits 1 when ECS is stable but health does not verify', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    h.health.failing('/health', 503);
    const run = await runCli(h, ['rollback', 'production', 'api', '--yes', '--reason', '5xx']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ROLLBACK UNVERIFIED: production');
    expect(run.stdout).toMatch(/ {2}! api: .*\/health.*503/);
  });

  it('shows a dry run with the exact AWS calls and changes nothing; exit 0', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    const run = await runCli(h, ['rollback', 'production', 'all', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run of a rollback in production: nothing was changed.');
    expect(run.stdout).toContain('ecs:UpdateService cluster=shieldai-production service=shieldai-production-worker taskDefinition=arn:aws:ecs:us-east-1:123456789012:task-definition/shieldai-production-worker:13 forceNewDeployment=true');
    expect(h.ecs.mutatingRequests()).toEqual([]);
    expect(await auditOf('production')).toEqual(['cli:ci-bot rollback.dry-run:info']);
  });
});

describe('rollback-bot status, history, locks and usage', () => {
  it('answers status and history in plain lines', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    const status = await runCli(h, ['status', 'production']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('api: runs shieldai-production-api:14 (v1.0.14), 2/2 running, rollout COMPLETED');
    expect(status.stdout).toContain('    rollback would go to shieldai-production-api:13 (v1.0.13), from ECS’s deployment history');
    expect(await runCli(h, ['history', 'production', 'api'])).toMatchObject({ code: 0, stdout: 'Latest rollbacks in production / api\nNo rollbacks yet.\n' });
    expect(await runCli(h, ['locks', 'lock', 'production', 'worker', '--reason', 'migration'])).toMatchObject({ code: 0 });
    expect((await runCli(h, ['locks', 'list', 'production'])).stdout).toMatch(/^worker: deploys frozen since .*: locked by cli:ci-bot because migration\n$/);
    await runCli(h, ['locks', 'lock', 'staging', 'api', '--reason', 'wipe\u001b[2J the screen']);
    expect((await runCli(h, ['locks', 'check', 'staging', 'api'])).stdout).toContain('because wipe[2J the screen');
  });

  it('prints stored text from others without terminal escape sequences', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    await h.command('lock production api \u001b]0;pwned\u0007 ok', 'U0ALICE');
    await h.waitFor(() => h.slack.ephemeralsTo('U0ALICE').some((e) => e.text.includes('deploys frozen')));
    const list = await runCli(h, ['locks', 'list', 'production']);
    expect(list.stdout).toContain('locked by U0ALICE because ]0;pwned ok');
    expect(list.stdout).not.toMatch(/[\u0000-\u0008\u001b]/);
  });

  it('exits 2 on usage and configuration errors, naming what is wrong', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    expect(await runCli(h, ['help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('rollback-bot locks check <env> <service>') });
    expect(await runCli(h, ['rollback', 'staging'])).toMatchObject({ code: 2, stderr: expect.stringContaining('`rollback` needs <env> <service|all>') });
    expect(await runCli(h, ['rollback', 'staging', 'api', '--force'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--force'") });
    expect(await runCli(h, ['status', 'prod'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown environment `prod`.') });
    expect(await runCli(h, ['locks', 'check', 'staging', 'apii'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Did you mean `api`?') });
    expect(await runCli(h, ['rollback', 'staging', 'api', '--to', 'v1 broke'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--to') });
    expect(await runCli(h, ['rollback', 'staging', 'api', '--to', '!'])).toMatchObject({ code: 2, stderr: expect.stringContaining('neither a revision number nor an image tag') });
    expect(await runCli(h, ['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command `frobnicate`') });
    const noActor = await runCli(h, ['rollback', 'staging', 'api'], { env: { ...cliEnv(h), USER: undefined } });
    expect(noActor).toMatchObject({ code: 2, stderr: expect.stringContaining('--actor') });
    const noToken = await runCli(h, ['status', 'staging'], { env: { ...cliEnv(h), SLACK_BOT_TOKEN: undefined } });
    expect(noToken).toMatchObject({ code: 2, stderr: expect.stringContaining('SLACK_BOT_TOKEN') });
    expect(h.ecs.mutatingRequests()).toEqual([]);
  });
});

describe('rollback-bot as its own process', () => {
  it('checks a lock (exit 0, then 3), refuses a protected environment without --yes (2), and dry-runs through AWS_ENDPOINT_URL_ECS (0)', async () => {
    h = await startHarness({ config: CLI_CONFIG });
    expect(await spawnCli(h, ['locks', 'check', 'staging', 'api'])).toMatchObject({ code: 0, stdout: 'unlocked: staging/api\n' });
    await runCli(h, ['locks', 'lock', 'staging', 'api', '--reason', 'release freeze']);
    const locked = await spawnCli(h, ['locks', 'check', 'staging', 'api']);
    expect(locked).toMatchObject({ code: 3, stdout: expect.stringContaining('locked by cli:ci-bot because release freeze') });

    const refused = await spawnCli(h, ['rollback', 'production', 'api']);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('production is protected') });
    const dryRun = await spawnCli(h, ['rollback', 'staging', 'api', '--dry-run']);
    expect(dryRun.stderr).not.toContain('rollback-bot:');
    expect(dryRun).toMatchObject({ code: 0, stdout: expect.stringContaining('ecs:UpdateService cluster=shieldai-staging service=shieldai-staging-api') });
    expect(h.ecs.callsTo('DescribeServices').length).toBeGreaterThan(0);
    expect(h.ecs.mutatingRequests()).toEqual([]);
  }, 60_000);
});
