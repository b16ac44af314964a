import type { Catalog } from '../domain/catalog.js';
import type { Command } from '../domain/command.js';
import { decideRequest } from '../domain/policy.js';
import type { AuditTrail } from './audit-trail.js';
import type { PromptAnswerer } from './answer-prompt.js';
import type { RequestOutcome, RollbackRequester } from './request-rollback.js';

/** A rollback asked for without buttons to press: the command line, a CI job. */
export interface UnattendedRequest {
  command: Extract<Command, { kind: 'rollback' }>;
  /** `cli:<name>`. */
  actor: string;
  /** Stands in for the confirmation button: the person typed `--yes` after reading the plan. */
  confirmed: boolean;
}

/** What became of it: the requester's outcomes, minus the prompt, plus what only a person at a prompt could give. */
export type UnattendedOutcome =
  | Exclude<RequestOutcome, { kind: 'awaiting-confirmation' }>
  /** A protected environment without `--yes` and a reason. */
  | { kind: 'needs-confirmation'; message: string }
  /** `all` in a protected environment: a second person must approve, and only Slack can ask one. */
  | { kind: 'needs-second-person'; message: string };

/**
 * Runs the same request as `/rollback` under the same policy, with `--yes` in place of the
 * confirmation button. A second person's approval has no stand-in: such requests are refused and
 * sent to Slack, because a flag typed by the requester would be the requester approving themselves.
 */
export class UnattendedRollbacks {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      requester: RollbackRequester;
      answerer: PromptAnswerer;
      audit: AuditTrail;
    },
  ) {}

  /** Plans, then starts (or, for a dry run, only plans) the rollback; expected failures come back as values. */
  async start(request: UnattendedRequest): Promise<UnattendedOutcome> {
    const { command, actor } = request;
    const environment = this.deps.catalog.environments[command.environment];
    if (!environment) return { kind: 'error', message: `Unknown environment ${command.environment}.` };
    const decision = decideRequest(environment, actor, { allServices: command.allServices, database: false, dryRun: command.dryRun });
    if (decision.allowed && decision.needsSecondApproval) {
      const message = `A rollback of every service in ${environment.name} needs a second person's approval, which the command line cannot give. Use \`/rollback ${environment.name} all\` in Slack.`;
      await this.refuse(actor, command, message);
      return { kind: 'needs-second-person', message };
    }
    if (decision.allowed && decision.needsConfirmation && (!request.confirmed || command.reason.trim() === '')) {
      const message = `${environment.name} is protected: read the plan (--dry-run), then run again with --yes and --reason "<why>".`;
      await this.refuse(actor, command, message);
      return { kind: 'needs-confirmation', message };
    }
    const outcome = await this.deps.requester.request(command, { actor, channelId: 'cli' });
    if (outcome.kind !== 'awaiting-confirmation') return outcome;
    const answer = await this.deps.answerer.answer(outcome.rollback.id, 'confirm', actor);
    switch (answer.kind) {
      case 'started':
        return { kind: 'started', rollback: answer.rollback };
      case 'refused':
        return { kind: 'refused', message: answer.message };
      default:
        return { kind: 'error', message: `The rollback ${answer.rollback.id} is ${answer.rollback.state.replace('_', ' ')} instead of running.` };
    }
  }

  private refuse(actor: string, command: UnattendedRequest['command'], why: string): Promise<void> {
    return this.deps.audit.record(actor, 'rollback.request', 'refused', {
      environment: command.environment,
      detail: { services: command.services, reason: command.reason, dryRun: command.dryRun, why },
    });
  }
}
