import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudWatchAlarms } from '../../src/adapters/aws/cloudwatch-alarms.js';
import { openStoreAdapters, type StoreAdapters } from '../../src/adapters/store/open-store.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Catalog } from '../../src/domain/catalog.js';
import type { AlarmAnnouncer } from '../../src/ports/alarm-announcer.js';
import type { DeploymentsPort, ServiceDeploymentRecord } from '../../src/ports/deployments.js';
import type { Logger } from '../../src/ports/logger.js';
import { AlarmEpisodeHandler } from '../../src/rollbacks/alarm-episode-handler.js';
import { ALARM_WATCHER_LEASE, AlarmWatcher } from '../../src/rollbacks/alarm-watcher.js';
import { AuditTrail } from '../../src/rollbacks/audit-trail.js';
import type { Requester, RequestOutcome } from '../../src/rollbacks/request-rollback.js';
import { cloudWatchClientFor } from '../fakes/cloudwatch/cloudwatch-test-client.js';
import { FakeCloudWatch } from '../fakes/cloudwatch/fake-cloudwatch-server.js';
import { SAMPLE_CONFIG_YAML } from '../support/catalog.js';
import { FakeClock } from '../support/fake-clock.js';

const ALARM = 'shieldai-staging-5xx';
const POLL_MS = 30_000;
const CONFIG = SAMPLE_CONFIG_YAML.replace(
  'api: { ecsService: shieldai-staging-api }',
  `api: { ecsService: shieldai-staging-api, alarms: [${ALARM}], autoRollback: { withinMinutesOfDeploy: 30 } }`,
);

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

/** ECS's history says the staging api was deployed `finishedMinutesAgo` before `clock`'s now. */
function deploymentsFinished(clock: FakeClock, finishedMinutesAgo: number): DeploymentsPort {
  const record = (): ServiceDeploymentRecord => ({
    serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shieldai-staging/shieldai-staging-api/d1',
    status: 'SUCCESSFUL',
    sourceTaskDefinitionArns: ['arn:aws:ecs:us-east-1:123456789012:task-definition/shieldai-staging-api:13'],
    targetTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shieldai-staging-api:14',
    startedAt: new Date(clock.now() - (finishedMinutesAgo + 5) * 60_000),
    finishedAt: new Date(clock.now() - finishedMinutesAgo * 60_000),
  });
  const unused = () => Promise.reject(new Error('not used by the alarm watcher'));
  return {
    listServiceDeployments: async () => [record()],
    describeServices: unused,
    describeTaskDefinition: unused,
    listTaskDefinitionArns: unused,
    registerTaskDefinitionWithImages: unused,
    updateService: unused,
    stopServiceDeployment: unused,
  };
}

