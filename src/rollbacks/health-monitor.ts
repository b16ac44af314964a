import type { EnvironmentSpec, ServiceSpec } from '../domain/catalog.js';
import { mapWithConcurrency } from '../domain/concurrency.js';
import type { AlarmsPort, AlarmState } from '../ports/alarms.js';
import type { HealthProbe, HealthProbeResult } from '../ports/health-probe.js';
import type { Logger } from '../ports/logger.js';

/** What the health URL, alarms and metric of one service said at the last poll. */
export interface ServiceHealth {
  service: string;
  health: { url: string; last: HealthProbeResult | null; consecutiveOk: number } | null;
  /** State `MISSING` when CloudWatch has no alarm of that name, `UNKNOWN` when CloudWatch did not answer. */
  alarms: { name: string; state: string; reason: string }[];
  metric: { label: string; value: number | null } | null;
}

/** Whether a rollback's services are healthy at the end of the verification window, and if not, why. */
export interface Verdict {
  verified: boolean;
  problems: string[];
  /** One line per service, e.g. `/health 200 ×3; alarms OK`. */
  perService: Record<string, string>;
}

/** Health URL answers in a row that count as healthy, unless the window is too short for that many polls. */
const CONSECUTIVE_OK = 3;

/**
 * Polls a rollback's health signals: each service's health URL, its CloudWatch alarms (one batched
 * DescribeAlarms for all of them) and its optional metric. `poll` reports which services changed in a
 * way worth a message (health up or down, a status code, an alarm state), not every latency wobble.
 */
export class HealthMonitor {
  private readonly state = new Map<string, ServiceHealth>();
  private cloudWatchFailing = false;

  constructor(
    private readonly environment: EnvironmentSpec,
    private readonly services: ServiceSpec[],
    private readonly deps: { alarms: AlarmsPort; probe: HealthProbe; logger: Logger; now: () => number },
    private readonly probeTimeoutMs: number,
  ) {
    for (const s of services) {
      this.state.set(s.name, {
        service: s.name,
        health: s.healthCheckUrl ? { url: s.healthCheckUrl, last: null, consecutiveOk: 0 } : null,
        alarms: s.alarms.map((name) => ({ name, state: 'UNKNOWN', reason: '' })),
        metric: s.metric ? { label: s.metric.metricName, value: null } : null,
      });
    }
  }

  /** Whether any service has a signal to watch. */
  get hasSignals(): boolean {
    return this.services.some((s) => s.healthCheckUrl || s.alarms.length > 0 || s.metric);
  }

  /** The latest state of every service. */
  snapshot(): ServiceHealth[] {
    return this.services.map((s) => structuredClone(this.state.get(s.name)!));
  }

  /** Polls every signal once; returns the services whose health changed meaningfully, and notes on degradations. */
  async poll(): Promise<{ changed: string[]; notes: string[] }> {
    const changed = new Set<string>();
    const notes: string[] = [];
    const [healthChanges, alarmResult] = await Promise.all([this.probeAll(), this.readAlarms()]);
    for (const s of healthChanges) changed.add(s);
    for (const s of alarmResult.changed) changed.add(s);
    if (alarmResult.note) notes.push(alarmResult.note);
    await this.readMetrics();
    return { changed: [...changed], notes };
  }

