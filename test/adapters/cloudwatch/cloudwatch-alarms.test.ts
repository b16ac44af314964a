import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudWatchAlarms } from '../../../src/adapters/aws/cloudwatch-alarms.js';
import { AlarmsError, type AlarmsPort, type MetricQuery } from '../../../src/ports/alarms.js';
import { FakeClock } from '../../support/fake-clock.js';
import { rejectionOf } from '../../support/rejection.js';
import { cloudWatchClientFor } from '../../fakes/cloudwatch/cloudwatch-test-client.js';
import { FakeCloudWatch } from '../../fakes/cloudwatch/fake-cloudwatch-server.js';

const MINUTE = 60_000;
const ELB = 'AWS/ApplicationELB';
const ERRORS: MetricQuery = {
  namespace: ELB,
  metricName: 'HTTPCode_Target_5XX_Count',
  dimensions: { LoadBalancer: 'app/web/0a1b2c3d', TargetGroup: 'targetgroup/web/4e5f' },
  stat: 'Sum',
  periodSeconds: 60,
};

describe('createCloudWatchAlarms against the fake CloudWatch', () => {
  let clock: FakeClock;
  let fake: FakeCloudWatch;
  let clients: CloudWatchClient[];
  let alarms: AlarmsPort;

  const clientFor = (region: string, options: Parameters<typeof cloudWatchClientFor>[1] = {}) => {
    const client = cloudWatchClientFor(fake.url, { region, ...options });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    clock = new FakeClock();
    fake = new FakeCloudWatch({ clock });
    await fake.start();
    clients = [];
    alarms = createCloudWatchAlarms((region) => clientFor(region));
  });

  afterEach(async () => {
    for (const client of clients) client.destroy();
    await fake.stop();
    expect(fake.violations).toEqual([]);
  });

  const failure = (promise: Promise<unknown>) => rejectionOf(promise, AlarmsError);
  const addAlarm = (name: string, region?: string) => fake.addMetricAlarm({ name, namespace: ELB, metricName: '5xx', region });

  describe('describeAlarms', () => {
    it('asks for 250 names in 3 batches of at most 100, reads every page, and leaves unknown names out', async () => {
      const names = Array.from({ length: 250 }, (_, i) => `svc-${String(i).padStart(3, '0')}-5xx`);
      for (const name of names.filter((_, i) => i % 25 !== 0)) addAlarm(name);
      const found = await alarms.describeAlarms('us-east-1', names);

      expect(found.map((a) => a.name).sort()).toEqual(names.filter((_, i) => i % 25 !== 0));
      const calls = fake.callsTo('DescribeAlarms').map((r) => r.body as { AlarmNames: string[]; NextToken?: string });
      const batches = calls.filter((c) => c.NextToken === undefined).map((c) => c.AlarmNames);
      expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
      expect(batches.flat()).toEqual(names);
      // 240 alarms at the fake's 3 per page: every page was read.
      expect(calls).toHaveLength(32 + 32 + 16);
    });

    it('maps metric and composite alarms: state, reason, update time, metric name and namespace', async () => {
      fake.addMetricAlarm({ name: 'web-5xx', namespace: ELB, metricName: 'HTTPCode_Target_5XX_Count', state: 'OK' });
      fake.addCompositeAlarm({ name: 'web-health', rule: 'ALARM("web-5xx")', state: 'OK' });
      clock.advance(3 * MINUTE);
      fake.setAlarmState('web-5xx', 'ALARM', 'Threshold Crossed: 1 datapoint [14.0] was >= 5.0');
      fake.setAlarmState('web-health', 'ALARM', 'web-5xx is in ALARM');

      expect(await alarms.describeAlarms('us-east-1', ['web-5xx', 'web-health', 'web-5xx', 'ghost'])).toEqual([
        {
          name: 'web-5xx',
          state: 'ALARM',
          reason: 'Threshold Crossed: 1 datapoint [14.0] was >= 5.0',
          updatedAt: new Date(clock.now()),
          metricName: 'HTTPCode_Target_5XX_Count',
          namespace: ELB,
        },
        { name: 'web-health', state: 'ALARM', reason: 'web-5xx is in ALARM', updatedAt: new Date(clock.now()) },
      ]);
      expect(fake.callsTo('DescribeAlarms').map((r) => r.body)).toEqual([
        { AlarmNames: ['web-5xx', 'web-health', 'ghost'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 },
      ]);
    });

    it('sends nothing for no names (an empty AlarmNames would list every alarm)', async () => {
      addAlarm('web-5xx');
      expect(await alarms.describeAlarms('us-east-1', [])).toEqual([]);
      expect(fake.requests).toEqual([]);
    });

    it('asks the region it is given', async () => {
      addAlarm('web-5xx', 'eu-west-1');
      expect(await alarms.describeAlarms('us-east-1', ['web-5xx'])).toEqual([]);
      expect((await alarms.describeAlarms('eu-west-1', ['web-5xx'])).map((a) => a.name)).toEqual(['web-5xx']);
      expect(fake.requests.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
    });
  });

  describe('describeAlarmsWithPrefix', () => {
    it('reads every page of metric and composite alarms under the prefix', async () => {
      for (const name of ['web-5xx', 'web-latency', 'web-cpu', 'web-memory', 'api-5xx']) addAlarm(name);
      fake.addCompositeAlarm({ name: 'web-health', rule: 'ALARM("web-5xx")' });
      const found = await alarms.describeAlarmsWithPrefix('us-east-1', 'web-');
      expect(found.map((a) => a.name).sort()).toEqual(['web-5xx', 'web-cpu', 'web-health', 'web-latency', 'web-memory']);
      const calls = fake.callsTo('DescribeAlarms').map((r) => r.body as Record<string, unknown>);
      expect(calls).toHaveLength(2);
      expect(calls[0]).toEqual({ AlarmNamePrefix: 'web-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 });
      expect(calls[1]).toMatchObject({ AlarmNamePrefix: 'web-', NextToken: expect.any(String) });
    });

    it('refuses an empty prefix, which would match every alarm, without asking CloudWatch', async () => {
      expect((await failure(alarms.describeAlarmsWithPrefix('us-east-1', ''))).code).toBe('invalid_request');
      expect(fake.requests).toEqual([]);
    });
  });

  describe('latestMetricValue', () => {
    const window = () => [new Date(clock.now() - 15 * MINUTE), new Date(clock.now())] as const;

    it('answers the newest period’s statistic with one MetricStat query, newest first', async () => {
      const t = clock.now();
      fake.putDatapoints(ELB, ERRORS.metricName, ERRORS.dimensions, [
        { at: t - 10 * MINUTE, value: 2 },
        { at: t - 2 * MINUTE, value: 5 },
        { at: t - 2 * MINUTE + 30_000, value: 4 },
        { at: t - 5 * MINUTE, value: 1 },
      ]);
      expect(await alarms.latestMetricValue('us-east-1', ERRORS, ...window())).toBe(9);
      expect(fake.callsTo('GetMetricData').map((r) => r.body)).toEqual([
        {
          StartTime: (t - 15 * MINUTE) / 1000,
          EndTime: t / 1000,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: [
            {
              Id: 'latest',
              ReturnData: true,
              MetricStat: {
                Metric: {
                  Namespace: ELB,
                  MetricName: 'HTTPCode_Target_5XX_Count',
                  Dimensions: [
                    { Name: 'LoadBalancer', Value: 'app/web/0a1b2c3d' },
                    { Name: 'TargetGroup', Value: 'targetgroup/web/4e5f' },
                  ],
                },
                Period: 60,
                Stat: 'Sum',
              },
            },
          ],
        },
      ]);
    });

    it('answers null when the window holds no datapoint', async () => {
      fake.putDatapoints(ELB, ERRORS.metricName, ERRORS.dimensions, [{ at: clock.now() - 60 * MINUTE, value: 3 }]);
      expect(await alarms.latestMetricValue('us-east-1', ERRORS, ...window())).toBeNull();
    });

    it('reports a result CloudWatch could not read', async () => {
      fake.failNext('GetMetricData', { resultStatus: 'Forbidden' });
      const error = await failure(alarms.latestMetricValue('us-east-1', ERRORS, ...window()));
      expect(error.code).toBe('access_denied');
      expect(error.message).toContain('Forbidden: Insufficient permissions');
      fake.failNext('GetMetricData', { resultStatus: 'InternalError' });
      expect((await failure(alarms.latestMetricValue('us-east-1', ERRORS, ...window()))).code).toBe('unavailable');
    });

    it('reports a statistic CloudWatch refuses as an invalid request', async () => {
      const error = await failure(alarms.latestMetricValue('us-east-1', { ...ERRORS, stat: 'Median' }, ...window()));
      expect(error.code).toBe('invalid_request');
      expect(error.message).toContain('CloudWatch GetMetricData was rejected as invalid (InvalidParameterValueException');
    });
  });

  describe('errors', () => {
    it('rides out a throttle, and reports one that outlasts the retries', async () => {
      addAlarm('web-5xx');
      fake.failNext('DescribeAlarms', 'throttle');
      expect(await alarms.describeAlarms('us-east-1', ['web-5xx'])).toHaveLength(1);
      fake.failNext('DescribeAlarms', 'throttle', 3);
      const error = await failure(alarms.describeAlarms('us-east-1', ['web-5xx']));
      expect(error.code).toBe('throttled');
      expect(error.message).toBe('CloudWatch DescribeAlarms was throttled by AWS after 3 attempts (Throttling: Rate exceeded).');
    });

    it('reports CloudWatch failing as unavailable', async () => {
      fake.failNext('GetMetricData', 'server-error', 3);
      const error = await failure(alarms.latestMetricValue('us-east-1', ERRORS, new Date(0), new Date(clock.now())));
      expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('after 3 attempts (InternalServiceFault') });
    });

    it('reports access denied without any signing material', async () => {
      fake.failNext('DescribeAlarms', {
        status: 403,
        code: 'AccessDenied',
        type: 'com.amazon.coral.service#AccessDeniedException',
        message:
          'User: arn:aws:sts::123456789012:assumed-role/bot/s is not authorized to perform: cloudwatch:DescribeAlarms ' +
          '(Credential=AKIDTEST/20261122/us-east-1/monitoring/aws4_request)',
      });
      fake.failNext('DescribeAlarms', {
        status: 403,
        code: 'SignatureDoesNotMatch',
        message: 'The request signature we calculated does not match. Canonical String: Credential=AKIDTEST/20261122, Signature=0123abcd',
      });
      const denied = await failure(alarms.describeAlarmsWithPrefix('us-east-1', 'web-'));
      expect(denied.code).toBe('access_denied');
      expect(denied.message).toContain('is not authorized to perform: cloudwatch:DescribeAlarms');
      const unsigned = await failure(alarms.describeAlarmsWithPrefix('us-east-1', 'web-'));
      expect(unsigned.message).toContain('(SignatureDoesNotMatch)');
      for (const error of [denied, unsigned]) {
        expect(error.message).not.toMatch(/AKIDTEST|Signature=|Canonical/);
        expect(error.cause).toBeUndefined();
      }
    });

    it('reports an unreachable endpoint as unavailable', async () => {
      await fake.stop();
      const error = await failure(alarms.describeAlarms('us-east-1', ['web-5xx']));
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('gives up on a hung request after the client timeout, and the retry gets through', async () => {
      addAlarm('web-5xx');
      const requestHandler = { requestTimeout: 50, throwOnRequestTimeout: true };
      const impatient = createCloudWatchAlarms((region) => clientFor(region, { requestHandler }));
      fake.failNext('DescribeAlarms', 'hang');
      expect(await impatient.describeAlarms('us-east-1', ['web-5xx'])).toHaveLength(1);
      expect(fake.callsTo('DescribeAlarms')).toHaveLength(2);
    });
  });
});
