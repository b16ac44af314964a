import { afterEach, expect, it } from 'vitest';
import { standardServices, startHarness, textOf, type Harness } from '../support/bot-harness.js';
import { SAMPLE_CONFIG_YAML } from '../support/catalog.js';

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  expect(h.cloudwatch.violations).toEqual([]);
  expect(h.pagerduty.violations).toEqual([]);
  await h.stop();
});

const INCIDENTS = 'C0INCIDENTS';
const PROD_ALARM = 'shieldai-production-alb-5xx';
const STAGING_ALARM = 'shieldai-staging-5xx';
const PAGERDUTY = '\npagerduty:\n  urgency: high\n';
// Staging's api opts in to auto-rollback on its own alarm; staging is not protected.
const AUTO_CONFIG =
  SAMPLE_CONFIG_YAML.replace(
    'api: { ecsService: shieldai-staging-api }',
    `api: { ecsService: shieldai-staging-api, alarms: [${STAGING_ALARM}], autoRollback: { withinMinutesOfDeploy: 30 } }`,
  ) + PAGERDUTY;

function incidents() {
  return h.slack.messagesIn(INCIDENTS).filter((m) => m.text.startsWith('INCIDENT'));
}

function replies(text: string) {
  const [incident] = incidents();
  return incident ? h.slack.repliesIn(INCIDENTS, incident.ts).filter((m) => m.text.includes(text)) : [];
}

function announced() {
  return h.waitFor((c) => c.method === 'chat.postMessage' && textOf(c).startsWith('INCIDENT'));
}

function said(text: string) {
  return h.waitFor((c) => c.method === 'chat.postMessage' && textOf(c).includes(text));
}

/** Waits until the watcher has polled CloudWatch `polls` more times. */
async function pollsPass(polls: number): Promise<void> {
  const target = h.cloudwatch.callsTo('DescribeAlarms').length + polls;
  for (let i = 0; i < 1000 && h.cloudwatch.callsTo('DescribeAlarms').length < target; i++) await new Promise((r) => setTimeout(r, 5));
  expect(h.cloudwatch.callsTo('DescribeAlarms').length).toBeGreaterThanOrEqual(target);
}

function episodeEvents(alarm: string) {
  return h.pagerduty.events.filter((e) => String(e['dedup_key']).startsWith(`${alarm}:`)).map((e) => [e['event_action'], e['dedup_key']]);
}

it('announces OK → ALARM → OK once, with the alarm, its reason escaped, the deployment and a button, and recovers once', async () => {
  h = await startHarness({ watchAlarms: true });
  const start = h.clock.now();
  h.cloudwatch.scheduleAlarmStates(PROD_ALARM, [
    { at: start + 60_000, state: 'ALARM', reason: 'Threshold Crossed: 5xx > 5 <!channel>' },
    { at: start + 5 * 60_000, state: 'OK' },
  ]);
  await said('is OK again');
  await pollsPass(3);
  await h.idle();

  expect(incidents()).toHaveLength(1);
  const [incident] = incidents();
  const text = `${incident!.text}\n${JSON.stringify(incident!.blocks)}`;
  expect(text).toContain(`INCIDENT in production: ${PROD_ALARM} in ALARM since 2026-11-22 03:01 UTC`);
  expect(text).toContain('HTTPCode_Target_5XX_Count (AWS/ApplicationELB)');
  expect(text).toContain('5xx &gt; 5 &lt;!channel&gt;');
  expect(text).not.toContain('<!channel>');
  expect(text).toContain('shieldai-production-api:13 → shieldai-production-api:14');
  expect(text).toContain('"action_id":"rollback_offer"');
  expect(text).toContain(JSON.stringify(JSON.stringify({ environment: 'production', service: 'api' })).slice(1, -1));
  expect(replies('is OK again')).toHaveLength(1);
  expect(replies('is OK again')[0]!.text).toContain('after 4m 00s in ALARM. PagerDuty incident resolved.');
  const key = `${PROD_ALARM}:${new Date(start + 60_000).toISOString()}`;
  expect(episodeEvents(PROD_ALARM)).toEqual([
    ['trigger', key],
    ['resolve', key],
  ]);
  expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);
});

it('does not announce an episode again after a restart in the middle of it, and still reports its recovery', async () => {
  h = await startHarness({ watchAlarms: true });
  h.cloudwatch.setAlarmState(PROD_ALARM, 'ALARM', 'Threshold Crossed: 5xx > 5');
  await announced();
  await h.restart();
  await pollsPass(3);
  expect(incidents()).toHaveLength(1);

  h.cloudwatch.setAlarmState(PROD_ALARM, 'OK');
  await said('is OK again');
  await pollsPass(2);
  await h.idle();
  expect(incidents()).toHaveLength(1);
  expect(replies('is OK again')).toHaveLength(1);
  expect(episodeEvents(PROD_ALARM).map(([action]) => action)).toEqual(['trigger', 'resolve']);
});

