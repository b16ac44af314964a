import type { types } from '@slack/bolt';

/** A Block Kit block as Slack's own types define it. */
export type KnownBlock = types.KnownBlock;
import type { RollbackPlan, ServicePlan } from '../../domain/plan.js';
import { shortName, type TaskDefinitionRef } from '../../domain/task-definition.js';
import { databasePlanSummary, databasePlanText } from './database-plan.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** `family:13` (or "a new revision of family") for a plan's target. */
export function targetLabel(target: TaskDefinitionRef): string {
  return target.arn ? shortName(target) : `new revision of ${target.family}`;
}

/** The image tags of a task definition, e.g. `v1.2.3`, or `web=v1.2.3, nginx=1.25` when containers differ. */
export function imageTags(td: TaskDefinitionRef): string {
  const tags = [...new Set(td.images.map((i) => i.tag ?? 'untagged'))];
  if (tags.length <= 1) return tags[0] ?? 'no image';
  return td.images.map((i) => `${i.container}=${i.tag ?? 'untagged'}`).join(', ');
}

/** One line per service: current → target, with image tags and what ECS will be asked to do. */
export function serviceLine(s: ServicePlan): string {
  const change = `\`${escapeMrkdwn(shortName(s.current))}\` → \`${escapeMrkdwn(targetLabel(s.target))}\``;
  const images = `(${escapeMrkdwn(imageTags(s.current))} → ${escapeMrkdwn(imageTags(s.target))})`;
  const how =
    s.action.kind === 'none'
      ? '_already running it: nothing to do_'
      : s.action.kind === 'stop-deployment'
        ? '_stops the deployment in progress and lets ECS roll it back_'
        : s.registerFrom
          ? '_registers the new revision, then updates the service_'
          : '_updates the service and forces a new deployment_';
  return `• *${escapeMrkdwn(s.service)}* ${change} ${images}\n    ${how}`;
}

/** The plan as text lines, for sections and for the notification `text`. */
export function planText(plan: RollbackPlan): string {
  if (plan.database) return databasePlanText(plan.database);
  return plan.services.map(serviceLine).join('\n');
}

/** Short summary for a notification preview: `api 14 → 13`. */
export function planSummary(plan: RollbackPlan): string {
  if (plan.database) return databasePlanSummary(plan.database);
  const changes = plan.services.filter((s) => s.action.kind !== 'none');
  const shown = changes.slice(0, 5).map((s) => `${s.service} ${s.current.revision} → ${s.target.arn ? s.target.revision : 'new'}`);
  return changes.length > 5 ? `${shown.join(', ')} and ${changes.length - 5} more` : shown.join(', ');
}

/** A context block with small print. */
export function contextBlock(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: text.length > 3000 ? `${text.slice(0, 2999)}…` : text }] };
}
