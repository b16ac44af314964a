import {
  invalidNextToken,
  invalidParameterCombination,
  invalidParameterValue,
  NotModelled,
  validationError,
} from './fake-cloudwatch-errors.js';
import type { AlarmRecord, FakeCloudWatchState, StateValue } from './fake-cloudwatch-state.js';

/** What an operation handler gets besides the request body. */
export interface RequestContext {
  state: FakeCloudWatchState;
  /** The region the request was signed for. */
  region: string;
  accountId: string;
  now: number;
  /** The most alarms one DescribeAlarms page holds, whatever MaxRecords asks. */
  pageSize: number;
}

/** One CloudWatch operation: a request body (already checked against the model) in, a response body out. */
export type OperationHandler = (ctx: RequestContext, body: Record<string, unknown>) => unknown;

// CloudWatch's documented limits (AlarmNames and MaxRecords as modelled, MetricDataQueries from the API reference).
const ALARM_NAMES_MAX = 100;
const DEFAULT_MAX_RECORDS = 50;
const QUERIES_MAX = 500;
const HIGH_RESOLUTION_PERIODS = new Set([1, 5, 10, 20, 30]);
const METRIC_ID = /^[a-z][a-zA-Z0-9_]*$/;
const STATISTICS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

const secs = (ms: number) => ms / 1000;
const toMs = (wire: unknown) => (typeof wire === 'number' ? wire * 1000 : Date.parse(String(wire)));

/** The operations the fake answers. */
export const OPERATIONS: Record<string, OperationHandler> = {
  DescribeAlarms: describeAlarms,
  GetMetricData: getMetricData,
};

/** A MetricAlarm or CompositeAlarm structure as DescribeAlarms answers it at `now`. */
export function alarmJson(alarm: AlarmRecord, ctx: Pick<RequestContext, 'state' | 'accountId' | 'now'>): Record<string, unknown> {
  const state = ctx.state.stateAt(alarm, ctx.now);
  const common = {
    AlarmName: alarm.name,
    AlarmArn: `arn:aws:cloudwatch:${alarm.region}:${ctx.accountId}:alarm:${alarm.name}`,
    AlarmConfigurationUpdatedTimestamp: secs(alarm.createdAt),
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    StateValue: state.state,
    StateReason: state.reason,
    StateUpdatedTimestamp: secs(state.at),
    StateTransitionedTimestamp: secs(state.transitionedAt),
  };
  if (!alarm.metric) return { ...common, AlarmRule: alarm.rule };
  const m = alarm.metric;
  return {
    ...common,
    MetricName: m.metricName,
    Namespace: m.namespace,
    ...(STATISTICS.has(m.statistic) ? { Statistic: m.statistic } : { ExtendedStatistic: m.statistic }),
    Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Period: m.period,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: m.threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'missing',
  };
}

