import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RollbackEvent } from '../rollbacks/rollback-events.js';

/** The Prometheus metrics the bot exports on /metrics. */
export interface BotMetrics {
  registry: Registry;
  rollbacks: Counter<'environment' | 'outcome'>;
  rollbackDuration: Histogram<'environment' | 'outcome'>;
  ackLatency: Histogram<'kind'>;
  /** Feeds rollback outcomes and durations from engine events. */
  onEvent(event: RollbackEvent): void;
}

/** A registry of its own per app, so tests and several apps in one process never collide. */
export function createMetrics(): BotMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rollback_bot_' });
  const rollbacks = new Counter({
    name: 'rollback_bot_rollbacks_total',
    help: 'Rollbacks that reached an end, by environment and outcome (succeeded, unverified, failed, expired).',
    labelNames: ['environment', 'outcome'] as const,
    registers: [registry],
  });
  const rollbackDuration = new Histogram({
    name: 'rollback_bot_rollback_duration_seconds',
    help: 'Time from a rollback starting to its end.',
    labelNames: ['environment', 'outcome'] as const,
    buckets: [30, 60, 120, 300, 600, 900, 1800, 3600],
    registers: [registry],
  });
  const ackLatency = new Histogram({
    name: 'rollback_bot_slack_ack_seconds',
    help: 'Time from a Slack request reaching a listener to its ack.',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [registry],
  });
  return {
    registry,
    rollbacks,
    rollbackDuration,
    ackLatency,
    onEvent(event) {
      if (event.type === 'finished') {
        const unverified = event.outcome === 'succeeded' && event.verification !== null && !event.verification.verified;
        const labels = { environment: event.rollback.environment, outcome: unverified ? 'unverified' : event.outcome };
        rollbacks.inc(labels);
        rollbackDuration.observe(labels, event.durationMs / 1000);
      } else if (event.type === 'prompt-expired') {
        rollbacks.inc({ environment: event.rollback.environment, outcome: 'expired' });
      }
    },
  };
}
