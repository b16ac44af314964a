import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from '../support/bot-harness.js';
import { buttonClick, sendToBot, slashCommand, type MessageWithButtons } from '../support/slack-requests.js';

let h: Harness;
let responseCounter = 0;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  await h.stop();
});

const INCIDENTS = 'C0INCIDENTS';
const tdArn = (service: string, rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${service}:${rev}`;

// Socket Mode carries the same fields Slack would POST over HTTP, as JSON: reuse the HTTP builders and unwrap them.
function sendCommand(text: string, user = 'U0ALICE'): string {
  const { body } = slashCommand({ text, userId: user, channelId: 'C0OPS', responseUrl: h.slack.responseUrl(`socket-cmd-${++responseCounter}`) });
  return h.slack.socketMode.sendSlashCommand(Object.fromEntries(new URLSearchParams(body)));
}

function sendClick(message: MessageWithButtons, actionId: string, user: string): string {
  const responseUrl = h.slack.responseUrl(`socket-click-${++responseCounter}`);
  const { body } = buttonClick({ message, actionId, userId: user, channelId: 'C0OPS', responseUrl });
  return h.slack.socketMode.sendInteractive(JSON.parse(new URLSearchParams(body).get('payload')!) as Record<string, unknown>);
}

async function finished(user = 'U0ALICE'): Promise<string> {
  const call = await h.waitFor((c) => c.method === 'chat.postEphemeral' && (c.params as { user?: string }).user === user && /finished|FAILED/.test(textOf(c)));
  await h.idle();
  return textOf(call);
}

/** Where the bot serves /healthz and /metrics: PORT, bound by the Socket Mode receiver. */
function base(): string {
  return `http://127.0.0.1:${h.bot.port}`;
}

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  it('connects with the app token, and serves /healthz and /metrics on PORT but no Slack endpoint', async () => {
    h = await startHarness({ socketMode: true });
    expect(h.bot.mode).toBe('socket');
    const opens = h.slack.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]!.headers.authorization).toBe(`Bearer ${h.slack.appToken}`);
    expect(opens[0]!.response?.body).toMatchObject({ ok: true });
    expect(h.slack.socketMode.connections).toHaveLength(1);
    // The SDK counts itself connected only on hello, and startBot waits for that.
    expect(h.slack.socketMode.connections[0]?.helloAt).toBeGreaterThan(0);
    expect(h.slack.socketMode.connections[0]?.closedAt).toBeUndefined();
    await h.slack.socketMode.ping();
    const lines = h.logs.join('').split('\n').filter(Boolean);
    const ready = lines.map((line) => JSON.parse(line) as { msg?: string; mode?: string; port?: number }).find((l) => l.msg === 'rollback-bot ready');
    expect(ready).toMatchObject({ mode: 'socket', port: h.bot.port });
    expect(h.bot.port).toBeGreaterThan(0);

    const health = await fetch(`${base()}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const metrics = await fetch(`${base()}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/^# HELP rollback_bot_/m);

    // Signed with the secret an HTTP-mode bot would use, and unsigned: neither path exists here.
    const responseUrl = h.slack.responseUrl('over-http');
    expect((await sendToBot(`${base()}/slack/events`, slashCommand({ text: 'staging api', responseUrl }))).status).toBe(404);
    expect((await sendToBot(`${base()}/slack/events`, slashCommand({ text: 'staging api', responseUrl }, { unsigned: true }))).status).toBe(404);
    await h.idle();
    expect(h.ecs.requests).toEqual([]);
    expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);
    expect(h.logs.join('')).not.toContain(h.slack.appToken);
  });

  it('acks /rollback staging api at once and runs the rollback to completion', async () => {
    h = await startHarness({ socketMode: true });
    const ack = await h.slack.socketMode.waitForAck(sendCommand('staging api bad deploy'));
    expect(ack.payload).toEqual({});
    expect(ack.afterMs).toBeLessThan(3_000);

    expect(await finished()).toContain('finished');
    expect(h.ecs.callsTo('UpdateService').map((c) => c.body)).toEqual([
      { cluster: 'shieldai-staging', service: 'shieldai-staging-api', taskDefinition: tdArn('shieldai-staging-api', 13), forceNewDeployment: true },
    ]);
    const announced = h.slack.callsTo('chat.postMessage').find((c) => (c.params as { channel: string }).channel === INCIDENTS)!;
    expect(textOf(announced)).toContain('ROLLBACK IN PROGRESS');
    expect(textOf(announced)).toContain('bad deploy');
    const [top] = h.slack.messagesIn(INCIDENTS);
    expect(top?.text).toContain('ROLLBACK COMPLETE');
    expect(h.slack.repliesIn(INCIDENTS, top!.ts).at(-1)?.text).toContain('ROLLBACK COMPLETE');
    expect((await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]).toMatchObject({ state: 'succeeded', requestedBy: 'U0ALICE' });
    const metrics = await (await fetch(`${base()}/metrics`)).text();
    expect(metrics).toContain('rollback_bot_rollbacks_total{environment="staging",outcome="succeeded"} 1');
    expect(metrics).toContain('rollback_bot_slack_ack_seconds_count{kind="command"} 1');
  });

  it('answers an unknown service with usage in the ack payload, and changes nothing', async () => {
    h = await startHarness({ socketMode: true });
    const ack = await h.slack.socketMode.waitForAck(sendCommand('staging apii'));
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload?.text)).toContain('Unknown service `apii` in staging. Did you mean `api`?');
    await h.idle();
    expect(h.ecs.requests).toEqual([]);
    expect(h.slack.calls.filter((c) => !['auth.test', 'apps.connections.open'].includes(c.method))).toEqual([]);
    expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);
  });

  it('rolls a protected service back when the requester clicks confirm', async () => {
    h = await startHarness({ socketMode: true });
    expect((await h.slack.socketMode.waitForAck(sendCommand('production api'))).payload).toEqual({});
    const call = await h.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('rollback_confirm') && c.response !== undefined);
    const prompt = { ts: String((call.response!.body as { ts: string }).ts), blocks: structuredClone((call.params as { blocks: unknown[] }).blocks) };
    expect((call.params as { channel: string }).channel).toBe('C0OPS');
    expect(h.ecs.mutatingRequests()).toEqual([]);

    const clickAck = await h.slack.socketMode.waitForAck(sendClick(prompt, 'rollback_confirm', 'U0ALICE'));
    expect(clickAck.payload).toEqual({});
    expect(await finished()).toContain('running `shieldai-production-api:13`');
    expect(h.ecs.callsTo('UpdateService').map((c) => c.body)).toEqual([
      { cluster: 'shieldai-production', service: 'shieldai-production-api', taskDefinition: tdArn('shieldai-production-api', 13), forceNewDeployment: true },
    ]);
    expect(h.slack.message('C0OPS', prompt.ts)?.text).toContain('Confirmed by <@U0ALICE>');
    expect((await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]).toMatchObject({ state: 'succeeded', confirmedBy: 'U0ALICE' });
  });
});
