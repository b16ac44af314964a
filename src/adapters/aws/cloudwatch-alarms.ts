import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type CloudWatchClient,
  type CompositeAlarm,
  type DescribeAlarmsCommandInput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { AlarmsError, type AlarmsPort, type AlarmState, type MetricQuery } from '../../ports/alarms.js';
import { describeAwsError, redact, type AwsErrorKind } from './aws-errors.js';

// CloudWatch's modelled limits: AlarmNames holds at most 100 names, MaxRecords at most 100 per page.
const ALARM_NAMES_MAX = 100;
const PAGE_MAX = 100;
// Without AlarmTypes CloudWatch answers metric alarms only, silently leaving composite alarms out.
const ALARM_TYPES: DescribeAlarmsCommandInput['AlarmTypes'] = ['MetricAlarm', 'CompositeAlarm'];
const STATES = new Set<string>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const QUERY_ID = 'latest';

// The port reports fewer kinds than AWS errors come in; these are what the others mean to a caller of CloudWatch.
const CODES: Record<AwsErrorKind, AlarmsError['code']> = {
  throttled: 'throttled',
  access_denied: 'access_denied',
  invalid_request: 'invalid_request',
  not_found: 'invalid_request',
  unsupported: 'unavailable',
  conflict: 'unavailable',
  unavailable: 'unavailable',
};

/** The AlarmsPort over the CloudWatch API; `clientFor` hands out the (composition root's) client of a region. */
export function createCloudWatchAlarms(clientFor: (region: string) => CloudWatchClient): AlarmsPort {
  return {
    async describeAlarms(region, names) {
      const alarms: AlarmState[] = [];
      // An empty AlarmNames would list every alarm of the account, so an empty batch is never sent. Batches go one
      // after another: DescribeAlarms has a low per-account TPS quota that other tools of the account share.
      for (const batch of chunks([...new Set(names)], ALARM_NAMES_MAX)) {
        alarms.push(...(await everyPage(clientFor(region), { AlarmNames: batch })));
      }
      return alarms;
    },

    async describeAlarmsWithPrefix(region, prefix) {
      if (prefix === '') {
        const message = 'CloudWatch DescribeAlarms was not attempted: an empty alarm name prefix would match every alarm';
        throw new AlarmsError('invalid_request', message);
      }
      return everyPage(clientFor(region), { AlarmNamePrefix: prefix });
    },

    async latestMetricValue(region, query, start, end) {
      const answer = await call('GetMetricData', () =>
        clientFor(region).send(
          new GetMetricDataCommand({
            StartTime: start,
            EndTime: end,
            // Newest first, so the first page holds the newest datapoint and no further page is needed.
            ScanBy: 'TimestampDescending',
            MetricDataQueries: [{ Id: QUERY_ID, ReturnData: true, MetricStat: metricStat(query) }],
          }),
        ),
      );
      const result = answer.MetricDataResults?.find((r) => r.Id === QUERY_ID);
      if (result?.StatusCode === 'Forbidden' || result?.StatusCode === 'InternalError') {
        const kind = result.StatusCode === 'Forbidden' ? 'access_denied' : 'unavailable';
        const detail = redact([result.StatusCode, ...(result.Messages ?? []).flatMap((m) => m.Value ?? [])].join(': '));
        throw new AlarmsError(kind, `CloudWatch GetMetricData could not read ${query.namespace} ${query.metricName} (${detail}).`);
      }
      return newest(result?.Timestamps ?? [], result?.Values ?? []);
    },
  };
}

type AlarmFilter = Pick<DescribeAlarmsCommandInput, 'AlarmNames' | 'AlarmNamePrefix'>;

async function everyPage(client: CloudWatchClient, filter: AlarmFilter): Promise<AlarmState[]> {
  const alarms: AlarmState[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call('DescribeAlarms', () =>
      client.send(new DescribeAlarmsCommand({ ...filter, AlarmTypes: ALARM_TYPES, MaxRecords: PAGE_MAX, NextToken })),
    );
    alarms.push(...[...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])].flatMap(toAlarmState));
    NextToken = page.NextToken;
  } while (NextToken);
  return alarms;
}

/** The alarm as the core sees it; none without a name, a known state and a timestamp (CloudWatch always sends them). */
function toAlarmState(alarm: MetricAlarm | CompositeAlarm): AlarmState[] {
  const { AlarmName: name, StateValue: state, StateUpdatedTimestamp: updatedAt } = alarm;
  if (!name || !state || !STATES.has(state) || !updatedAt) return [];
  // A composite alarm has neither; a metric-math alarm has Metrics instead.
  const { MetricName, Namespace } = alarm as MetricAlarm;
  return [{
    name,
    state: state as AlarmState['state'],
    reason: alarm.StateReason ?? '',
    updatedAt,
    ...(MetricName === undefined ? {} : { metricName: MetricName }),
    ...(Namespace === undefined ? {} : { namespace: Namespace }),
  }];
}

function metricStat(query: MetricQuery) {
  return {
    Metric: {
      Namespace: query.namespace,
      MetricName: query.metricName,
      Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: query.periodSeconds,
    Stat: query.stat,
  };
}

/** The value at the latest timestamp; CloudWatch's order is asked for, not relied on. */
function newest(timestamps: Date[], values: number[]): number | null {
  let value: number | null = null;
  let at = -Infinity;
  timestamps.forEach((t, i) => {
    const v = values[i];
    if (v !== undefined && Number.isFinite(v) && t.getTime() > at) [value, at] = [v, t.getTime()];
  });
  return value;
}

async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const failure = describeAwsError(error, 'CloudWatch', operation);
    throw new AlarmsError(CODES[failure.kind], failure.message, 'cause' in failure ? { cause: failure.cause } : undefined);
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