it('rolls back by itself, exactly once, when the alarm fires within the window after a deployment, and resolves the incident only once the rollback ended', async () => {
  const [production, worker] = standardServices();
  const staging = standardServices('shieldai-staging', ['shieldai-staging-api'])[0]!;
  const recent = { ...staging, deployments: [...staging.deployments.slice(0, 2), { ...(staging.deployments[2] as object), inProgress: { startedSecondsAgo: 600 } }] };
  h = await startHarness({ watchAlarms: true, config: AUTO_CONFIG, services: [production!, worker!, recent as typeof staging] });
  h.cloudwatch.addMetricAlarm({ name: STAGING_ALARM, namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', state: 'OK' });
  const start = h.clock.now();
  h.cloudwatch.scheduleAlarmStates(STAGING_ALARM, [
    { at: start + 60_000, state: 'ALARM' },
    { at: start + 3 * 60_000, state: 'OK' },
  ]);

  await said('is OK again');
  await said('Nothing runs for this alarm any more');
  await pollsPass(3);
  await h.idle();

  const rollbacks = await h.bot.store.listRecentRollbacks({ limit: 5 });
  expect(rollbacks).toHaveLength(1);
  const [rollback] = rollbacks;
  expect(rollback).toMatchObject({ environment: 'staging', requestedBy: `alarm:${STAGING_ALARM}`, state: 'succeeded', channelId: INCIDENTS });
  const audit = await h.bot.store.listAudit({ environment: 'staging', limit: 100 });
  expect(audit.filter((a) => a.action === 'alarm.auto-rollback').map((a) => [a.actor, a.outcome, a.rollbackId])).toEqual([
    [`alarm:${STAGING_ALARM}`, 'ok', rollback!.id],
    [`alarm:${STAGING_ALARM}`, 'attempt', null],
  ]);

  expect(incidents()).toHaveLength(1);
  expect(JSON.stringify(incidents()[0]!.blocks)).toContain(`auto-rollback started* (\`${rollback!.id}\``);
  expect(h.slack.messagesIn(INCIDENTS).filter((m) => m.text.includes('ROLLBACK'))).toHaveLength(1);
  expect(replies('is OK again')[0]!.text).toContain(`PagerDuty incident left open while \`${rollback!.id}\` runs.`);
  expect(replies('Nothing runs for this alarm any more')).toHaveLength(1);
  const key = `${STAGING_ALARM}:${new Date(start + 60_000).toISOString()}`;
  const actions = h.pagerduty.events.map((e) => [e['event_action'], e['dedup_key']]);
  expect(actions.filter(([, k]) => k === key)).toEqual([
    ['trigger', key],
    ['resolve', key],
  ]);
  expect(actions.findIndex(([a, k]) => a === 'resolve' && k === key)).toBeGreaterThan(actions.findIndex(([a, k]) => a === 'resolve' && k === rollback!.id));
});

it('only offers the button when the deployment finished outside the window', async () => {
  h = await startHarness({ watchAlarms: true, config: AUTO_CONFIG });
  h.cloudwatch.addMetricAlarm({ name: STAGING_ALARM, namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', state: 'OK' });
  h.cloudwatch.setAlarmState(STAGING_ALARM, 'ALARM');
  await announced();
  await pollsPass(3);
  await h.idle();
  expect(incidents()).toHaveLength(1);
  const text = JSON.stringify(incidents()[0]!.blocks);
  expect(text).toContain('not rolled back by itself: deployed more than 30 min before the alarm');
  expect(text).toContain('rollback_offer');
  expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);
});

it('runs the offer button through the same policy as the command: refused for others, a confirmation prompt in a protected environment', async () => {
  h = await startHarness({ watchAlarms: true });
  h.cloudwatch.setAlarmState(PROD_ALARM, 'ALARM');
  await announced();
  // The watcher's endless polls would carry the auto-advancing clock past the prompt's expiry.
  await h.bot.engine.alarmWatcher.stop();
  await h.idle();
  const [incident] = incidents();
  const message = { ts: incident!.ts, blocks: structuredClone(incident!.blocks) };

  await h.click(message, 'rollback_offer', 'U0MALLORY', { channel: INCIDENTS });
  await h.waitFor((c) => c.method === 'chat.postEphemeral' && textOf(c).includes('Only <@U0ALICE>, <@U0BOB> may start rollbacks'));
  await h.click(message, 'rollback_offer', 'U0ALICE', { channel: INCIDENTS, value: JSON.stringify({ environment: 'production', service: 'constructor' }) });
  await h.waitFor((c) => c.method === 'chat.postEphemeral' && textOf(c).includes('does not name a service'));
  expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);

  await h.click(message, 'rollback_offer', 'U0ALICE', { channel: INCIDENTS });
  const prompt = await h.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('rollback_confirm'));
  expect((prompt.params as { channel: string }).channel).toBe(INCIDENTS);
  const [rollback] = await h.bot.store.listRecentRollbacks({ limit: 5 });
  expect(rollback).toMatchObject({ environment: 'production', requestedBy: 'U0ALICE', state: 'awaiting_confirmation' });
  expect(rollback!.plan.services.map((s) => s.service)).toEqual(['api']);
});

it('hands the watch to a second replica when the first stops, which reports the recovery of the episode the first announced', async () => {
  h = await startHarness({ watchAlarms: true });
  const replica = await h.startReplica();
  h.cloudwatch.setAlarmState(PROD_ALARM, 'ALARM');
  await announced();
  await pollsPass(3);
  await h.bot.stop();

  h.cloudwatch.setAlarmState(PROD_ALARM, 'OK');
  await said('is OK again');
  await pollsPass(2);
  await replica.settled();
  expect(incidents()).toHaveLength(1);
  expect(replies('is OK again')).toHaveLength(1);
  expect(h.logs.filter((line) => line.includes('alarm watcher lease taken'))).toHaveLength(2);
});
