import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { cloudWatchClientFor } from './cloudwatch-test-client.js';
import { FakeCloudWatch } from './fake-cloudwatch-server.js';

const MINUTE = 60_000;
const DIMS = { LoadBalancer: 'app/web/0a1b2c3d' };
const ELB_5XX = { Namespace: 'AWS/ApplicationELB', MetricName: '5xx', Dimensions: [{ Name: 'LoadBalancer', Value: DIMS.LoadBalancer }] };
const BOTH: ('MetricAlarm' | 'CompositeAlarm')[] = ['MetricAlarm', 'CompositeAlarm'];

describe('FakeCloudWatch through the real SDK', () => {
  let clock: FakeClock;
  let fake: FakeCloudWatch;
  let cw: CloudWatchClient;

  beforeEach(async () => {
    clock = new FakeClock();
    fake = new FakeCloudWatch({ clock });
    await fake.start();
    cw = cloudWatchClientFor(fake.url);
  });

  afterEach(async () => {
    cw.destroy();
    await fake.stop();
    expect(fake.violations).toEqual([]);
  });

  /** The violations so far, cleared, for tests that provoke them. */
  const takeViolations = () => fake.violations.splice(0);
  const names = (answer: { MetricAlarms?: { AlarmName?: string }[]; CompositeAlarms?: { AlarmName?: string }[] }) =>
    [...(answer.MetricAlarms ?? []), ...(answer.CompositeAlarms ?? [])].map((a) => a.AlarmName);

  describe('wire protocol', () => {
    it('hears awsJson1_0 with a GraniteServiceVersion20100801 target, signed for monitoring in the caller’s region', async () => {
      const west = cloudWatchClientFor(fake.url, { region: 'eu-west-1' });
      await west.send(new DescribeAlarmsCommand({ AlarmNames: ['a'] }));
      west.destroy();
      expect(fake.requests).toEqual([
        {
          operation: 'DescribeAlarms',
          body: { AlarmNames: ['a'] },
          at: clock.now(),
          region: 'eu-west-1',
          contentType: 'application/x-amz-json-1.0',
        },
      ]);
    });

    it('is reached through AWS_ENDPOINT_URL_CLOUDWATCH when no endpoint is configured', async () => {
      vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', fake.url);
      try {
        const viaEnv = new CloudWatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
        await viaEnv.send(new DescribeAlarmsCommand({}));
        viaEnv.destroy();
      } finally {
        vi.unstubAllEnvs();
      }
      expect(fake.callsTo('DescribeAlarms')).toHaveLength(1);
    });

    it('records members the model does not have, and awsQuery form bodies, as violations', async () => {
      const post = (headers: Record<string, string>, body: string) =>
        fetch(fake.url, {
          method: 'POST',
          headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20261122/us-east-1/monitoring/aws4_request', ...headers },
          body,
        });
      const json = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms' };
      const bad = await post(json, JSON.stringify({ AlarmName: 'a', StateValue: 'FIRING' }));
      expect(bad.status).toBe(400);
      expect(bad.headers.get('x-amzn-query-error')).toBe('ValidationError;Sender');
      const form = await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'Action=DescribeAlarms&Version=2010-08-01');
      expect(form.status).toBe(400);
      expect(takeViolations()).toEqual([
        'DescribeAlarms: AlarmName: unknown member of DescribeAlarmsInput',
        'DescribeAlarms: StateValue: expected one of OK|ALARM|INSUFFICIENT_DATA, got string "FIRING"',
        'DescribeAlarms: sent as application/x-www-form-urlencoded, not awsJson1_0 with X-Amz-Target',
      ]);
    });

    it('reports an operation it does not implement', async () => {
      await expect(cw.send(new ListMetricsCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
      expect(takeViolations()).toContain('ListMetrics: not implemented by the fake CloudWatch');
    });
  });

  describe('DescribeAlarms', () => {
    beforeEach(() => {
      for (const name of ['web-5xx', 'web-latency', 'api-5xx', 'web-cpu']) {
        fake.addMetricAlarm({ name, namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: DIMS });
      }
      fake.addCompositeAlarm({ name: 'web-health', rule: 'ALARM("web-5xx") OR ALARM("web-latency")', state: 'OK' });
    });

    it('lists metric alarms only unless AlarmTypes asks for composite ones too', async () => {
      expect(names(await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-5xx', 'web-health'] })))).toEqual(['web-5xx']);
      const both = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-5xx', 'web-health', 'ghost'], AlarmTypes: BOTH }));
      expect(names(both)).toEqual(['web-5xx', 'web-health']);
      expect(both.CompositeAlarms![0]).toMatchObject({ AlarmRule: 'ALARM("web-5xx") OR ALARM("web-latency")', StateValue: 'OK' });
      expect(both.MetricAlarms![0]).toMatchObject({
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx',
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
        StateUpdatedTimestamp: new Date(clock.now()),
        Namespace: 'AWS/ApplicationELB',
        Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web/0a1b2c3d' }],
      });
    });

    it('pages at its small page size, honouring MaxRecords, prefix and StateValue', async () => {
      const first = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'web-', AlarmTypes: BOTH }));
      expect(names(first)).toEqual(['web-5xx', 'web-cpu', 'web-health']);
      const second = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'web-', AlarmTypes: BOTH, NextToken: first.NextToken }));
      expect([names(second), second.NextToken]).toEqual([['web-latency'], undefined]);
      const one = await cw.send(new DescribeAlarmsCommand({ MaxRecords: 1 }));
      expect([names(one), typeof one.NextToken]).toEqual([['api-5xx'], 'string']);
      fake.setAlarmState('web-cpu', 'ALARM');
      expect(names(await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' })))).toEqual(['web-cpu']);
    });

    it('refuses another query’s NextToken, over 100 names, and names with a prefix, as CloudWatch does', async () => {
      const first = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'web-', MaxRecords: 1 }));
      await expect(cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'api-', NextToken: first.NextToken }))).rejects.toMatchObject({
        name: 'InvalidNextToken',
        $metadata: { httpStatusCode: 400 },
      });
      const many = Array.from({ length: 101 }, (_, i) => `alarm-${i}`);
      await expect(cw.send(new DescribeAlarmsCommand({ AlarmNames: many }))).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-5xx'], AlarmNamePrefix: 'web' }))).rejects.toMatchObject({
        name: 'InvalidParameterCombinationException',
      });
    });

    it('changes states as told and as scripted, stamping the clock’s time', async () => {
      const start = clock.now();
      clock.advance(MINUTE);
      fake.setAlarmState('web-5xx', 'ALARM', 'Threshold Crossed: 12 errors');
      fake.scheduleAlarmStates('web-5xx', [
        { at: start + 5 * MINUTE, state: 'ALARM', reason: 'still failing' },
        { at: start + 10 * MINUTE, state: 'OK' },
      ]);
      const at = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-5xx'] }))).MetricAlarms![0]!;
      expect(await at()).toMatchObject({
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 12 errors',
        StateUpdatedTimestamp: new Date(start + MINUTE),
      });
      clock.advance(5 * MINUTE);
      expect(await at()).toMatchObject({
        StateValue: 'ALARM',
        StateReason: 'still failing',
        StateUpdatedTimestamp: new Date(start + 5 * MINUTE),
        StateTransitionedTimestamp: new Date(start + MINUTE),
      });
      clock.advance(5 * MINUTE);
      expect(await at()).toMatchObject({ StateValue: 'OK', StateUpdatedTimestamp: new Date(start + 10 * MINUTE) });
      expect(fake.alarm('web-5xx')).toMatchObject({ StateValue: 'OK', StateUpdatedTimestamp: (start + 10 * MINUTE) / 1000 });
    });

    it('keeps regions apart', async () => {
      fake.addMetricAlarm({ name: 'web-5xx', namespace: 'AWS/ApplicationELB', metricName: 'X', region: 'eu-west-1', state: 'ALARM' });
      const west = cloudWatchClientFor(fake.url, { region: 'eu-west-1' });
      const answer = await west.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'web' }));
      west.destroy();
      expect(answer.MetricAlarms!.map((a) => [a.AlarmName, a.StateValue])).toEqual([['web-5xx', 'ALARM']]);
    });
  });

  describe('GetMetricData', () => {
    const query = (stat: string, extra: Partial<GetMetricDataCommandInput> = {}): GetMetricDataCommandInput => ({
      StartTime: new Date(clock.now() - 10 * MINUTE),
      EndTime: new Date(clock.now()),
      MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: ELB_5XX, Period: 60, Stat: stat } }],
      ...extra,
    });

    beforeEach(() => {
      const t = clock.now();
      fake.putDatapoints('AWS/ApplicationELB', '5xx', DIMS, [
        { at: t - 3 * MINUTE, value: 1 },
        { at: t - 3 * MINUTE + 10_000, value: 3 },
        { at: t - MINUTE, value: 7 },
        { at: t - 20 * MINUTE, value: 100 },
      ]);
      fake.putDatapoints('AWS/ApplicationELB', '5xx', { ...DIMS, TargetGroup: 'tg' }, [{ at: t - MINUTE, value: 50 }]);
    });

    it('aggregates per period within the window, newest first by default, for exactly the dimensions asked', async () => {
      const t = clock.now();
      const sum = (await cw.send(new GetMetricDataCommand(query('Sum')))).MetricDataResults![0]!;
      expect(sum).toMatchObject({ Id: 'm', Label: '5xx', StatusCode: 'Complete', Values: [7, 4] });
      expect(sum.Timestamps).toEqual([new Date(t - MINUTE), new Date(t - 3 * MINUTE)]);
      const ascending = await cw.send(new GetMetricDataCommand(query('Maximum', { ScanBy: 'TimestampAscending' })));
      expect(ascending.MetricDataResults![0]!.Values).toEqual([3, 7]);
      expect((await cw.send(new GetMetricDataCommand(query('p50')))).MetricDataResults![0]!.Values).toEqual([7, 1]);
    });

    it('refuses invalid statistics and periods, and reports what it does not model', async () => {
      await expect(cw.send(new GetMetricDataCommand(query('Median')))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      const odd = query('Sum');
      odd.MetricDataQueries![0]!.MetricStat!.Period = 45;
      await expect(cw.send(new GetMetricDataCommand(odd))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      const once = cloudWatchClientFor(fake.url, { maxAttempts: 1 });
      const expression = query('Sum', { MetricDataQueries: [{ Id: 'e', Expression: 'SUM(METRICS())' }] });
      await expect(once.send(new GetMetricDataCommand(expression))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
      once.destroy();
      expect(takeViolations()).toEqual(['GetMetricData Expression is not modelled by the fake']);
    });
  });

  describe('faults', () => {
    it('throttles (retried by the SDK) and fails as asked, with awsQuery-compatible error codes', async () => {
      fake.failNext('DescribeAlarms', 'throttle');
      await cw.send(new DescribeAlarmsCommand({}));
      expect(fake.callsTo('DescribeAlarms')).toHaveLength(2);
      fake.failNext('DescribeAlarms', 'throttle', 3);
      await expect(cw.send(new DescribeAlarmsCommand({}))).rejects.toMatchObject({ name: 'Throttling', $metadata: { attempts: 3 } });
      fake.failNext('DescribeAlarms', 'server-error', 3);
      await expect(cw.send(new DescribeAlarmsCommand({}))).rejects.toMatchObject({
        name: 'InternalServiceFault',
        $metadata: { httpStatusCode: 500 },
      });
      const type = 'com.amazon.coral.service#AccessDeniedException';
      fake.failNext('DescribeAlarms', { status: 403, code: 'AccessDenied', type, message: 'not authorized' });
      await expect(cw.send(new DescribeAlarmsCommand({}))).rejects.toMatchObject({ name: 'AccessDenied', message: 'not authorized' });
    });

    it('answers GetMetricData with a result status instead of data', async () => {
      fake.failNext('GetMetricData', { resultStatus: 'Forbidden' });
      const answer = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(0),
          EndTime: new Date(clock.now()),
          MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' } }],
        }),
      );
      expect(answer.MetricDataResults![0]).toMatchObject({ StatusCode: 'Forbidden', Values: [] });
    });

    it('hangs until the client gives up', async () => {
      fake.failNext('DescribeAlarms', 'hang');
      const abort = new AbortController();
      const pending = cw.send(new DescribeAlarmsCommand({}), { abortSignal: abort.signal });
      await vi.waitFor(() => expect(fake.callsTo('DescribeAlarms')).toHaveLength(1), { interval: 1 });
      abort.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await cw.send(new DescribeAlarmsCommand({}));
    });
  });
});
