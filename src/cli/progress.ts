import type { ServiceRollbackState } from '../domain/rollback-state.js';
import type { RollbackEvent, ServiceStatus } from '../rollbacks/rollback-events.js';
import { formatDuration } from '../slack/render/messages.js';
import { printable } from './text.js';

/** Where progress goes: a terminal gets lines redrawn in place, anything else plain lines as things change. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const STATE_WORDS: Record<ServiceRollbackState, string> = {
  pending: 'waiting',
  acting: 'calling ECS',
  watching: 'rolling out',
  succeeded: 'succeeded',
  failed: 'FAILED',
  timed_out: 'TIMED OUT',
  unchanged: 'already on target',
};

/**
 * Shows one rollback's progress from the engine's events: a header and one line per service.
 * On a terminal the block is redrawn in place and notes scroll above it; on a pipe each header,
 * service line or note is printed once, when it changes, prefixed with the time since the start.
 */
export class ProgressDisplay {
  private header = 'starting';
  private readonly lines = new Map<string, string>();
  private readonly printed = new Map<string, string>();
  private drawn = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly now: () => number,
    private readonly startedAt: number,
    services: string[],
  ) {
    for (const service of services) this.lines.set(service, 'waiting');
  }

  /** Feeds one event of this rollback. */
  onEvent(event: RollbackEvent): void {
    const notes: string[] = [];
    switch (event.type) {
      case 'started':
        this.header = event.resumed ? 'resumed' : 'rolling back';
        for (const s of event.services) this.lines.set(s.service, STATE_WORDS[s.state]);
        break;
      case 'service-acted':
        this.lines.set(event.service, event.action === 'stop-deployment' ? 'deployment stopped; ECS rolls it back' : 'UpdateService sent; rolling out');
        break;
      case 'progress':
        for (const s of event.services) this.lines.set(s.service, serviceLine(s));
        if (event.phase === 'verifying' && event.verify) {
          this.header = `verifying health: ${formatDuration(event.verify.elapsedMs)} of ${formatDuration(event.verify.windowMs)}`;
        }
        notes.push(...event.notes.map((n) => printable(n)));
        break;
      case 'service-done':
        this.lines.set(event.service.service, `${STATE_WORDS[event.state]} in ${formatDuration(event.durationMs)}${event.service.detail ? `: ${printable(event.service.detail)}` : ''}`);
        break;
      case 'verifying':
        this.header = `ECS reports every service stable; verifying health for ${formatDuration(event.windowMs)}`;
        break;
      case 'finished':
        this.header = event.outcome === 'succeeded' ? `finished in ${formatDuration(event.durationMs)}` : `FAILED after ${formatDuration(event.durationMs)}`;
        break;
      case 'prompt-expired':
        return;
    }
    this.show(notes);
  }

  private show(notes: string[]): void {
    const elapsed = `[${formatDuration(this.now() - this.startedAt)}]`;
    const block = [`${elapsed} ${this.header}`, ...[...this.lines].map(([service, line]) => `  ${service}: ${line}`)];
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns ?? 80) - 1);
      // Erase the block drawn last time, print the notes where it was, and draw the block below them.
      const erase = this.drawn > 0 ? `\x1b[${this.drawn}A\x1b[0J` : '';
      const fitted = block.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
      this.out.write(`${erase}${notes.map((n) => `${n}\n`).join('')}${fitted.map((l) => `${l}\n`).join('')}`);
      this.drawn = fitted.length;
      return;
    }
    const changed: string[] = notes.map((n) => `${elapsed} ${n}`);
    for (const [key, text] of [['', this.header] as const, ...[...this.lines].map(([s, l]) => [s, l] as const)]) {
      if (this.printed.get(key) === text) continue;
      this.printed.set(key, text);
      changed.push(key === '' ? `${elapsed} ${text}` : `${elapsed} ${key}: ${text}`);
    }
    if (changed.length > 0) this.out.write(`${changed.join('\n')}\n`);
  }
}

function serviceLine(s: ServiceStatus): string {
  const parts = [STATE_WORDS[s.state]];
  if (s.ecs) {
    const extra = [s.ecs.pendingCount > 0 ? `${s.ecs.pendingCount} pending` : '', s.ecs.failedTasks > 0 ? `${s.ecs.failedTasks} failed tasks` : ''].filter(Boolean);
    parts.push(`${s.ecs.taskDefinition} ${s.ecs.runningCount}/${s.ecs.desiredCount} running${extra.length > 0 ? ` (${extra.join(', ')})` : ''}${s.ecs.rolloutState ? `, ${s.ecs.rolloutState}` : ''}`);
  }
  const last = s.health?.health?.last;
  if (s.health?.health) parts.push(`health ${last ? (last.status ?? last.error ?? 'no answer') : 'not asked yet'}`);
  const alarming = s.health?.alarms.filter((a) => a.state === 'ALARM').map((a) => a.name) ?? [];
  if (s.health && s.health.alarms.length > 0) parts.push(alarming.length > 0 ? `ALARM: ${alarming.join(', ')}` : 'alarms OK');
  return parts.join(' · ');
}
