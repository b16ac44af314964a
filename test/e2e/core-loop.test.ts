import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from '../support/bot-harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  await h.stop();
});

const API = 'shieldai-production-api';
const tdArn = (service: string, rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${service}:${rev}`;

/** The next prompt with `actionId` posted in `channel`, as it was posted (later updates do not change it). */
async function promptIn(channel: string, actionId: string) {
  const prompt = await h.nextPrompt(actionId);
  expect(prompt.channel).toBe(channel);
  return prompt;
}

async function ephemeralTo(user: string, pattern: RegExp) {
  const call = await h.waitFor((c) => c.method === 'chat.postEphemeral' && (c.params as { user?: string }).user === user && pattern.test(textOf(c)));
  return textOf(call);
}

describe('the core loop through Slack and ECS', () => {
  it('rolls a protected service back after the requester confirms: prompt, click, UpdateService, watch, result', async () => {
    h = await startHarness();
    const answer = await h.command('production api deploy 14 broke checkout');
    expect(answer.status).toBe(200);
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    expect(JSON.stringify(prompt.blocks)).toContain(`${API}:14`);
    expect(JSON.stringify(prompt.blocks)).toContain(`${API}:13`);
    expect(JSON.stringify(prompt.blocks)).toContain('v1.0.14 → v1.0.13');
    expect(JSON.stringify(prompt.blocks)).toContain('"style":"danger"');
    expect(JSON.stringify(prompt.blocks)).toContain('"confirm":{"title"');
    expect(h.ecs.mutatingRequests()).toEqual([]);

    expect((await h.click(prompt, 'rollback_confirm', 'U0ALICE')).status).toBe(200);
    const result = await ephemeralTo('U0ALICE', /finished/);
    expect(result).toContain(`running \`${API}:13\``);
    const updates = h.ecs.callsTo('UpdateService');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body).toEqual({ cluster: 'shieldai-production', service: API, taskDefinition: tdArn(API, 13), forceNewDeployment: true });
    const service = h.ecs.service('shieldai-production', API) as { taskDefinition: string; deployments: unknown[] };
    expect(service.taskDefinition).toBe(tdArn(API, 13));
    expect(service.deployments).toHaveLength(1);

    await h.idle();
    expect(await ephemeralTo('U0ALICE', /Rolling back/)).toContain('api 14 → 13');
    expect(h.slack.message('C0OPS', prompt.ts)?.text).toContain('Confirmed by <@U0ALICE>');
    const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    expect(rollback).toMatchObject({ state: 'succeeded', confirmedBy: 'U0ALICE', reason: 'deploy 14 broke checkout' });
    const audit = (await h.bot.store.listAudit({ rollbackId: rollback.id, limit: 50 })).map((a) => `${a.action}:${a.outcome}`).reverse();
    expect(audit).toEqual([
      'rollback.requested:ok',
      'rollback.confirmed:ok',
      'ecs.update-service:attempt',
      'ecs.update-service:ok',
      'service.succeeded:ok',
      'rollback.succeeded:ok',
    ]);
  });

  it('starts at once in an unprotected environment', async () => {
    h = await startHarness();
    await h.command('staging api');
    await ephemeralTo('U0ALICE', /finished/);
    expect(h.ecs.callsTo('UpdateService').map((c) => c.body)).toEqual([
      { cluster: 'shieldai-staging', service: 'shieldai-staging-api', taskDefinition: tdArn('shieldai-staging-api', 13), forceNewDeployment: true },
    ]);
    expect(h.slack.callsTo('chat.postMessage').every((c) => (c.params as { channel: string }).channel === 'C0INCIDENTS')).toBe(true);
    expect(h.slack.messagesIn('C0OPS')).toEqual([]);
  });

  it('needs a second person from approvers for all, refusing self-approval and others', async () => {
    h = await startHarness();
    await h.command('production all');
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    await h.click(prompt, 'rollback_confirm', 'U0ALICE');
    const approval = await promptIn('C0OPS', 'rollback_approve');
    expect(textOf((await h.waitFor((c) => c.method === 'chat.update'))!)).toContain('waiting for a second person');

    await h.click(approval, 'rollback_approve', 'U0ALICE');
    await ephemeralTo('U0ALICE', /cannot approve your own/);
    await h.click(approval, 'rollback_approve', 'U0BOB');
    await ephemeralTo('U0BOB', /Only <@U0CAROL> may approve/);
    expect(h.ecs.mutatingRequests()).toEqual([]);

    await h.click(approval, 'rollback_approve', 'U0CAROL');
    await ephemeralTo('U0ALICE', /finished/);
    expect(h.ecs.callsTo('UpdateService').map((c) => (c.body as { service: string }).service).sort()).toEqual([API, 'shieldai-production-worker']);
    const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    expect(rollback).toMatchObject({ state: 'succeeded', confirmedBy: 'U0ALICE', approvedBy: 'U0CAROL' });
  });

  it('acts once however many times the confirm button is clicked, and tells later clickers who answered', async () => {
    h = await startHarness();
    await h.command('production api');
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    const clicks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.click(prompt, 'rollback_confirm', 'U0ALICE', { headers: i > 0 ? { 'X-Slack-Retry-Num': String(i % 3) } : {} })),
    );
    expect(clicks.every((c) => c.status === 200)).toBe(true);
    await ephemeralTo('U0ALICE', /finished/);
    await h.idle();
    expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
    const refusals = h.slack.ephemeralsTo('U0ALICE').filter((e) => e.text.includes('Already answered: <@U0ALICE> already confirmed it'));
    expect(refusals).toHaveLength(9);
  });

  it('refuses a click by someone other than the requester, and a cancel changes nothing', async () => {
    h = await startHarness();
    await h.command('production api');
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    await h.click(prompt, 'rollback_confirm', 'U0BOB');
    await ephemeralTo('U0BOB', /Only <@U0ALICE>, who asked/);
    await h.click(prompt, 'rollback_cancel', 'U0ALICE');
    await h.waitFor((c) => c.method === 'chat.update' && textOf(c).includes('Cancelled by <@U0ALICE>'));
    await h.click(prompt, 'rollback_confirm', 'U0ALICE');
    await ephemeralTo('U0ALICE', /was cancelled/);
    await h.idle();
    expect(h.ecs.mutatingRequests()).toEqual([]);
  });

  it('refuses a click after the prompt expired', async () => {
    h = await startHarness();
    await h.command('production api');
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    h.clock.advance(16 * 60_000);
    await h.click(prompt, 'rollback_confirm', 'U0ALICE');
    await ephemeralTo('U0ALICE', /expired/);
    await h.idle();
    expect(h.ecs.mutatingRequests()).toEqual([]);
    expect((await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!.state).toBe('expired');
    await h.command('production api');
    expect(await promptIn('C0OPS', 'rollback_confirm')).not.toBe(prompt);
  });

  it('refuses buttons with forged values and unknown ids', async () => {
    h = await startHarness();
    await h.command('production api');
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    await h.click(prompt, 'rollback_confirm', 'U0ALICE', { value: 'rb-202611220300-abcdef' });
    await ephemeralTo('U0ALICE', /does not belong to any rollback/);
    await h.click(prompt, 'rollback_confirm', 'U0ALICE', { value: '<!channel> drop table' });
    await ephemeralTo('U0ALICE', /does not name a rollback/);
    await h.idle();
    expect(h.ecs.mutatingRequests()).toEqual([]);
  });

  it('answers an unknown service in the ack, naming the valid ones, without calling AWS', async () => {
    h = await startHarness();
    const answer = await h.command('production apii');
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('Unknown service `apii` in production. Did you mean `api`?');
    expect(body.text).toContain('api, worker, or `all`');
    await h.idle();
    expect(h.ecs.requests).toEqual([]);
  });

  it('refuses a second rollback of a service already being rolled back, naming who holds it', async () => {
    h = await startHarness();
    await h.command('production api');
    await promptIn('C0OPS', 'rollback_confirm');
    await h.command('production api', 'U0BOB');
    await ephemeralTo('U0BOB', /being rolled back by <@U0ALICE>/);
    await h.command('production all', 'U0BOB');
    await ephemeralTo('U0BOB', /\*api\* is being rolled back by <@U0ALICE>/);
  });

  it('goes to a named revision, and to an image tag through an existing revision', async () => {
    h = await startHarness();
    await h.command('staging api to 12');
    await ephemeralTo('U0ALICE', /finished/);
    await h.idle();
    await h.command('staging api to v1.0.13');
    await h.waitFor((c) => c.method === 'chat.postEphemeral' && (textOf(c).match(/finished/g) ?? []).length > 0 && textOf(c).includes(':13'));
    await h.idle();
    expect(h.ecs.callsTo('UpdateService').map((c) => (c.body as { taskDefinition: string }).taskDefinition)).toEqual([
      tdArn('shieldai-staging-api', 12),
      tdArn('shieldai-staging-api', 13),
    ]);
    expect(h.ecs.callsTo('RegisterTaskDefinition')).toEqual([]);
  });

  it('goes further back on a second rollback, never forward to the revision the first one left', async () => {
    h = await startHarness();
    await h.command('staging api');
    await ephemeralTo('U0ALICE', /finished/);
    await h.idle();
    await h.command('staging api still broken');
    await h.waitFor((c) => c.method === 'chat.postEphemeral' && textOf(c).includes('api 13 → 12'));
    await h.idle();
    expect(h.ecs.callsTo('UpdateService').map((c) => (c.body as { taskDefinition: string }).taskDefinition)).toEqual([
      tdArn('shieldai-staging-api', 13),
      tdArn('shieldai-staging-api', 12),
    ]);
  });

  it('registers a new revision from the running one for an image tag no revision has', async () => {
    h = await startHarness();
    await h.command('staging api to v0.9.0');
    await ephemeralTo('U0ALICE', /finished/);
    const registered = h.ecs.callsTo('RegisterTaskDefinition');
    expect(registered).toHaveLength(1);
    const body = registered[0]!.body as { family: string; containerDefinitions: { name: string; image: string }[] };
    expect(body.family).toBe('shieldai-staging-api');
    expect(body.containerDefinitions[0]!.image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/shieldai-staging-api:v0.9.0');
    expect((h.ecs.callsTo('UpdateService')[0]!.body as { taskDefinition: string }).taskDefinition).toBe(tdArn('shieldai-staging-api', 15));
  });

  it('says so and does nothing when already on the target', async () => {
    h = await startHarness();
    await h.command('staging api to 14');
    expect(await ephemeralTo('U0ALICE', /Nothing to do/)).toContain('already running it');
    await h.idle();
    expect(h.ecs.mutatingRequests()).toEqual([]);
  });

  it('reports a FAILED rollout with ECS’s reason and the circuit breaker’s count', async () => {
    h = await startHarness();
    h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { failTasks: true }, { taskDefinition: 'shieldai-staging-api:13' });
    await h.command('staging api');
    const result = await ephemeralTo('U0ALICE', /FAILED/);
    expect(result).toMatch(/api\* failed in .*circuit breaker/);
    expect(result).toMatch(/\d+ failed tasks/);
    expect((await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!.state).toBe('failed');
  });

  it('reports a timeout when ECS never stabilises', async () => {
    h = await startHarness();
    h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { neverStabilize: true });
    await h.command('staging api');
    const result = await ephemeralTo('U0ALICE', /FAILED/);
    expect(result).toContain('timed out');
    expect(result).toContain('Not stable after 15 min');
  });

  it('stops a deployment that is still in progress and lets ECS roll it back', async () => {
    h = await startHarness({
      services: [
        {
          service: 'shieldai-staging-api',
          cluster: 'shieldai-staging',
          deployments: ['shieldai-staging-api:12', 'shieldai-staging-api:13', { taskDefinition: 'shieldai-staging-api:14', inProgress: { behaviour: { neverStabilize: true } } }],
        },
      ],
    });
    await h.command('staging api');
    await ephemeralTo('U0ALICE', /finished/);
    expect(h.ecs.callsTo('UpdateService')).toEqual([]);
    expect(h.ecs.callsTo('StopServiceDeployment').map((c) => (c.body as { stopType: string }).stopType)).toEqual(['ROLLBACK']);
    expect((h.ecs.service('shieldai-staging', 'shieldai-staging-api') as { taskDefinition: string }).taskDefinition).toBe(tdArn('shieldai-staging-api', 13));
  });

  it('falls back to the task definition family when ECS keeps no deployment history', async () => {
    h = await startHarness();
    h.ecs.disableOperation('ListServiceDeployments');
    await h.command('staging api');
    await ephemeralTo('U0ALICE', /finished/);
    expect((h.ecs.callsTo('UpdateService')[0]!.body as { taskDefinition: string }).taskDefinition).toBe(tdArn('shieldai-staging-api', 13));
  });

  it('gives 401 to forged, wrong-secret and stale requests, and changes nothing', async () => {
    h = await startHarness();
    expect((await h.command('staging api', 'U0ALICE', { signingSecret: 'not-the-secret' })).status).toBe(401);
    expect((await h.command('staging api', 'U0ALICE', { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await h.command('staging api', 'U0ALICE', { unsigned: true })).status).toBe(401);
    await h.idle();
    expect(h.ecs.requests).toEqual([]);
    expect(h.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);
  });

  it('serves /healthz and /metrics', async () => {
    h = await startHarness();
    const base = h.url.replace('/slack/events', '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    await h.command('staging api');
    await ephemeralTo('U0ALICE', /finished/);
    await h.idle();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('rollback_bot_rollbacks_total{environment="staging",outcome="succeeded"} 1');
    expect(metrics).toContain('rollback_bot_slack_ack_seconds_count{kind="command"} 1');
    expect(metrics).toContain('rollback_bot_rollback_duration_seconds_bucket');
  });
});
