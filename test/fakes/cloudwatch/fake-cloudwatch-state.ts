import type { Clock } from '../../../src/ports/clock.js';

/** An alarm's state value. */
export type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One change of an alarm's state, at a clock time (ms). */
export interface Transition {
  at: number;
  state: StateValue;
  reason: string;
}

/** An alarm as the fake keeps it; its state at any time comes from `transitions`. */
export interface AlarmRecord {
  region: string;
  name: string;
  kind: 'metric' | 'composite';
  createdAt: number;
  /** Metric alarms only. */
  metric?: MetricKey & { statistic: string; period: number; threshold: number };
  /** Composite alarms only. */
  rule?: string;
  /** Sorted by `at`; the first is the alarm's creation. */
  transitions: Transition[];
}

/** A metric sample. */
export interface Datapoint {
  at: number;
  value: number;
}

/** A metric's identity: namespace, name and the exact set of dimensions. */
export interface MetricKey {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

const INITIAL_REASON = 'Unchecked: Initial alarm creation';

/** Alarms and metric datapoints of every region, with alarm states that change as the clock moves. */
export class FakeCloudWatchState {
  private readonly alarms = new Map<string, AlarmRecord>();
  private readonly series = new Map<string, Datapoint[]>();

  constructor(readonly clock: Clock) {}

  /** Creates an alarm in INSUFFICIENT_DATA (as CloudWatch does), or in `initial` when given, stamped now. */
  add(alarm: Omit<AlarmRecord, 'createdAt' | 'transitions'>, initial?: { state: StateValue; reason?: string }): AlarmRecord {
    const key = alarmKey(alarm.region, alarm.name);
    if (this.alarms.has(key)) throw new Error(`alarm ${alarm.name} already exists in ${alarm.region}`);
    const now = this.clock.now();
    const record: AlarmRecord = {
      ...alarm,
      createdAt: now,
      transitions: [{ at: now, state: initial?.state ?? 'INSUFFICIENT_DATA', reason: initial?.reason ?? INITIAL_REASON }],
    };
    this.alarms.set(key, record);
    return record;
  }

  /** The alarm, or throws: a test naming an alarm it never created has a typo. */
  require(region: string, name: string): AlarmRecord {
    const alarm = this.alarms.get(alarmKey(region, name));
    if (!alarm) throw new Error(`no alarm ${name} in ${region}`);
    return alarm;
  }

  /** Adds transitions; one at the same time as an existing one replaces it. */
  addTransitions(region: string, name: string, transitions: Transition[]): void {
    const alarm = this.require(region, name);
    const replaced = new Set(transitions.map((t) => t.at));
    alarm.transitions = [...alarm.transitions.filter((t) => !replaced.has(t.at)), ...transitions].sort((a, b) => a.at - b.at);
  }

  /** Alarms of a region, sorted by name (the order CloudWatch lists them in). */
  list(region: string): AlarmRecord[] {
    return [...this.alarms.values()].filter((a) => a.region === region).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The alarm's state at `at`, when it was last updated and when its value last changed. */
  stateAt(alarm: AlarmRecord, at: number): Transition & { transitionedAt: number } {
    const past = alarm.transitions.filter((t) => t.at <= at);
    // Only a time before the alarm's creation has no past; it reads as the creation state.
    const current = past[past.length - 1] ?? alarm.transitions[0]!;
    let transitionedAt = current.at;
    for (let i = past.length - 2; i >= 0 && past[i]!.state === current.state; i--) transitionedAt = past[i]!.at;
    return { ...current, transitionedAt };
  }

  /** Records samples of a metric. */
  put(region: string, metric: MetricKey, points: Datapoint[]): void {
    const key = seriesKey(region, metric);
    this.series.set(key, [...(this.series.get(key) ?? []), ...points].sort((a, b) => a.at - b.at));
  }

  /** Samples of exactly this metric (same dimension set) with start ≤ at < end. */
  datapoints(region: string, metric: MetricKey, start: number, end: number): Datapoint[] {
    return (this.series.get(seriesKey(region, metric)) ?? []).filter((p) => p.at >= start && p.at < end);
  }
}

function alarmKey(region: string, name: string): string {
  return `${region}\u0000${name}`;
}

function seriesKey(region: string, { namespace, metricName, dimensions }: MetricKey): string {
  const dims = Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([region, namespace, metricName, dims]);
}
