import { randomBytes } from 'node:crypto';
import { observeAlarm } from '../domain/alarm-episodes.js';
import { alarmActor, alarmTargets, alarmWatchLists } from '../domain/alarm-targets.js';
import type { Catalog } from '../domain/catalog.js';
import type { AlarmEpisode, AlarmEpisodesPort } from '../ports/alarm-episodes.js';
import { AlarmsError, type AlarmsPort, type AlarmState } from '../ports/alarms.js';
import type { Clock } from '../ports/clock.js';
import type { LeasesPort } from '../ports/leases.js';
import type { Logger } from '../ports/logger.js';
import type { AlarmEpisodeHandler } from './alarm-episode-handler.js';
import type { AuditTrail } from './audit-trail.js';

/** The lease that makes one replica the watcher. */
export const ALARM_WATCHER_LEASE = 'alarm-watcher';

/** What the watcher needs. */
export interface AlarmWatcherDeps {
  catalog: Catalog;
  alarms: AlarmsPort;
  episodes: AlarmEpisodesPort;
  leases: LeasesPort;
  handler: Pick<AlarmEpisodeHandler, 'announce' | 'recovered' | 'settleLeftOpen'>;
  audit: AuditTrail;
  clock: Clock;
  logger: Logger;
  /** Names this replica among those sharing the store. */
  holder: string;
  pollMs: number;
}

/** An alarm as one poll read it, with its region. */
interface Observed {
  region: string;
  alarm: AlarmState;
}

/**
 * Polls the configured alarms and acts on their moves into and out of ALARM. Every replica runs one,
 * but only the holder of the `alarm-watcher` lease polls: it renews the lease each poll, and when it
 * stops renewing (stopped, crashed, cut off) another replica takes over after three polls. Episodes
 * live in the store, so neither a restart nor a takeover announces one twice.
 */
export class AlarmWatcher {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private holding = false;

  constructor(private readonly deps: AlarmWatcherDeps) {}

  /** Starts polling on the engine's clock; a second call does nothing. */
  start(): void {
    this.loop ??= this.run(this.stopping.signal);
  }

  /** Stops after the poll under way (waiting at most `timeoutMs`) and hands the lease back, so another replica takes over at once. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping.abort(new Error('alarm watcher stopping'));
    if (this.loop) await Promise.race([this.loop, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    if (this.holding) await this.deps.leases.release(ALARM_WATCHER_LEASE, this.deps.holder);
    this.holding = false;
  }

  /**
   * One poll: take or renew the lease, then, as its holder, read every alarm and act on what changed,
   * renewing the lease every poll interval meanwhile so a slow poll never lets a second replica in.
   * Resolves to whether it held the lease.
   */
  async pollOnce(): Promise<boolean> {
    if (!(await this.renew())) return false;
    const done = new AbortController();
    const lost = new AbortController();
    const heartbeat = (async () => {
      for (;;) {
        try {
          await this.deps.clock.sleep(this.deps.pollMs, done.signal);
        } catch (err) {
          if (done.signal.aborted) return;
          throw err;
        }
        if (!(await this.renew())) return lost.abort(new Error('alarm watcher lease lost'));
      }
    })();
    try {
      await this.watch(AbortSignal.any([this.stopping.signal, lost.signal]));
    } finally {
      done.abort(new Error('poll over'));
      await heartbeat;
    }
    return this.holding;
  }

  private async renew(): Promise<boolean> {
    const { leases, holder, clock, pollMs, logger } = this.deps;
    const held = await leases.acquire(ALARM_WATCHER_LEASE, holder, new Date(clock.now()), 3 * pollMs);
    if (held !== this.holding) logger.info({ holder }, held ? 'alarm watcher lease taken: this replica watches alarms' : 'alarm watcher lease lost');
    this.holding = held;
    return held;
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const open = new Map((await this.deps.episodes.listOpen()).map((e) => [key(e.region, e.alarmName), e]));
    for (const observed of await this.readAlarms()) {
      if (signal.aborted) return;
      try {
        await this.handle(observed, open.get(key(observed.region, observed.alarm.name)) ?? null);
      } catch (err) {
        this.deps.logger.error({ err, alarm: observed.alarm.name, region: observed.region }, 'alarm not handled; trying again next poll');
      }
    }
    if (!signal.aborted) await this.deps.handler.settleLeftOpen();
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { clock, pollMs, logger } = this.deps;
    while (!signal.aborted) {
      try {
        await this.pollOnce();
      } catch (err) {
        logger.error({ err }, 'alarm poll failed; trying again next poll');
      }
      try {
        await clock.sleep(pollMs, signal);
      } catch (err) {
        if (!signal.aborted) throw err;
      }
    }
  }

  private async handle({ region, alarm }: Observed, episode: AlarmEpisode | null): Promise<void> {
    const { episodes, handler, audit, clock } = this.deps;
    const seen = observeAlarm(episode, alarm);
    switch (seen.kind) {
      case 'quiet':
        return;
      case 'recovered':
        await handler.recovered(episode!, seen.recoveredAt);
        return;
      case 'continuing':
        // Opened, but the announcement never went out (a crash in between): finish it.
        if (!episode!.announcedAt) await handler.announce(episode!, alarm);
        return;
      case 'started': {
        const targets = alarmTargets(this.deps.catalog, region, alarm.name);
        if (targets.length === 0) return;
        const fresh = { id: newEpisodeId(seen.startedAt), region, alarmName: alarm.name, startedAt: seen.startedAt, targets };
        if (!(await episodes.open(fresh, new Date(clock.now())))) return;
        await audit.record(alarmActor(alarm.name), 'alarm.episode-started', 'info', {
          ...(targets[0] ? { environment: targets[0].environment } : {}),
          detail: { episode: fresh.id, region, startedAt: seen.startedAt.toISOString(), targets },
        });
        await handler.announce({ ...fresh, actions: [], announcement: null, announcedAt: null, incident: null, recoveredAt: null, incidentResolvedAt: null }, alarm);
        return;
      }
    }
  }

  // A region or prefix CloudWatch will not answer for is left out of this poll: its alarms neither start nor end episodes.
  private async readAlarms(): Promise<Observed[]> {
    const { alarms, logger } = this.deps;
    const seen = new Map<string, Observed>();
    for (const { region, names, prefixes } of alarmWatchLists(this.deps.catalog)) {
      const reads = [
        ...(names.length > 0 ? [() => alarms.describeAlarms(region, names)] : []),
        ...prefixes.map((prefix) => () => alarms.describeAlarmsWithPrefix(region, prefix)),
      ];
      for (const read of reads) {
        try {
          for (const alarm of await read()) seen.set(key(region, alarm.name), { region, alarm });
        } catch (err) {
          if (!(err instanceof AlarmsError)) throw err;
          logger.warn({ err, region, code: err.code }, 'CloudWatch did not answer; these alarms wait for the next poll');
        }
      }
    }
    return [...seen.values()];
  }
}

function key(region: string, alarmName: string): string {
  return `${region}\u0000${alarmName}`;
}

/** `ep-<yyyymmddhhmm>-<6 hex>`, like rollback ids. */
function newEpisodeId(startedAt: Date): string {
  return `ep-${startedAt.toISOString().replace(/[-:T]/g, '').slice(0, 12)}-${randomBytes(3).toString('hex')}`;
}