  /** The verdict at the end of the verification window; `polls` is how many polls the window allowed. */
  verdict(polls: number): Verdict {
    const required = Math.max(1, Math.min(CONSECUTIVE_OK, polls));
    const problems: string[] = [];
    const perService: Record<string, string> = {};
    for (const s of this.services) {
      const h = this.state.get(s.name)!;
      const parts: string[] = [];
      if (h.health) {
        const last = h.health.last;
        parts.push(`${pathOf(h.health.url)} ${last?.status ?? 'no answer'} ×${h.health.consecutiveOk}`);
        if (h.health.consecutiveOk < required) {
          problems.push(`${s.name}: ${h.health.url} ${describeProbe(last)}; needs ${required} answers of 200 in a row, got ${h.health.consecutiveOk}.`);
        }
      }
      for (const alarm of h.alarms) {
        if (alarm.state === 'ALARM') problems.push(`${s.name}: alarm ${alarm.name} is in ALARM${alarm.reason ? ` (${alarm.reason})` : ''}.`);
        if (alarm.state === 'MISSING') problems.push(`${s.name}: alarm ${alarm.name} does not exist in CloudWatch (${this.environment.region}).`);
        if (alarm.state === 'UNKNOWN') problems.push(`${s.name}: the state of alarm ${alarm.name} could not be read.`);
      }
      if (h.alarms.length > 0) {
        const bad = h.alarms.filter((a) => a.state !== 'OK' && a.state !== 'INSUFFICIENT_DATA');
        parts.push(bad.length === 0 ? 'alarms OK' : `alarms: ${bad.map((a) => `${a.name} ${a.state}`).join(', ')}`);
      }
      perService[s.name] = parts.join('; ');
    }
    return { verified: problems.length === 0, problems, perService };
  }

  private async probeAll(): Promise<string[]> {
    const changed: string[] = [];
    const targets = [...this.state.values()].filter((h) => h.health);
    await mapWithConcurrency(targets, 10, async (h) => {
      const health = h.health!;
      const result = await this.deps.probe.check(health.url, this.probeTimeoutMs);
      const before = health.last;
      health.last = result;
      health.consecutiveOk = result.ok ? health.consecutiveOk + 1 : 0;
      if (!before || before.ok !== result.ok || before.status !== result.status || (!result.ok && before.error !== result.error)) changed.push(h.service);
    });
    return changed;
  }

  private async readAlarms(): Promise<{ changed: string[]; note: string | null }> {
    const names = [...new Set(this.services.flatMap((s) => s.alarms))];
    if (names.length === 0) return { changed: [], note: null };
    let found: AlarmState[];
    try {
      found = await this.deps.alarms.describeAlarms(this.environment.region, names);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.logger.warn({ err: message }, 'DescribeAlarms failed while watching');
      const first = !this.cloudWatchFailing;
      this.cloudWatchFailing = true;
      return { changed: [], note: first ? `CloudWatch is not answering (${message}); alarm states are unknown until it does.` : null };
    }
    const recovered = this.cloudWatchFailing;
    this.cloudWatchFailing = false;
    const byName = new Map(found.map((a) => [a.name, a]));
    const changed: string[] = [];
    for (const h of this.state.values()) {
      for (const alarm of h.alarms) {
        const now = byName.get(alarm.name);
        const state = now?.state ?? 'MISSING';
        if (state !== alarm.state) {
          alarm.state = state;
          changed.push(h.service);
        }
        alarm.reason = now?.reason ?? '';
      }
    }
    return { changed: [...new Set(changed)], note: recovered ? 'CloudWatch answers again.' : null };
  }

  private async readMetrics(): Promise<void> {
    const end = new Date(this.deps.now());
    await Promise.all(
      this.services.map(async (s) => {
        if (!s.metric) return;
        const h = this.state.get(s.name)!;
        const start = new Date(end.getTime() - 3 * s.metric.periodSeconds * 1000);
        try {
          h.metric = { label: s.metric.metricName, value: await this.deps.alarms.latestMetricValue(this.environment.region, s.metric, start, end) };
        } catch (err) {
          this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err), service: s.name }, 'GetMetricData failed');
        }
      }),
    );
  }
}

/** `200 in 45 ms`, `500 in 12 ms`, `timed out after 5000 ms`. */
export function describeProbe(result: HealthProbeResult | null): string {
  if (!result) return 'not asked yet';
  if (result.status === null) return result.error ?? 'no answer';
  return `${result.status} in ${Math.round(result.latencyMs)} ms`;
}

/** Config validation guarantees a parseable URL. */
function pathOf(url: string): string {
  return new URL(url).pathname || url;
}
