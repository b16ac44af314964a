import type { IncomingMessage, ServerResponse } from 'node:http';
import { specPath } from '../../specs/specs.js';
import type { Clock } from '../../../src/ports/clock.js';
import { loadSmithyModel, type SmithyModel } from '../../support/smithy-model.js';
import { sendAwsJson, sendUnknownOperation } from '../aws-json.js';
import { LocalHttpServer } from '../local-http-server.js';
import { readBody } from '../slack/http-io.js';
import { alarmJson, OPERATIONS, withResultStatus } from './fake-cloudwatch-api.js';
import {
  CloudWatchApiError,
  internalFailure,
  NotModelled,
  serializationError,
  throttling,
  validationError,
} from './fake-cloudwatch-errors.js';
import { FakeCloudWatchState, type StateValue } from './fake-cloudwatch-state.js';

/** Settings of a fake CloudWatch. */
export interface FakeCloudWatchOptions {
  /** Stamps state changes and decides which scripted states are in effect. */
  clock: Clock;
  /** Region for requests whose signature names none, and for alarms and metrics added without one. Default us-east-1. */
  region?: string;
  accountId?: string;
  /** The most alarms one DescribeAlarms page holds, whatever MaxRecords asks; small so callers must paginate. Default 3. */
  pageSize?: number;
  /** The CloudWatch Smithy model requests are checked against. */
  modelPath?: string;
}

/**
 * Something to go wrong with the next calls of an operation: an error answer (`code` is the awsQuery code the SDK
 * names the error after), a hang, or (GetMetricData only) a 200 whose results carry this StatusCode and no data.
 */
export type Fault =
  | 'throttle'
  | 'server-error'
  | 'hang'
  | { status: number; code: string; message: string; type?: string }
  | { resultStatus: 'InternalError' | 'Forbidden' };

/** A request the fake received. */
export interface RecordedRequest {
  operation: string;
  body: unknown;
  /** Clock time (ms) when it arrived. */
  at: number;
  /** The region it was signed for. */
  region: string;
  contentType: string;
}

/** A metric alarm to create; only name, namespace and metric name are needed. */
export interface MetricAlarmSeed {
  name: string;
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
  /** Sum, Average… or a percentile (p99), which CloudWatch reports as ExtendedStatistic. Default Sum. */
  statistic?: string;
  period?: number;
  threshold?: number;
  /** Default INSUFFICIENT_DATA, as a new alarm starts. */
  state?: StateValue;
  reason?: string;
  region?: string;
}

/** A composite alarm to create. */
export interface CompositeAlarmSeed {
  name: string;
  rule: string;
  state?: StateValue;
  reason?: string;
  region?: string;
}

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const JSON_TYPE = 'application/x-amz-json-1.0';
const SIGNING_NAME = 'monitoring';
const DEFAULT_MODEL = specPath('aws', 'cloudwatch-2010-08-01.json');
const REASONS: Record<StateValue, string> = {
  OK: 'Threshold Crossed: 1 out of the last 1 datapoints was not greater than or equal to the threshold (1.0).',
  ALARM: 'Threshold Crossed: 1 out of the last 1 datapoints was greater than or equal to the threshold (1.0).',
  INSUFFICIENT_DATA: 'Insufficient Data: 1 datapoint was unknown.',
};

/**
 * CloudWatch over HTTP on 127.0.0.1, speaking awsJson1_0 with awsQueryCompatible errors (what the installed SDK sends):
 * every request is checked against the Smithy model and recorded; alarm states follow the clock. Its `url` is the
 * endpoint to give the SDK (or AWS_ENDPOINT_URL_CLOUDWATCH).
 */
export class FakeCloudWatch extends LocalHttpServer {
  readonly state: FakeCloudWatchState;
  readonly region: string;
  readonly requests: RecordedRequest[] = [];
  /** Requests that broke the model or protocol, or reached what the fake does not model; a passing suite leaves this empty. */
  readonly violations: string[] = [];
  private readonly accountId: string;
  private readonly pageSize: number;
  private readonly model: SmithyModel;
  private readonly faults = new Map<string, Fault[]>();

  constructor(options: FakeCloudWatchOptions) {
    super('the fake CloudWatch');
    this.state = new FakeCloudWatchState(options.clock);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.pageSize = options.pageSize ?? 3;
    this.model = loadSmithyModel(options.modelPath ?? DEFAULT_MODEL);
  }

  /** Creates a metric alarm, stamped with the clock's time. */
  addMetricAlarm(seed: MetricAlarmSeed): void {
    const { name, namespace, metricName, dimensions = {}, statistic = 'Sum', period = 60, threshold = 1 } = seed;
    const metric = { namespace, metricName, dimensions, statistic, period, threshold };
    const initial = seed.state && { state: seed.state, reason: seed.reason ?? REASONS[seed.state] };
    this.state.add({ region: seed.region ?? this.region, name, kind: 'metric', metric }, initial);
  }

  /** Creates a composite alarm, stamped with the clock's time. */
  addCompositeAlarm(seed: CompositeAlarmSeed): void {
    const initial = seed.state && { state: seed.state, reason: seed.reason ?? REASONS[seed.state] };
    this.state.add({ region: seed.region ?? this.region, name: seed.name, kind: 'composite', rule: seed.rule }, initial);
  }

