import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { alarmTargets, alarmWatchLists, autoRollbackFor } from '../../src/domain/alarm-targets.js';
import { decideRequest } from '../../src/domain/policy.js';

const catalog = parseConfig(
  `
incidentsChannel: C0INCIDENTS
environments:
  production:
    region: us-east-1
    cluster: shop-production
    protected: true
    requesters: [U0ALICE]
    alarmPrefixes: [shop-production-]
    autoRollback: { withinMinutesOfDeploy: 20, requireConfirmation: false }
    services:
      api:
        ecsService: shop-production-api
        alarms: [api-5xx, api-latency]
        autoRollback: { alarms: [api-5xx] }
      gateway:
        ecsService: shop-production-api-gateway
      worker:
        ecsService: shop-production-worker
        autoRollback: { alarms: [] }
  staging:
    region: us-east-1
    cluster: shop-staging
    services:
      api: { ecsService: shop-staging-api, alarms: [api-5xx] }
  europe:
    region: eu-west-1
    cluster: shop-europe
    alarmPrefixes: [eu-]
    services:
      api: { ecsService: shop-europe-api }
`,
  'alarms.yaml',
);
const production = catalog.environments['production']!;

describe('alarm targets', () => {
  it('polls the listed names and the prefixes of each region', () => {
    expect(alarmWatchLists(catalog)).toEqual([
      { region: 'us-east-1', names: ['api-5xx', 'api-latency'], prefixes: ['shop-production-'] },
      { region: 'eu-west-1', names: [], prefixes: ['eu-'] },
    ]);
  });

  it('maps a listed alarm to every service that lists it, in every environment of the region', () => {
    expect(alarmTargets(catalog, 'us-east-1', 'api-5xx')).toEqual([
      { environment: 'production', service: 'api' },
      { environment: 'staging', service: 'api' },
    ]);
    expect(alarmTargets(catalog, 'eu-west-1', 'api-5xx')).toEqual([]);
  });

  it('maps a prefixed alarm to the service with the longest ECS name it contains, else to the environment alone', () => {
    expect(alarmTargets(catalog, 'us-east-1', 'shop-production-api-gateway-5xx')).toEqual([{ environment: 'production', service: 'gateway' }]);
    expect(alarmTargets(catalog, 'us-east-1', 'shop-production-api-cpu')).toEqual([{ environment: 'production', service: 'api' }]);
    expect(alarmTargets(catalog, 'us-east-1', 'shop-production-rds-cpu')).toEqual([{ environment: 'production', service: null }]);
    expect(alarmTargets(catalog, 'us-east-1', 'other-alarm')).toEqual([]);
  });

  it("takes the service's autoRollback over its environment's, alarms omitted meaning every alarm that maps to it", () => {
    const { api, gateway, worker } = production.services;
    expect(autoRollbackFor(api!, 'api-5xx')).toEqual({ alarms: ['api-5xx'], withinMinutesOfDeploy: 30, requireConfirmation: true });
    expect(autoRollbackFor(api!, 'api-latency')).toBeNull();
    expect(autoRollbackFor(gateway!, 'shop-production-api-gateway-5xx')).toEqual({ withinMinutesOfDeploy: 20, requireConfirmation: false });
    expect(autoRollbackFor(worker!, 'shop-production-worker-cpu')).toBeNull();
    expect(catalog.environments['staging']!.services['api']!.autoRollback).toBeUndefined();
  });
});

describe('policy for alarms', () => {
  const single = { allServices: false, database: false, dryRun: false };

  it('lets an opted-in alarm roll back without a prompt, whoever the requesters are', () => {
    expect(decideRequest(production, 'alarm:shop-production-api-gateway-5xx', single)).toEqual({
      allowed: true,
      needsConfirmation: false,
      needsSecondApproval: false,
    });
  });

  it('refuses an alarm whose autoRollback needs a confirmation in a protected environment, or that is not opted in', () => {
    expect(decideRequest(production, 'alarm:api-5xx', single)).toMatchObject({ allowed: false, reason: expect.stringContaining('autoRollback') });
    expect(decideRequest(production, 'alarm:api-latency', single)).toMatchObject({ allowed: false });
    expect(decideRequest(catalog.environments['staging']!, 'alarm:api-5xx', single)).toMatchObject({ allowed: false });
  });

  it('never lets an alarm roll back all services or a database', () => {
    const alarm = 'alarm:shop-production-api-gateway-5xx';
    expect(decideRequest(production, alarm, { ...single, allServices: true })).toMatchObject({ allowed: false });
    expect(decideRequest(production, alarm, { ...single, database: true })).toMatchObject({ allowed: false });
  });
});