let dir = '';
let clock: FakeClock;
let cloudwatch: FakeCloudWatch;
const opened: StoreAdapters[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-alarm-watcher-'));
  clock = new FakeClock();
  cloudwatch = new FakeCloudWatch({ clock });
  await cloudwatch.start();
  cloudwatch.addMetricAlarm({ name: ALARM, namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', state: 'OK' });
});
afterEach(async () => {
  expect(cloudwatch.violations).toEqual([]);
  await cloudwatch.stop();
  for (const adapters of opened.splice(0)) await adapters.store.close();
  await rm(dir, { recursive: true, force: true });
});

/** One replica's watcher over the shared SQLite file, announcing into `said` and asking `requests` for rollbacks. */
async function replica(
  name: string,
  said: string[],
  requests: { actor: string; services: string[] }[],
  options: { announceFails?: number; deployedMinutesAgo?: number } = {},
) {
  const adapters = await openStoreAdapters({ dataDir: dir });
  opened.push(adapters);
  const catalog: Catalog = parseConfig(CONFIG, 'test.yaml');
  let failures = options.announceFails ?? 0;
  const announcer: AlarmAnnouncer = {
    announce: async (episode, _alarm, services) => {
      if (failures-- > 0) throw new Error('Slack is down');
      said.push(`${name} announced ${episode.alarmName}: ${services.map((s) => `${s.service} ${s.action.decision} ${s.action.rollbackId ?? ''}`).join(', ')}`);
      return { message: { channel: 'C0INCIDENTS', ts: `${said.length}.000100` }, incident: null };
    },
    recovered: async (episode) => {
      said.push(`${name} recovered ${episode.alarmName}`);
      return false;
    },
    resolveLeftOpen: async () => false,
  };
  const requester = {
    request: async (command: { services: string[] }, who: Requester): Promise<RequestOutcome> => {
      requests.push({ actor: who.actor, services: command.services });
      return { kind: 'refused', message: 'this test starts no rollback' };
    },
  };
  const audit = new AuditTrail(adapters.store, clock);
  const client = cloudWatchClientFor(cloudwatch.url);
  const handler = new AlarmEpisodeHandler({
    catalog,
    episodes: adapters.alarmEpisodes,
    deployments: deploymentsFinished(clock, options.deployedMinutesAgo ?? 5),
    store: adapters.store,
    requester,
    announcer,
    audit,
    clock,
    logger: silent,
    deployLocks: adapters.deployLocks,
  });
  const watcher = new AlarmWatcher({
    catalog,
    alarms: createCloudWatchAlarms(() => client),
    episodes: adapters.alarmEpisodes,
    leases: adapters.leases,
    handler,
    audit,
    clock,
    logger: silent,
    holder: name,
    pollMs: POLL_MS,
  });
  return { watcher, adapters };
}

describe('alarm watcher', () => {
  it('lets a second replica take the lease when the first stops renewing it, and announces the episode once', async () => {
    const said: string[] = [];
    const requests: { actor: string; services: string[] }[] = [];
    const first = await replica('first', said, requests);
    const second = await replica('second', said, requests);

    expect(await first.watcher.pollOnce()).toBe(true);
    clock.advance(POLL_MS);
    expect(await second.watcher.pollOnce()).toBe(false);
    cloudwatch.setAlarmState(ALARM, 'ALARM', 'Threshold Crossed: 5xx > 5');
    // The first replica dies here: it never polls again, and never hands the lease back, which it
    // renewed at its last poll for three polls.
    clock.advance(POLL_MS);
    expect(await second.watcher.pollOnce()).toBe(false);
    expect(said).toEqual([]);
    expect(await second.adapters.leases.holder(ALARM_WATCHER_LEASE, new Date(clock.now()))).toBe('first');

    clock.advance(POLL_MS);
    expect(await second.watcher.pollOnce()).toBe(true);
    expect(said).toEqual([`second announced ${ALARM}: api auto-rollback `]);
    expect(requests).toEqual([{ actor: `alarm:${ALARM}`, services: ['api'] }]);

    // The first replica comes back from a long pause: it no longer holds the lease, so it does nothing.
    expect(await first.watcher.pollOnce()).toBe(false);
    clock.advance(POLL_MS);
    expect(await second.watcher.pollOnce()).toBe(true);
    expect(said).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });

  it('finishes an announcement a failure cut short, without deciding or rolling back again', async () => {
    const said: string[] = [];
    const requests: { actor: string; services: string[] }[] = [];
    const only = await replica('only', said, requests, { announceFails: 1 });
    await only.watcher.pollOnce();
    cloudwatch.setAlarmState(ALARM, 'ALARM');
    clock.advance(POLL_MS);
    await only.watcher.pollOnce();
    expect(said).toEqual([]);
    expect(requests).toHaveLength(1);

    clock.advance(POLL_MS);
    await only.watcher.pollOnce();
    expect(said).toEqual([`only announced ${ALARM}: api auto-rollback `]);
    expect(requests).toHaveLength(1);
    const [episode] = await only.adapters.alarmEpisodes.listOpen();
    expect(episode).toMatchObject({ announcement: { channel: 'C0INCIDENTS' }, actions: [{ service: 'api', decision: 'auto-rollback', outcome: 'this test starts no rollback' }] });

    cloudwatch.setAlarmState(ALARM, 'OK');
    clock.advance(POLL_MS);
    await only.watcher.pollOnce();
    expect(said).toEqual([`only announced ${ALARM}: api auto-rollback `, `only recovered ${ALARM}`]);
  });

  it('only offers when the deployment finished outside the window', async () => {
    const said: string[] = [];
    const requests: { actor: string; services: string[] }[] = [];
    const only = await replica('only', said, requests, { deployedMinutesAgo: 45 });
    cloudwatch.setAlarmState(ALARM, 'ALARM');
    await only.watcher.pollOnce();
    expect(said).toEqual([`only announced ${ALARM}: api offer `]);
    expect(requests).toEqual([]);
    const audit = await only.adapters.store.listAudit({ environment: 'staging', limit: 10 });
    expect(audit.map((a) => [a.actor, a.action, a.detail?.['why']])).toContainEqual([`alarm:${ALARM}`, 'alarm.decision', 'outside-window']);
  });

  it('stops with the bot and hands the lease back, so another replica takes over at its next poll', async () => {
    const said: string[] = [];
    const first = await replica('first', said, []);
    const second = await replica('second', said, []);
    clock.autoAdvance();
    first.watcher.start();
    await eventually(() => cloudwatch.callsTo('DescribeAlarms').length >= 2);
    await first.watcher.stop();
    clock.stopAutoAdvance();
    expect(clock.pending).toBe(0);
    expect(await second.watcher.pollOnce()).toBe(true);
  });
});

/** Waits, in real time but briefly, for something the watcher's own loop does. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
