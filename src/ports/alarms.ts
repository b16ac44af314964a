/** A CloudWatch alarm's state as the core needs it. */
export interface AlarmState {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason: string;
  /** When the state last changed (StateUpdatedTimestamp). */
  updatedAt: Date;
  metricName?: string;
  namespace?: string;
}

/** One CloudWatch metric to sample, e.g. an ALB's 5xx count for a service. */
export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Sum, Average, Maximum, p99… */
  stat: string;
  periodSeconds: number;
}

/** Why a CloudWatch call failed. `message` is safe to show a user. */
export class AlarmsError extends Error {
  override readonly name = 'AlarmsError';
  constructor(
    readonly code: 'throttled' | 'access_denied' | 'invalid_request' | 'unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the core needs from CloudWatch. Methods throw AlarmsError. */
export interface AlarmsPort {
  /** DescribeAlarms for these names (batched ≤ 100 per call, every page read); unknown names are left out. */
  describeAlarms(region: string, names: string[]): Promise<AlarmState[]>;
  /** DescribeAlarms for every alarm whose name starts with `prefix`, every page read. */
  describeAlarmsWithPrefix(region: string, prefix: string): Promise<AlarmState[]>;
  /** GetMetricData for one query over [start, end]; the newest datapoint, or null when there is none. */
  latestMetricValue(region: string, query: MetricQuery, start: Date, end: Date): Promise<number | null>;
}