  /** The alarm goes to `state` now (the clock's time becomes its StateUpdatedTimestamp). */
  setAlarmState(name: string, state: StateValue, reason = REASONS[state], options: { region?: string } = {}): void {
    this.state.addTransitions(options.region ?? this.region, name, [{ at: this.state.clock.now(), state, reason }]);
  }

  /** Scripts the alarm's states at clock times (past or future); each takes effect once the clock reaches it. */
  scheduleAlarmStates(
    name: string,
    timeline: { at: number | Date; state: StateValue; reason?: string }[],
    options: { region?: string } = {},
  ): void {
    const transitions = timeline.map((t) => ({ at: +t.at, state: t.state, reason: t.reason ?? REASONS[t.state] }));
    this.state.addTransitions(options.region ?? this.region, name, transitions);
  }

  /** The alarm as DescribeAlarms would answer now (wire JSON: timestamps in epoch seconds). */
  alarm(name: string, region = this.region): Record<string, unknown> {
    return alarmJson(this.state.require(region, name), { state: this.state, accountId: this.accountId, now: this.state.clock.now() });
  }

  /** Records samples of the metric with exactly these dimensions. */
  putDatapoints(
    namespace: string,
    metricName: string,
    dimensions: Record<string, string>,
    points: { at: number | Date; value: number }[],
    options: { region?: string } = {},
  ): void {
    const samples = points.map((p) => ({ at: +p.at, value: p.value }));
    this.state.put(options.region ?? this.region, { namespace, metricName, dimensions }, samples);
  }

  /** The next `times` calls of `operation` go wrong this way. */
  failNext(operation: string, fault: Fault, times = 1): void {
    if (typeof fault === 'object' && 'resultStatus' in fault && operation !== 'GetMetricData') {
      throw new Error('a result StatusCode only exists in GetMetricData answers');
    }
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...Array<Fault>(times).fill(fault)]);
  }

  /** Requests of one operation, in arrival order. */
  callsTo(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const target = req.headers['x-amz-target'];
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const region = scope?.[1] ?? this.region;
    const awsQueryAction = /(?:^|&)Action=([^&]*)/.exec(text)?.[1];
    const targeted = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const operation = targeted ?? awsQueryAction ?? String(target ?? '');
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = text;
    }
    this.requests.push({ operation, body, at: this.state.clock.now(), region, contentType });

    if (contentType !== JSON_TYPE || typeof target !== 'string') {
      const sentAs = contentType || 'no content type';
      this.violations.push(`${operation || '(no operation)'}: sent as ${sentAs}, not awsJson1_0 with X-Amz-Target`);
      return sendError(res, serializationError('Expected awsJson1_0.'));
    }
    if (scope?.[2] !== SIGNING_NAME) {
      this.violations.push(`${operation}: signed for service ${scope?.[2] ?? '(unsigned)'}, not ${SIGNING_NAME}`);
    }
    if (!this.model.operationNames().includes(operation)) {
      this.violations.push(`${target}: not a CloudWatch operation`);
      return sendUnknownOperation(res, JSON_TYPE);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.violations.push(`${operation}: the body is not a JSON object`);
      return sendError(res, serializationError('Not a JSON object.'));
    }
    const fault = this.faults.get(operation)?.shift();
    if (fault === 'hang') return; // answered never: the client has to give up (or stop() cuts it)
    if (fault && !(typeof fault === 'object' && 'resultStatus' in fault)) return sendError(res, faultError(fault));

    const problems = this.model.checkInput(operation, body);
    if (problems.length > 0) {
      this.violations.push(...problems.map((p) => `${operation}: ${p}`));
      return sendError(res, validationError(problems.join('; ')));
    }
    const handler = OPERATIONS[operation];
    if (!handler) {
      this.violations.push(`${operation}: not implemented by the fake CloudWatch`);
      return sendError(res, internalFailure(`The fake CloudWatch does not implement ${operation}.`));
    }
    try {
      const ctx = { state: this.state, region, accountId: this.accountId, now: this.state.clock.now(), pageSize: this.pageSize };
      const result = handler(ctx, body as Record<string, unknown>);
      sendAwsJson(res, JSON_TYPE, 200, {}, fault ? withResultStatus(result, fault.resultStatus) : result);
    } catch (error) {
      if (error instanceof CloudWatchApiError) return sendError(res, error);
      this.violations.push(error instanceof NotModelled ? error.message : `${operation}: the fake CloudWatch crashed: ${String(error)}`);
      sendError(res, internalFailure('The fake CloudWatch could not answer; see its violations.'));
    }
  }
}

function faultError(fault: Exclude<Fault, 'hang' | { resultStatus: unknown }>): CloudWatchApiError {
  if (fault === 'throttle') return throttling();
  if (fault === 'server-error') return internalFailure();
  return new CloudWatchApiError(fault.type ?? `com.amazonaws.cloudwatch#${fault.code}`, fault.code, fault.message, fault.status);
}

function sendError(res: ServerResponse, error: CloudWatchApiError): void {
  sendAwsJson(res, JSON_TYPE, error.status, { 'x-amzn-query-error': `${error.queryCode};${error.fault}` }, { __type: error.type, message: error.message });
}
