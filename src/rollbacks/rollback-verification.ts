import { sameTaskDefinition } from '../domain/last-good.js';
import { parseTaskDefinitionArn, shortName } from '../domain/task-definition.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentsPort } from '../ports/deployments.js';
import type { RollbackRecord, RollbackStore, ServiceRollbackRecord } from '../ports/store.js';
import type { HealthMonitor, Verdict } from './health-monitor.js';
import { isStable } from './service-watcher.js';

/** What verification needs from the runner. */
export interface VerificationDeps {
  store: RollbackStore;
  clock: Clock;
  deployments: DeploymentsPort;
  /** Aborts the window when the bot stops; the window resumes from the store at the next start. */
  signal: AbortSignal;
}

/**
 * After ECS reports every service stable, keeps watching for the verification window (its start is
 * stored, so a restart resumes it rather than starting over), then asks ECS once more and judges the
 * health signals. Null when there is nothing to verify (a service failed, or nothing changed).
 */
export async function verifyRollback(
  deps: VerificationDeps,
  monitor: HealthMonitor,
  rollback: RollbackRecord,
  timing: { pollMs: number; windowMs: number },
  onStart: (verify: { startedAt: number; windowMs: number }) => void,
): Promise<Verdict | null> {
  const { store, clock } = deps;
  const services = await store.getServices(rollback.id);
  if (!services.some((s) => s.state === 'succeeded') || services.some((s) => s.state !== 'succeeded' && s.state !== 'unchanged')) return null;
  const stored = await store.getRollback(rollback.id);
  const recorded = stored?.meta['verifyStartedAt'];
  const startedAt = typeof recorded === 'number' ? recorded : clock.now();
  if (typeof recorded !== 'number') await store.mergeMeta(rollback.id, { verifyStartedAt: startedAt }, new Date(clock.now()));
  onStart({ startedAt, windowMs: timing.windowMs });
  // In poll-sized steps, so time never leaps past the health polls that run beside this wait.
  const end = startedAt + timing.windowMs;
  for (let remaining = end - clock.now(); remaining > 0; remaining = end - clock.now()) {
    await clock.sleep(Math.min(remaining, timing.pollMs), deps.signal);
  }
  await monitor.poll();
  const verdict = monitor.verdict(Math.floor(timing.windowMs / timing.pollMs) + 1);
  const unstable = await recheckEcs(deps.deployments, rollback, services.filter((s) => s.state === 'succeeded'));
  return { ...verdict, verified: verdict.verified && unstable.length === 0, problems: [...unstable, ...verdict.problems] };
}

/** ECS must still report each service stable on its target at the end of the window. */
async function recheckEcs(deployments: DeploymentsPort, rollback: RollbackRecord, services: ServiceRollbackRecord[]): Promise<string[]> {
  const plans = rollback.plan.services.filter((p) => services.some((s) => s.service === p.service));
  try {
    const { services: snapshots, missing } = await deployments.describeServices(rollback.plan.region, rollback.plan.cluster, plans.map((p) => p.ecsService));
    const problems = missing.map((m) => `${m.service}: ECS no longer knows the service.`);
    for (const plan of plans) {
      const record = services.find((s) => s.service === plan.service)!;
      const snapshot = snapshots.find((s) => s.serviceName === plan.ecsService);
      if (!snapshot) continue;
      const ours = snapshot.deployments.find((d) => sameTaskDefinition(d.taskDefinitionArn, record.toTaskDefinition));
      if (!ours || !isStable(snapshot, ours)) {
        problems.push(
          `${plan.service}: ECS no longer reports it stable on ${label(record.toTaskDefinition)} (${snapshot.runningCount}/${snapshot.desiredCount} running, ${snapshot.deployments.length} deployments).`,
        );
      }
    }
    return problems;
  } catch (err) {
    return [`ECS could not be asked at the end of the verification window (${err instanceof Error ? err.message : String(err)}).`];
  }
}

function label(arn: string): string {
  const parsed = parseTaskDefinitionArn(arn);
  return parsed ? shortName(parsed) : arn;
}
