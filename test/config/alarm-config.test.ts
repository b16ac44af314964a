import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { configProblems, SAMPLE_CONFIG_YAML } from '../support/catalog.js';

const STAGING_API = 'api: { ecsService: shieldai-staging-api }';

describe('alarm config', () => {
  it('leaves the contract example valid, polling alarms every 30 s with no prefixes and no auto-rollback', () => {
    const catalog = parseConfig(SAMPLE_CONFIG_YAML, 'x');
    expect(catalog.alarmPollSeconds).toBe(30);
    expect(catalog.environments['production']!.alarmPrefixes).toBeUndefined();
    expect(Object.values(catalog.environments['production']!.services).map((s) => s.autoRollback)).toEqual([undefined, undefined]);
  });

  it('reads the shipped example, whose api rolls back by itself only with a confirmation', async () => {
    const catalog = await loadConfig('rollback.config.example.yaml');
    expect(catalog.alarmPollSeconds).toBe(30);
    expect(catalog.environments['production']!.alarmPrefixes).toEqual(['shieldai-production-']);
    expect(catalog.environments['production']!.services['api']!.autoRollback).toEqual({
      alarms: ['shieldai-production-alb-5xx'],
      withinMinutesOfDeploy: 30,
      requireConfirmation: true,
    });
  });

  it('fills in autoRollback defaults, and lets a service replace its environment’s whole', () => {
    const yaml = SAMPLE_CONFIG_YAML.replace('protected: false', 'protected: false\n    autoRollback: { requireConfirmation: false }')
      .replace(STAGING_API, `${STAGING_API}\n      web: { ecsService: shieldai-staging-web, autoRollback: { alarms: [web-5xx], withinMinutesOfDeploy: 10 } }`)
      .concat('defaults:\n  alarmPollSeconds: 15\n');
    const catalog = parseConfig(yaml, 'x');
    expect(catalog.alarmPollSeconds).toBe(15);
    const { api, web } = catalog.environments['staging']!.services;
    expect(api!.autoRollback).toEqual({ withinMinutesOfDeploy: 30, requireConfirmation: false });
    expect(web!.autoRollback).toEqual({ alarms: ['web-5xx'], withinMinutesOfDeploy: 10, requireConfirmation: true });
  });

  it('lets an environment repeat alarmPollSeconds, the watcher taking the fastest cadence asked for', () => {
    const catalog = parseConfig(SAMPLE_CONFIG_YAML.replace('protected: false', 'protected: false\n    alarmPollSeconds: 10'), 'x');
    expect(catalog.alarmPollSeconds).toBe(10);
  });

  it('names unknown and invalid keys by path', () => {
    const yaml = SAMPLE_CONFIG_YAML.replace(
      STAGING_API,
      'api: { ecsService: shieldai-staging-api, autoRollback: { withinMinutes: 5, withinMinutesOfDeploy: 0 } }',
    ).replace('protected: false', 'protected: false\n    alarmPrefixes: [""]');
    expect(configProblems(yaml)).toEqual(
      expect.arrayContaining([
        'rollback.config.yaml: environments.staging.services.api.autoRollback.withinMinutes: unknown key',
        expect.stringMatching(/^rollback\.config\.yaml: environments\.staging\.services\.api\.autoRollback\.withinMinutesOfDeploy: /),
        expect.stringMatching(/^rollback\.config\.yaml: environments\.staging\.alarmPrefixes\.0: /),
      ]),
    );
  });
});
