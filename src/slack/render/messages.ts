import { USAGE_LINES, type UsageProblem } from '../../domain/command.js';
import type { RollbackPlan } from '../../domain/plan.js';
import { plannedAwsCalls } from '../../domain/planned-calls.js';
import type { ServiceRollbackState } from '../../domain/rollback-state.js';
import { parseTaskDefinitionArn, shortName } from '../../domain/task-definition.js';
import type { RollbackRecord, ServiceLockHolder, ServiceRollbackRecord } from '../../ports/store.js';
import { escapeMrkdwn, escapeUserText, mention, plain, sections } from './mrkdwn.js';
import { contextBlock, planSummary, planText, type KnownBlock } from './plan-blocks.js';

/** A message as the poster sends it: fallback text plus optional blocks. */
export interface SlackMessage {
  text: string;
  blocks?: KnownBlock[];
}

/** Action ids of CONTRACT.md. */
export const ACTION_IDS = {
  confirm: 'rollback_confirm',
  cancel: 'rollback_cancel',
  approve: 'rollback_approve',
  offer: 'rollback_offer',
} as const;

/** The answer to a command that was not understood. */
export function usageMessage(problem: UsageProblem): SlackMessage {
  return { text: `:warning: ${escapeMrkdwn(problem.problem)}\n${escapeMrkdwn(problem.hint)}` };
}

/** `/rollback help`. */
export function helpMessage(environments: string[]): SlackMessage {
  const examples = [
    '`/rollback production api` roll api back to its last good revision',
    '`/rollback production api to 14` roll back to task definition revision 14',
    '`/rollback production api to v1.2.3 bad deploy` roll back to the revision running image tag v1.2.3, with a reason',
    '`/rollback production all --dry-run` show what rolling every service back would do, change nothing',
    '`/rollback status production` per service: what runs, what a rollback would go to, counts, rollout, alarms, locks',
    '`/rollback history production api` the latest rollbacks: who, when, from → to, outcome, duration, approver, thread',
    '`/rollback lock production api migration running` freeze deploys of api (a completed rollback does this itself)',
    '`/rollback unlock production api` lift the freeze',
    '`/rollback db production main to 2026-11-22T02:30:00Z bad migration` restore the database into a new instance as it was then (confirmation and a second person’s approval)',
    '`/rollback db production main snapshots` the recent snapshots and the point-in-time window',
    '`/rollback snapshot production main before migration 42` take a manual snapshot now',
  ];
  const text = [
    '*rollback-bot* rolls ECS services back to their last good task definition.',
    '```' + USAGE_LINES.join('\n') + '```',
    ...examples.map((e) => `• ${e}`),
    `Environments: ${environments.map(escapeMrkdwn).join(', ')}.`,
  ].join('\n');
  return { text, blocks: sections(text) };
}

/** A short ephemeral line. */
export function notice(text: string): SlackMessage {
  return { text };
}

/** The requester could not start this rollback because services are held by others. */
export function lockedMessage(heldBy: ServiceLockHolder[]): SlackMessage {
  const lines = heldBy.map((h) => `• *${escapeMrkdwn(h.service)}* is being rolled back by ${mention(h.requestedBy)} (\`${escapeMrkdwn(h.rollbackId)}\`)`);
  return { text: `:no_entry: Not started: another rollback holds these services.\n${lines.join('\n')}\nNothing was changed.` };
}

/** The plan for a dry run: what would change, and the calls a real run would make. */
export function dryRunMessage(plan: RollbackPlan): SlackMessage {
  const calls = plannedAwsCalls(plan);
  const text = [
    `*Dry run* of a rollback in *${escapeMrkdwn(plan.environment)}*: nothing was changed.`,
    planText(plan),
    calls.length > 0 ? `A real run would call:\n\`\`\`${escapeMrkdwn(calls.join('\n'))}\`\`\`` : 'A real run would change nothing.',
  ].join('\n');
  return { text, blocks: sections(text) };
}

/** Every service already runs its target. */
export function nothingToDoMessage(plan: RollbackPlan): SlackMessage {
  return { text: `:white_check_mark: Nothing to do in *${escapeMrkdwn(plan.environment)}*: already on the target.\n${planText(plan)}` };
}

/** The confirmation prompt of a protected rollback. */
export function confirmationPrompt(rollback: RollbackRecord, needsSecondApproval: boolean, expiresInMinutes: number): SlackMessage {
  const plan = rollback.plan;
  const header = `${mention(rollback.requestedBy)} asks to roll back *${escapeMrkdwn(plan.environment)}*${plan.allServices ? ' (all services)' : ''}:`;
  const reason = rollback.reason ? `*Reason:* ${escapeUserText(rollback.reason)}` : '*Reason:* _none given_';
  const small = `Rollback \`${rollback.id}\` · expires in ${expiresInMinutes} min${needsSecondApproval ? ' · needs a second person’s approval after you confirm' : ''}`;
  return {
    text: `Confirm rollback of ${plan.environment}: ${planSummary(plan)}`,
    blocks: [
      ...sections(`${header}\n${planText(plan)}\n${reason}`),
      contextBlock(small),
      {
        type: 'actions',
        block_id: 'rollback_prompt',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.confirm,
            text: plain('Roll back', 75),
            style: 'danger',
            value: rollback.id,
            confirm: {
              title: plain('Roll back production?'.replace('production', plan.environment), 100),
              text: { type: 'mrkdwn', text: truncate(`This changes ${plan.database ? 'RDS (a new instance)' : 'ECS'} in ${escapeMrkdwn(plan.environment)}: ${escapeMrkdwn(planSummary(plan))}.`, 300) },
              confirm: plain('Roll back', 30),
              deny: plain('Not yet', 30),
              style: 'danger',
            },
          },
          { type: 'button', action_id: ACTION_IDS.cancel, text: plain('Cancel', 75), value: rollback.id },
        ],
      },
    ],
  };
}

