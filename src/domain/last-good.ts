import { parseTaskDefinitionArn } from './task-definition.js';

/** A deployment history entry as the choice needs it (a neutral copy of ECS's ServiceDeployment). */
export interface HistoryEntry {
  serviceDeploymentArn: string;
  status: string;
  sourceTaskDefinitionArns: string[];
  targetTaskDefinitionArn?: string;
}

/** What the history says a rollback should go back to, and how. */
export type LastGoodChoice =
  | { kind: 'stop-in-progress'; serviceDeploymentArn: string; target: string }
  | { kind: 'previous-successful'; target: string }
  | { kind: 'ecs-already-rolling-back'; serviceDeploymentArn: string }
  | { kind: 'unknown' };

const IN_PROGRESS = ['PENDING', 'IN_PROGRESS'];
const ECS_ROLLING_BACK = ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'];
const SUCCEEDED = ['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL'];

/**
 * Chooses the last good revision from ECS's deployment history (newest first): while the newest
 * deployment is still in progress, its source revision (stop it and roll back); otherwise the
 * target of the newest successful deployment before the one now running. A revision newer than the
 * one it would replace is never chosen: after a rollback from 14 to 13, the history still shows 14 as
 * a successful deployment, and going "back" to it would redeploy the bad release.
 */
export function chooseFromHistory(history: HistoryEntry[], currentTaskDefinitionArn: string): LastGoodChoice {
  const [latest, ...earlier] = history;
  if (!latest) return { kind: 'unknown' };
  if (ECS_ROLLING_BACK.includes(latest.status)) {
    return { kind: 'ecs-already-rolling-back', serviceDeploymentArn: latest.serviceDeploymentArn };
  }
  if (IN_PROGRESS.includes(latest.status)) {
    const deploying = latest.targetTaskDefinitionArn ?? currentTaskDefinitionArn;
    const source = latest.sourceTaskDefinitionArns.find((arn) => !sameTaskDefinition(arn, deploying) && isOlder(arn, deploying));
    if (source) return { kind: 'stop-in-progress', serviceDeploymentArn: latest.serviceDeploymentArn, target: source };
  }
  for (const entry of earlier) {
    const target = entry.targetTaskDefinitionArn;
    if (target && SUCCEEDED.includes(entry.status) && !sameTaskDefinition(target, currentTaskDefinitionArn) && isOlder(target, currentTaskDefinitionArn)) {
      return { kind: 'previous-successful', target };
    }
  }
  return { kind: 'unknown' };
}

/** Whether `candidate` is an older revision than `current`; revisions of another family are not comparable, so allowed. */
function isOlder(candidate: string, current: string): boolean {
  const a = parseTaskDefinitionArn(candidate);
  const b = parseTaskDefinitionArn(current);
  return !a || !b || a.family !== b.family || a.revision < b.revision;
}

/**
 * The fallback when ECS keeps no history: the newest ACTIVE revision of the family older than the running one.
 * Newer revisions were registered but never proven, so they are never a rollback target.
 */
export function chooseFromFamily(activeArnsNewestFirst: string[], currentTaskDefinitionArn: string): string | null {
  const current = parseTaskDefinitionArn(currentTaskDefinitionArn);
  if (!current) return null;
  for (const arn of activeArnsNewestFirst) {
    const parsed = parseTaskDefinitionArn(arn);
    if (parsed && parsed.family === current.family && parsed.revision < current.revision) return arn;
  }
  return null;
}

/** Whether two references (ARNs or `family:revision`) name the same task definition revision. */
export function sameTaskDefinition(a: string, b: string): boolean {
  const pa = parseTaskDefinitionArn(a);
  const pb = parseTaskDefinitionArn(b);
  return pa !== null && pb !== null ? pa.family === pb.family && pa.revision === pb.revision : a === b;
}
