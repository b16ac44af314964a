import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { AnnouncedService } from '../../src/ports/alarm-announcer.js';
import type { AlarmEpisode, EpisodeAction } from '../../src/ports/alarm-episodes.js';
import { parseOfferValue } from '../../src/slack/listeners/offer-action.js';
import { deploymentLine, incidentAnnouncementView, recoveryText } from '../../src/slack/render/alarm-views.js';
import { loadTemplates, TEMPLATES_DIR } from '../../src/slack/render/templates.js';
import { SAMPLE_CONFIG_YAML, sampleCatalog } from '../support/catalog.js';

const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const catalog = parseConfig(
  SAMPLE_CONFIG_YAML.replace('protected: false', 'protected: false\n    autoRollback: { withinMinutesOfDeploy: 20 }'),
  'x',
);

function action(environment: string, service: string, overrides: Partial<EpisodeAction> = {}): EpisodeAction {
  return { environment, service, decision: 'offer', why: 'not-opted-in', rollbackId: null, outcome: null, ...overrides };
}

const episode: AlarmEpisode = {
  id: 'ep-202611220301-abcdef',
  region: 'us-east-1',
  alarmName: 'shared-5xx <!here>',
  startedAt: at(1),
  targets: [
    { environment: 'production', service: 'api' },
    { environment: 'staging', service: 'api' },
  ],
  actions: [],
  announcement: null,
  announcedAt: null,
  incident: null,
  recoveredAt: null,
  incidentResolvedAt: null,
};

const alarm = { name: episode.alarmName, state: 'ALARM' as const, reason: 'Threshold Crossed <@U0EVE>', updatedAt: at(1) };

describe('incident announcement view', () => {
  const services: AnnouncedService[] = [
    {
      environment: 'production',
      service: 'api',
      deployment: { from: 'shieldai-production-api:13', to: 'shieldai-production-api:14', startedAt: at(-30), finishedAt: at(-25) },
      deploymentProblem: null,
      action: action('production', 'api', { why: 'needs-confirmation' }),
    },
    {
      environment: 'staging',
      service: 'api',
      deployment: { from: 'shieldai-staging-api:13', to: 'shieldai-staging-api:14', startedAt: at(-6), finishedAt: at(-5) },
      deploymentProblem: null,
      action: action('staging', 'api', { decision: 'auto-rollback', why: null, rollbackId: 'rb-202611220301-123456' }),
    },
  ];

  it('escapes what CloudWatch says, names both environments, and gives each service a button naming it exactly', () => {
    const view = incidentAnnouncementView(catalog, episode, alarm, services, { status: 'opened', url: null }, at(2).getTime());
    expect(view).toMatchObject({
      environment: 'production, staging',
      alarmName: 'shared-5xx &lt;!here&gt;',
      reason: 'Threshold Crossed &lt;@U0EVE&gt;',
      metric: 'composite or metric-math alarm',
      since: '2026-11-22 03:01 UTC (1m 00s ago)',
    });
    expect(view.services).toEqual([
      {
        service: 'production/api',
        latestDeployment: 'deployed 27m 00s ago: shieldai-production-api:13 → shieldai-production-api:14 · protected: the button asks for a confirmation',
        offerValue: '{"environment":"production","service":"api"}',
      },
      {
        service: 'staging/api',
        latestDeployment:
          'deployed 7m 00s ago: shieldai-staging-api:13 → shieldai-staging-api:14 · *auto-rollback started* (`rb-202611220301-123456`, announced in its own message)',
        offerValue: '{"environment":"staging","service":"api"}',
      },
    ]);
    for (const s of view.services) expect(parseOfferValue(s.offerValue, catalog)).toEqual(JSON.parse(s.offerValue));
  });

  it('renders through the shipped template with INCIDENT and one rollback_offer button per service', async () => {
    const templates = await loadTemplates(TEMPLATES_DIR);
    const message = templates.render('incident-announcement', incidentAnnouncementView(catalog, episode, alarm, services, { status: 'opened', url: null }, at(2).getTime()));
    expect(message.text).toMatch(/^INCIDENT in production, staging: shared-5xx &lt;!here&gt; in ALARM/);
    expect(JSON.stringify(message.blocks).match(/"action_id":"rollback_offer"/g)).toHaveLength(2);
    expect(JSON.stringify(message)).not.toMatch(/<!here>|<@U0EVE>/);
  });

  it('says why a service was not rolled back by itself, and what its deployment is doing', () => {
    const now = at(2).getTime();
    const line = (a: EpisodeAction) => incidentAnnouncementView(catalog, episode, alarm, [{ ...services[1]!, action: a }], { status: 'x', url: null }, now).services[0]!.latestDeployment;
    expect(line(action('staging', 'api', { why: 'outside-window' }))).toContain('deployed more than 20 min before the alarm');
    expect(line(action('staging', 'api', { why: 'rollback-running', decision: 'hold' }))).toContain('a rollback of it is already under way');
    expect(line(action('staging', 'api', { decision: 'auto-rollback', why: null, outcome: 'another rollback holds the service (rb-1)' }))).toContain(
      'auto-rollback not started: another rollback holds the service (rb-1)',
    );
    expect(deploymentLine({ from: null, to: 'api:14', startedAt: at(-3), finishedAt: null }, null, now)).toBe('deploying since 5m 00s ago: ? → api:14');
    expect(deploymentLine(null, 'ECS <throttled>', now)).toBe('latest deployment unknown (ECS &lt;throttled&gt;)');
    expect(deploymentLine(null, null, now)).toBe('no recent deployment found');
  });

  it('replies with the episode’s duration on recovery', () => {
    expect(recoveryText(episode, at(5.5), 'PagerDuty incident resolved.')).toBe(
      ':white_check_mark: *shared-5xx &lt;!here&gt;* is OK again since 2026-11-22 03:05 UTC, after 4m 30s in ALARM. PagerDuty incident resolved.',
    );
  });
});

describe('rollback_offer value', () => {
  const sample = sampleCatalog();

  it('names a configured service with exactly two keys, or nothing', () => {
    expect(parseOfferValue('{"environment":"production","service":"api"}', sample)).toEqual({ environment: 'production', service: 'api' });
    for (const value of [
      undefined,
      '',
      'production/api',
      '["production","api"]',
      'null',
      '{"environment":"production"}',
      '{"environment":"production","service":"api","target":"12"}',
      '{"environment":"Production","service":"api"}',
      '{"environment":"production","service":"web"}',
      '{"environment":"production","service":"constructor"}',
      '{"environment":"__proto__","service":"api"}',
      '{"environment":"production","service":["api"]}',
      `{"environment":"production","service":"${'a'.repeat(3000)}"}`,
    ]) {
      expect(parseOfferValue(value, sample)).toBeNull();
    }
  });
});