/** The second-person approval prompt (`all` in a protected environment, databases). */
export function approvalPrompt(rollback: RollbackRecord, approvers: string[] | undefined, expiresInMinutes: number): SlackMessage {
  const plan = rollback.plan;
  const who = approvers && approvers.length > 0 ? approvers.map(mention).join(', ') : 'anyone but the requester';
  const reason = rollback.reason ? `*Reason:* ${escapeUserText(rollback.reason)}` : '*Reason:* _none given_';
  return {
    text: `Approval needed: roll back ${plan.environment}: ${planSummary(plan)}`,
    blocks: [
      ...sections(
        `:rotating_light: ${mention(rollback.requestedBy)} confirmed a rollback of *${escapeMrkdwn(plan.environment)}*${plan.allServices ? ' (all services)' : ''} and needs a second person to approve it:\n${planText(plan)}\n${reason}`,
      ),
      contextBlock(`Rollback \`${rollback.id}\` · may approve: ${who} · expires in ${expiresInMinutes} min`),
      {
        type: 'actions',
        block_id: 'rollback_approval',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.approve,
            text: plain('Approve rollback', 75),
            style: 'danger',
            value: rollback.id,
            confirm: {
              title: plain('Approve this rollback?', 100),
              text: { type: 'mrkdwn', text: truncate(`It starts at once: ${escapeMrkdwn(planSummary(plan))}.`, 300) },
              confirm: plain('Approve', 30),
              deny: plain('Not yet', 30),
              style: 'danger',
            },
          },
          { type: 'button', action_id: ACTION_IDS.cancel, text: plain('Cancel', 75), value: rollback.id },
        ],
      },
    ],
  };
}

/** What a prompt turns into once answered (its buttons removed). */
export function answeredPrompt(rollback: RollbackRecord, outcome: 'confirmed' | 'awaiting-approval' | 'approved' | 'cancelled' | 'expired', by: string | null): SlackMessage {
  const plan = rollback.plan;
  const status = {
    confirmed: `:white_check_mark: Confirmed by ${by ? mention(by) : 'the requester'}: rolling back now.`,
    'awaiting-approval': `:white_check_mark: Confirmed by ${by ? mention(by) : 'the requester'}: waiting for a second person’s approval.`,
    approved: `:white_check_mark: Approved by ${by ? mention(by) : 'a second person'}: rolling back now.`,
    cancelled: `:x: Cancelled by ${by ? mention(by) : 'the requester'}. Nothing was changed.`,
    expired: ':hourglass: This prompt expired. Nothing was changed; run the command again for a fresh plan.',
  }[outcome];
  return {
    text: `${status} (${plan.environment}: ${planSummary(plan)})`,
    blocks: [...sections(`*Rollback of ${escapeMrkdwn(plan.environment)}*\n${planText(plan)}`), contextBlock(`${status} · \`${rollback.id}\``)],
  };
}

/** Ephemeral to the requester when the rollback starts. */
export function startedMessage(rollback: RollbackRecord, threadLink: string | null): SlackMessage {
  const where = threadLink ? ` Follow it in <${threadLink}|the incident thread>.` : ' I will tell you here how it ends.';
  return { text: `:rewind: Rolling back *${escapeMrkdwn(rollback.environment)}*: ${escapeMrkdwn(planSummary(rollback.plan))} (\`${rollback.id}\`).${where}` };
}

const SERVICE_ICONS: Record<ServiceRollbackState, string> = {
  pending: ':hourglass:',
  acting: ':hourglass:',
  watching: ':hourglass:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  timed_out: ':alarm_clock:',
  unchanged: ':heavy_minus_sign:',
};

/** One result line per service. */
export function serviceResultLines(services: ServiceRollbackRecord[]): string {
  return services
    .map((s) => {
      const target = parseTaskDefinitionArn(s.toTaskDefinition);
      const to = target ? shortName(target) : escapeMrkdwn(s.toTaskDefinition);
      const took = s.startedAt && s.finishedAt ? ` in ${formatDuration(s.finishedAt.getTime() - s.startedAt.getTime())}` : '';
      const what = {
        succeeded: `running \`${to}\`${took}`,
        failed: `failed${took}: ${escapeMrkdwn(s.detail ?? 'no reason given')}`,
        timed_out: `timed out${took}: ${escapeMrkdwn(s.detail ?? '')}`,
        unchanged: `already on \`${to}\``,
        pending: 'not started',
        acting: 'in progress',
        watching: 'in progress',
      }[s.state];
      return `${SERVICE_ICONS[s.state]} *${escapeMrkdwn(s.service)}* ${what}`;
    })
    .join('\n');
}

/** Ephemeral to the requester when the rollback ends. */
export function finishedMessage(rollback: RollbackRecord, services: ServiceRollbackRecord[], outcome: 'succeeded' | 'failed', durationMs: number): SlackMessage {
  const head =
    outcome === 'succeeded'
      ? `:white_check_mark: Rollback of *${escapeMrkdwn(rollback.environment)}* finished in ${formatDuration(durationMs)} (\`${rollback.id}\`).`
      : `:x: Rollback of *${escapeMrkdwn(rollback.environment)}* FAILED after ${formatDuration(durationMs)} (\`${rollback.id}\`).`;
  const text = `${head}\n${serviceResultLines(services)}`;
  return { text, blocks: sections(text) };
}

/** `2m 05s`, `45s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
