import { decideForService } from '../domain/alarm-episodes.js';
import { alarmActor, autoRollbackFor } from '../domain/alarm-targets.js';
import type { Catalog } from '../domain/catalog.js';
import type { AlarmAnnouncer, AnnouncedService } from '../ports/alarm-announcer.js';
import type { AlarmEpisode, AlarmEpisodesPort, EpisodeAction } from '../ports/alarm-episodes.js';
import type { AlarmState } from '../ports/alarms.js';
import type { Clock } from '../ports/clock.js';
import type { DeployLocksPort } from '../ports/deploy-locks.js';
import { DeploymentsError, type DeploymentsPort } from '../ports/deployments.js';
import type { Logger } from '../ports/logger.js';
import type { RollbackStore, ServiceLockHolder } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import { findLatestDeployment } from './latest-deployment.js';
import type { RequestOutcome, RollbackRequester } from './request-rollback.js';

/** What acting on alarm episodes needs. */
export interface EpisodeHandlerDeps {
  catalog: Catalog;
  episodes: AlarmEpisodesPort;
  deployments: DeploymentsPort;
  store: Pick<RollbackStore, 'listServiceLocks' | 'getRollback'>;
  /** The one entry for starting a rollback, with every policy check and the per-service rollback locks. */
  requester: Pick<RollbackRequester, 'request'>;
  announcer: AlarmAnnouncer;
  audit: AuditTrail;
  clock: Clock;
  logger: Logger;
  /** Deploy freezes; an auto-rollback never goes against one. */
  deployLocks: Pick<DeployLocksPort, 'get'>;
}

type ServiceFacts = Omit<AnnouncedService, 'action'>;

/** Acts on alarm episodes: decides and starts auto-rollbacks, announces, reports recoveries, settles incidents. */
export class AlarmEpisodeHandler {
  constructor(private readonly deps: EpisodeHandlerDeps) {}

  /**
   * Decides per service (once per episode: decisions are stored before any rollback starts), starts
   * the auto-rollbacks, then announces. Also finishes an episode whose announcement a crash cut short.
   */
  async announce(episode: AlarmEpisode, alarm: AlarmState): Promise<void> {
    const services = await this.servicesOf(episode);
    const actions = await this.act(episode, services);
    const announced = await this.deps.announcer.announce(
      episode,
      alarm,
      services.map((s, i) => ({ ...s, action: actions[i]! })),
    );
    await this.deps.episodes.saveAnnouncement(episode.id, announced.message, announced.incident, new Date(this.deps.clock.now()));
  }

  /** Ends the episode once: the recovery reply, and its incident resolved unless a rollback of its services still runs. */
  async recovered(episode: AlarmEpisode, recoveredAt: Date): Promise<void> {
    const { episodes, audit, announcer, clock } = this.deps;
    if (!(await episodes.recover(episode.id, recoveredAt))) return;
    const durationMs = recoveredAt.getTime() - episode.startedAt.getTime();
    await audit.record(alarmActor(episode.alarmName), 'alarm.episode-recovered', 'info', { detail: { episode: episode.id, region: episode.region, durationMs } });
    const running = await this.runningRollbacks(episode);
    if (await announcer.recovered(episode, recoveredAt, running)) await episodes.markIncidentResolved(episode.id, new Date(clock.now()));
  }

  /** Resolves the incidents left open at recovery whose rollbacks have ended (or whose resolve PagerDuty refused). */
  async settleLeftOpen(): Promise<void> {
    const { episodes, announcer, clock } = this.deps;
    for (const episode of await episodes.listAwaitingResolution()) {
      if ((await this.runningRollbacks(episode)).length > 0) continue;
      if (await announcer.resolveLeftOpen(episode)) await episodes.markIncidentResolved(episode.id, new Date(clock.now()));
    }
  }

  private async act(episode: AlarmEpisode, services: ServiceFacts[]): Promise<EpisodeAction[]> {
    const { catalog, store, episodes, audit, clock } = this.deps;
    const now = new Date(clock.now());
    const locks = new Map<string, ServiceLockHolder[]>();
    const actions: EpisodeAction[] = [];
    for (const { environment: envName, service, deployment } of services) {
      const environment = catalog.environments[envName]!;
      const held = locks.get(envName) ?? (await store.listServiceLocks(envName));
      locks.set(envName, held);
      const previous = episode.actions.find((a) => a.environment === envName && a.service === service);
      const decision = decideForService({
        auto: autoRollbackFor(environment.services[service]!, episode.alarmName),
        protectedEnvironment: environment.protected,
        episodeStart: episode.startedAt,
        now,
        deployment,
        deployLocked: (await this.deps.deployLocks.get(envName, service)) !== null,
        rollbackRunning: held.some((h) => h.service === service),
        alreadyActed: previous !== undefined,
      });
      if (previous && decision.kind === 'hold' && decision.why === 'already-acted') {
        actions.push(previous);
        continue;
      }
      const why = decision.kind === 'auto-rollback' ? null : decision.why;
      actions.push({ environment: envName, service, decision: decision.kind, why, rollbackId: null, outcome: null });
      await audit.record(alarmActor(episode.alarmName), 'alarm.decision', 'info', {
        environment: envName,
        service,
        detail: { episode: episode.id, decision: decision.kind, why, deployment },
      });
    }
    const fresh = actions.filter((a) => !episode.actions.includes(a));
    if (fresh.length === 0) return actions;
    // Stored before any rollback starts, so that nothing, not even a crash right after, starts a second one this episode.
    await episodes.saveActions(episode.id, actions);
    for (const action of fresh.filter((a) => a.decision === 'auto-rollback')) {
      Object.assign(action, await this.rollBack(episode, action));
      await episodes.saveActions(episode.id, actions);
    }
    return actions;
  }