function describeAlarms(ctx: RequestContext, body: Record<string, unknown>): unknown {
  for (const member of ['ChildrenOfAlarmName', 'ParentsOfAlarmName', 'ActionPrefix']) {
    if (body[member] !== undefined) throw new NotModelled(`DescribeAlarms ${member} is not modelled by the fake`);
  }
  const requested = (body.AlarmNames as string[] | undefined) ?? [];
  // CloudWatch reads an empty AlarmNames as no filter at all: every alarm of the account.
  const names = requested.length > 0 ? new Set(requested) : undefined;
  const prefix = body.AlarmNamePrefix as string | undefined;
  // Without AlarmTypes CloudWatch lists metric alarms only, even when composite alarms match.
  const types = (body.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
  const stateValue = body.StateValue as StateValue | undefined;
  const maxRecords = (body.MaxRecords as number | undefined) ?? DEFAULT_MAX_RECORDS;

  if (requested.length > ALARM_NAMES_MAX) throw constraint('alarmNames', `have length less than or equal to ${ALARM_NAMES_MAX}`);
  if (maxRecords < 1 || maxRecords > 100) throw constraint('maxRecords', 'have value between 1 and 100');
  if (prefix !== undefined && (prefix.length < 1 || prefix.length > 255)) {
    throw constraint('alarmNamePrefix', 'have length between 1 and 255');
  }
  if (names && prefix !== undefined) throw invalidParameterCombination('AlarmNames and AlarmNamePrefix cannot be specified together.');

  const query = JSON.stringify([names ? [...names].sort() : null, prefix ?? null, [...types].sort(), stateValue ?? null]);
  const offset = body.NextToken === undefined ? 0 : readToken(body.NextToken as string, query);
  const matching = ctx.state.list(ctx.region).filter(
    (a) =>
      types.includes(a.kind === 'metric' ? 'MetricAlarm' : 'CompositeAlarm') &&
      (!names || names.has(a.name)) &&
      (prefix === undefined || a.name.startsWith(prefix)) &&
      (stateValue === undefined || ctx.state.stateAt(a, ctx.now).state === stateValue),
  );
  const page = matching.slice(offset, offset + Math.min(maxRecords, ctx.pageSize));
  const next = offset + page.length;
  return {
    MetricAlarms: page.filter((a) => a.kind === 'metric').map((a) => alarmJson(a, ctx)),
    CompositeAlarms: page.filter((a) => a.kind === 'composite').map((a) => alarmJson(a, ctx)),
    ...(next < matching.length ? { NextToken: Buffer.from(JSON.stringify({ o: next, q: query })).toString('base64url') } : {}),
  };
}

/** A length or range constraint of the model broken, worded as AWS's front end words it. */
function constraint(member: string, rule: string) {
  return validationError(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must ${rule}`);
}

/** The offset a NextToken stands for; only a token handed out for this same query is good. */
function readToken(token: string, query: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (decoded.q === query && typeof decoded.o === 'number') return decoded.o;
  } catch {
    // Not one of ours: answered below as CloudWatch does.
  }
  throw invalidNextToken();
}

interface MetricStatInput {
  Metric: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
  Period: number;
  Stat: string;
  Unit?: string;
}

function getMetricData(ctx: RequestContext, body: Record<string, unknown>): unknown {
  const queries = body.MetricDataQueries as Record<string, unknown>[];
  const start = toMs(body.StartTime);
  const end = toMs(body.EndTime);
  const scanBy = (body.ScanBy as string | undefined) ?? 'TimestampDescending';
  if (body.LabelOptions !== undefined) throw new NotModelled('GetMetricData LabelOptions is not modelled by the fake');
  // The fake never pages GetMetricData, so it never hands out a token to come back with.
  if (body.NextToken !== undefined) throw invalidNextToken();
  if (queries.length === 0 || queries.length > QUERIES_MAX) {
    throw validationError(`The collection MetricDataQueries must not be empty and must not have more than ${QUERIES_MAX} entries.`);
  }
  if (!(start < end)) throw validationError('The parameter StartTime must be less than the parameter EndTime.');

  const ids = new Set<string>();
  const results = queries.map((q, i) => {
    const where = `MetricDataQueries.member.${i + 1}`;
    const id = q.Id as string;
    if (!METRIC_ID.test(id)) throw validationError(`The value ${id} for parameter ${where}.Id must start with a lowercase letter.`);
    if (ids.has(id)) throw validationError(`The value ${id} for parameter MetricDataQueries is duplicated.`);
    ids.add(id);
    for (const member of ['Expression', 'AccountId', 'Period']) {
      if (q[member] !== undefined) throw new NotModelled(`GetMetricData ${member} is not modelled by the fake`);
    }
    if (q.MetricStat === undefined) throw invalidParameterValue(`${where} must specify either Expression or MetricStat.`);
    const stat = q.MetricStat as MetricStatInput;
    if (stat.Unit !== undefined) throw new NotModelled('GetMetricData MetricStat.Unit is not modelled by the fake');
    if (!HIGH_RESOLUTION_PERIODS.has(stat.Period) && stat.Period % 60 !== 0) {
      throw invalidParameterValue(`The parameter ${where}.MetricStat.Period must be 1, 5, 10, 20, 30, or a multiple of 60.`);
    }
    const aggregate = aggregator(stat.Stat);
    if (!aggregate) throw invalidParameterValue(`The value ${stat.Stat} for parameter ${where}.MetricStat.Stat is not a valid statistic.`);

    const metric = {
      namespace: stat.Metric.Namespace ?? '',
      metricName: stat.Metric.MetricName ?? '',
      dimensions: Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    };
    const periodMs = stat.Period * 1000;
    const buckets = new Map<number, number[]>();
    for (const p of ctx.state.datapoints(ctx.region, metric, start, end)) {
      const bucket = Math.floor(p.at / periodMs) * periodMs;
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), p.value]);
    }
    const times = [...buckets.keys()].sort((a, b) => (scanBy === 'TimestampAscending' ? a - b : b - a));
    return {
      Id: id,
      Label: (q.Label as string | undefined) ?? metric.metricName,
      Timestamps: times.map(secs),
      Values: times.map((t) => aggregate(buckets.get(t)!)),
      StatusCode: 'Complete',
    };
  });
  return { MetricDataResults: results, Messages: [] };
}

/** GetMetricData's answer when CloudWatch could not read the data: 200, with the reason in each result. */
export function withResultStatus(result: unknown, status: 'InternalError' | 'Forbidden'): unknown {
  const answer = result as { MetricDataResults?: Record<string, unknown>[] };
  return {
    ...answer,
    MetricDataResults: (answer.MetricDataResults ?? []).map((r) => ({
      ...r,
      Timestamps: [],
      Values: [],
      StatusCode: status,
      Messages: [{ Code: status, Value: status === 'Forbidden' ? 'Insufficient permissions to read this metric.' : 'Internal error.' }],
    })),
  };
}

/** The function computing `stat` over one period's samples, or null for a statistic CloudWatch does not know. */
function aggregator(stat: string): ((values: number[]) => number) | null {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  if (stat === 'Sum') return sum;
  if (stat === 'SampleCount') return (values) => values.length;
  if (stat === 'Average') return (values) => sum(values) / values.length;
  if (stat === 'Minimum') return (values) => Math.min(...values);
  if (stat === 'Maximum') return (values) => Math.max(...values);
  const percentile = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (!percentile) return null;
  const rank = Number(percentile[1]) / 100;
  return (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(rank * sorted.length) - 1)]!;
  };
}
