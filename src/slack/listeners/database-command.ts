import type { SlashCommand } from '@slack/bolt';
import type { Command } from '../../domain/command.js';
import { snapshotListMessage, snapshotStartedMessage } from '../render/database-messages.js';
import { confirmationPrompt, lockedMessage, notice, type SlackMessage } from '../render/messages.js';
import { escapeMrkdwn } from '../render/mrkdwn.js';
import type { SlackDeps } from '../slack-deps.js';

/** The database commands `handleCommand` hands over. */
export type DatabaseCommand = Extract<Command, { kind: 'db' | 'db-snapshots' | 'snapshot' }>;

/** `/rollback db … to …` (a prompt, then the confirm and approve buttons), `db … snapshots` and `snapshot …`. */
export async function handleDatabaseCommand(command: DatabaseCommand, slash: SlashCommand, deps: SlackDeps): Promise<void> {
  const who = { actor: slash.user_id, channelId: slash.channel_id, responseUrl: slash.response_url };
  if (command.kind === 'db-snapshots') {
    const listed = await deps.databaseSnapshots.list(command);
    return void (await reply(deps, slash, listed.kind === 'listed' ? snapshotListMessage(listed) : notice(`:warning: ${escapeMrkdwn(listed.message)}`)));
  }
  if (command.kind === 'snapshot') {
    const taken = await deps.databaseSnapshots.take(command, who);
    if (taken.kind === 'started') return void (await reply(deps, slash, snapshotStartedMessage(command.environment, taken.snapshot, taken.instance)));
    // A refusal names people with mentions; an error may quote RDS, whose text is escaped.
    const text = taken.kind === 'refused' ? `:no_entry: ${taken.message}` : `:warning: ${escapeMrkdwn(taken.message)}`;
    return void (await reply(deps, slash, notice(`${text} Nothing was changed.`)));
  }
  const outcome = await deps.databaseRestores.request(command, who);
  switch (outcome.kind) {
    case 'refused':
      return void (await reply(deps, slash, notice(`:no_entry: ${outcome.message} Nothing was changed.`)));
    case 'error':
      return void (await reply(deps, slash, notice(`:warning: ${escapeMrkdwn(outcome.message)} Nothing was changed.`)));
    case 'locked':
      return void (await reply(deps, slash, lockedMessage(outcome.heldBy)));
    case 'awaiting-confirmation': {
      const environment = deps.catalog.environments[outcome.rollback.environment]!;
      const message = confirmationPrompt(outcome.rollback, outcome.needsSecondApproval, environment.tunables.promptExpiryMinutes);
      let channelId = slash.channel_id;
      let messageTs: string | null = null;
      try {
        const posted = await deps.poster.postMessage(slash.channel_id, message);
        channelId = posted.channel;
        messageTs = posted.ts;
      } catch (err) {
        deps.logger.info({ err: String(err), channel: slash.channel_id }, 'prompt not postable in channel; sending it ephemerally');
        await deps.poster.respond(slash.response_url, { ...message, response_type: 'ephemeral' });
      }
      await deps.prompts.savePrompt({
        rollbackId: outcome.rollback.id,
        kind: 'confirm',
        channelId,
        messageTs,
        responseUrl: slash.response_url,
        createdAt: outcome.rollback.createdAt,
        expiresAt: outcome.rollback.expiresAt ?? new Date(deps.now()),
        answer: null,
        answeredBy: null,
        answeredAt: null,
      });
    }
  }
}

function reply(deps: SlackDeps, slash: SlashCommand, message: SlackMessage): Promise<boolean> {
  return deps.poster.postEphemeral(slash.channel_id, slash.user_id, message, slash.response_url);
}
