import type { App, SlashCommand } from '@slack/bolt';
import { parseCommand, type Command } from '../../domain/command.js';
import type { RequestOutcome } from '../../rollbacks/request-rollback.js';
import {
  confirmationPrompt,
  dryRunMessage,
  helpMessage,
  lockedMessage,
  nothingToDoMessage,
  notice,
  usageMessage,
} from '../render/messages.js';
import type { SlackDeps } from '../slack-deps.js';
import { handleDatabaseCommand } from './database-command.js';
import { answerOperatorCommand, isOperatorCommand, type OperatorUseCases } from './operator-commands.js';

/** What `/rollback` needs: the Slack deps plus the status, history and lock use cases. */
export type RollbackCommandDeps = SlackDeps & { operator: OperatorUseCases };

/** Registers `/rollback`: parse at once, ack with usage help or nothing, and hand the work off. */
export function registerRollbackCommand(app: App, deps: RollbackCommandDeps): void {
  app.command(/^\/rollback/, async ({ command, ack }) => {
    const started = performance.now();
    const parsed = parseCommand(command.text ?? '', deps.catalog);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', ...usageMessage(parsed.error) });
    } else if (parsed.command.kind === 'help') {
      await ack({ response_type: 'ephemeral', ...helpMessage(Object.keys(deps.catalog.environments)) });
    } else {
      await ack();
      const understood = parsed.command;
      deps.tasks.run(
        'rollback-command',
        () => handleCommand(understood, command, deps),
        (id) => reply(deps, command, notice(`:warning: Something went wrong handling that command (reference \`${id}\`). Nothing was changed.`)),
      );
    }
    deps.metrics.ackLatency.observe({ kind: 'command' }, (performance.now() - started) / 1000);
  });
}

async function handleCommand(command: Exclude<Command, { kind: 'help' }>, slash: SlashCommand, deps: RollbackCommandDeps): Promise<void> {
  if (isOperatorCommand(command)) {
    await reply(deps, slash, await answerOperatorCommand(command, slash.user_id, deps.operator));
    return;
  }
  if (command.kind === 'db' || command.kind === 'db-snapshots' || command.kind === 'snapshot') {
    await handleDatabaseCommand(command, slash, deps);
    return;
  }
  const outcome = await deps.requester.request(command, { actor: slash.user_id, channelId: slash.channel_id, responseUrl: slash.response_url });
  await answerRequestOutcome(outcome, slash, deps);
}

/** Where a rollback request was made in Slack: a slash command, or a button standing in for one. */
export type RequestOrigin = Pick<SlashCommand, 'channel_id' | 'user_id' | 'response_url'>;

/**
 * Answers a rollback request where it was made: refusals and plans ephemerally, the confirmation
 * prompt in that channel (ephemeral when the bot may not post there). Shared by `/rollback` and the
 * `rollback_offer` button, so both take the same path.
 */
export async function answerRequestOutcome(outcome: RequestOutcome, origin: RequestOrigin, deps: SlackDeps): Promise<void> {
  switch (outcome.kind) {
    case 'refused':
      return void (await reply(deps, origin, notice(`:no_entry: ${outcome.message} Nothing was changed.`)));
    case 'error':
      return void (await reply(deps, origin, notice(`:warning: ${outcome.message} Nothing was changed.`)));
    case 'locked':
      return void (await reply(deps, origin, lockedMessage(outcome.heldBy)));
    case 'nothing-to-do':
      return void (await reply(deps, origin, nothingToDoMessage(outcome.plan)));
    case 'dry-run':
      return void (await reply(deps, origin, dryRunMessage(outcome.plan)));
    case 'started':
      return;
    case 'awaiting-confirmation': {
      const environment = deps.catalog.environments[outcome.rollback.environment]!;
      const message = confirmationPrompt(outcome.rollback, outcome.needsSecondApproval, environment.tunables.promptExpiryMinutes);
      let channelId = origin.channel_id;
      let messageTs: string | null = null;
      try {
        const posted = await deps.poster.postMessage(origin.channel_id, message);
        channelId = posted.channel;
        messageTs = posted.ts;
      } catch (err) {
        deps.logger.info({ err: String(err), channel: origin.channel_id }, 'prompt not postable in channel; sending it ephemerally');
        await deps.poster.respond(origin.response_url, { ...message, response_type: 'ephemeral' });
      }
      await deps.prompts.savePrompt({
        rollbackId: outcome.rollback.id,
        kind: 'confirm',
        channelId,
        messageTs,
        responseUrl: origin.response_url,
        createdAt: outcome.rollback.createdAt,
        expiresAt: outcome.rollback.expiresAt ?? new Date(deps.now()),
        answer: null,
        answeredBy: null,
        answeredAt: null,
      });
    }
  }
}

function reply(deps: SlackDeps, origin: RequestOrigin, message: ReturnType<typeof notice>): Promise<boolean> {
  return deps.poster.postEphemeral(origin.channel_id, origin.user_id, message, origin.response_url);
}
