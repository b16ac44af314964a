import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from '../support/bot-harness.js';
import { TEST_SIGNING_SECRET } from '../support/slack-requests.js';

let h: Harness;
const SECRETS = {
  SLACK_BOT_TOKEN: '',
  SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
  PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000001',
  PAGERDUTY_API_TOKEN: 'pd-api-token-0123456789',
  AWS_SECRET: 'fake-secret-key',
};

beforeAll(async () => {
  h = await startHarness({ pagerduty: 'rest' });
  SECRETS.SLACK_BOT_TOKEN = h.slack.botToken;
  // Exercise the paths where secrets most often leak: failures that log errors and requests.
  h.ecs.failNext('DescribeServices', 'throttle', 2);
  h.pagerduty.failNext({ kind: 'http_error', status: 500 }, 1);
  h.slack.inject('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 0 }, 1);
  await h.command('staging api a reason');
  await h.waitFor((c) => c.method === 'chat.postEphemeral' && /finished|FAILED/.test(textOf(c)));
  await h.idle();
  await h.command('production apii');
  await h.command('staging api', 'U0ALICE', { signingSecret: 'wrong-secret-value' });
  h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { failTasks: true }, { taskDefinition: 'shieldai-staging-api:12' });
  await h.command('staging api');
  await h.waitFor((c) => c.method === 'chat.postEphemeral' && /FAILED/.test(textOf(c)));
  await h.idle();
});
afterAll(async () => h.stop());

it('puts no token or signing secret in any log line, at debug level', () => {
  expect(h.logs.length).toBeGreaterThan(20);
  const logs = h.logs.join('\n');
  for (const [name, secret] of Object.entries(SECRETS)) expect(logs.includes(secret), `${name} appears in the logs`).toBe(false);
});

it('puts no token or signing secret in any Slack message body', () => {
  const bodies = h.slack.calls.map((c) => JSON.stringify(c.params)).join('\n');
  expect(bodies).toContain('ROLLBACK');
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (name === 'SLACK_BOT_TOKEN') continue;
    expect(bodies.includes(secret), `${name} appears in a Slack message`).toBe(false);
  }
  const messages = h.slack.calls.filter((c) => c.method !== 'auth.test' && c.method !== 'apps.connections.open').map((c) => JSON.stringify(c.params)).join('\n');
  expect(messages.includes(SECRETS.SLACK_BOT_TOKEN)).toBe(false);
});

it('puts no secret in the store, the audit log or PagerDuty payloads it does not need to carry', async () => {
  const audit = JSON.stringify(await h.bot.store.listAudit({ limit: 500 }));
  const rollbacks = JSON.stringify(await h.bot.store.listRecentRollbacks({ limit: 50 }));
  for (const [name, secret] of Object.entries(SECRETS)) {
    expect(audit.includes(secret), `${name} in the audit log`).toBe(false);
    expect(rollbacks.includes(secret), `${name} in a stored rollback`).toBe(false);
  }
  const toPagerDuty = JSON.stringify(h.pagerduty.requests.map((r) => r.body));
  expect(toPagerDuty.includes(SECRETS.SLACK_BOT_TOKEN)).toBe(false);
  expect(toPagerDuty.includes(SECRETS.SLACK_SIGNING_SECRET)).toBe(false);
});