  private async rollBack(episode: AlarmEpisode, action: EpisodeAction): Promise<Pick<EpisodeAction, 'rollbackId' | 'outcome'>> {
    const { catalog, requester, audit, logger } = this.deps;
    const actor = alarmActor(episode.alarmName);
    const auto = autoRollbackFor(catalog.environments[action.environment]!.services[action.service]!, episode.alarmName)!;
    const facts = { environment: action.environment, service: action.service, detail: { episode: episode.id } };
    const reason = `${episode.alarmName} went into ALARM at ${episode.startedAt.toISOString()}, within ${auto.withinMinutesOfDeploy} min of the latest deployment`;
    await audit.record(actor, 'alarm.auto-rollback', 'attempt', facts);
    let outcome: RequestOutcome;
    try {
      outcome = await requester.request(
        { kind: 'rollback', environment: action.environment, services: [action.service], allServices: false, target: null, dryRun: false, reason },
        { actor, channelId: catalog.incidentsChannel },
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.error({ err, episode: episode.id, service: action.service }, 'auto-rollback request failed');
      await audit.record(actor, 'alarm.auto-rollback', 'error', { ...facts, detail: { ...facts.detail, error: message } });
      return { rollbackId: null, outcome: `the request failed (${message})` };
    }
    const result = describeOutcome(outcome);
    await audit.record(actor, 'alarm.auto-rollback', result.rollbackId ? 'ok' : 'refused', {
      ...facts,
      rollbackId: result.rollbackId,
      detail: { ...facts.detail, outcome: outcome.kind, ...(result.outcome ? { why: result.outcome } : {}) },
    });
    return result;
  }

  private async servicesOf(episode: AlarmEpisode): Promise<ServiceFacts[]> {
    const facts: ServiceFacts[] = [];
    for (const target of episode.targets) {
      const environment = this.deps.catalog.environments[target.environment];
      const service = target.service === null ? undefined : environment?.services[target.service];
      if (!environment || !service) continue;
      try {
        const deployment = await findLatestDeployment(this.deps.deployments, environment, service);
        facts.push({ environment: environment.name, service: service.name, deployment, deploymentProblem: null });
      } catch (err) {
        if (!(err instanceof DeploymentsError)) throw err;
        this.deps.logger.warn({ err, service: service.ecsService }, 'latest deployment unknown');
        facts.push({ environment: environment.name, service: service.name, deployment: null, deploymentProblem: err.message });
      }
    }
    return facts;
  }

  /** Rollbacks running (not waiting at a prompt) on any service the episode maps to. */
  private async runningRollbacks(episode: AlarmEpisode): Promise<string[]> {
    const ids = new Set<string>();
    for (const environment of new Set(episode.targets.map((t) => t.environment))) {
      const services = new Set(episode.targets.filter((t) => t.environment === environment).map((t) => t.service));
      for (const lock of await this.deps.store.listServiceLocks(environment)) if (services.has(lock.service)) ids.add(lock.rollbackId);
    }
    const running: string[] = [];
    for (const id of ids) if ((await this.deps.store.getRollback(id))?.state === 'running') running.push(id);
    return running;
  }
}

function describeOutcome(outcome: RequestOutcome): Pick<EpisodeAction, 'rollbackId' | 'outcome'> {
  switch (outcome.kind) {
    case 'started':
      return { rollbackId: outcome.rollback.id, outcome: null };
    case 'awaiting-confirmation':
      return { rollbackId: outcome.rollback.id, outcome: 'it waits for a confirmation' };
    case 'locked':
      return { rollbackId: null, outcome: `another rollback holds the service (${outcome.heldBy.map((h) => h.rollbackId).join(', ')})` };
    case 'nothing-to-do':
      return { rollbackId: null, outcome: 'it already runs its last good revision' };
    case 'dry-run':
      return { rollbackId: null, outcome: 'only a plan was made' };
    case 'refused':
    case 'error':
      return { rollbackId: null, outcome: outcome.message };
  }
}
