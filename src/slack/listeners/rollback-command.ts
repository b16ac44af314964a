import type { App, SlashCommand } from '@slack/bolt';
import { parseCommand, type Command } from '../../domain/command.js';
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

/** Registers `/rollback`: parse at once, ack with usage help or nothing, and hand the work off. */
export function registerRollbackCommand(app: App, deps: SlackDeps): void {
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

async function handleCommand(command: Exclude<Command, { kind: 'help' }>, slash: SlashCommand, deps: SlackDeps): Promise<void> {
  if (command.kind !== 'rollback') {
    const what = command.kind === 'db' ? 'Database rollbacks' : `\`/rollback ${command.kind}\``;
    await reply(deps, slash, notice(`${what} are not available in this version yet. Nothing was changed. Type \`/rollback help\` for what is.`));
    return;
  }
  const outcome = await deps.requester.request(command, { actor: slash.user_id, channelId: slash.channel_id, responseUrl: slash.response_url });
  switch (outcome.kind) {
    case 'refused':
      return void (await reply(deps, slash, notice(`:no_entry: ${outcome.message} Nothing was changed.`)));
    case 'error':
      return void (await reply(deps, slash, notice(`:warning: ${outcome.message} Nothing was changed.`)));
    case 'locked':
      return void (await reply(deps, slash, lockedMessage(outcome.heldBy)));
    case 'nothing-to-do':
      return void (await reply(deps, slash, nothingToDoMessage(outcome.plan)));
    case 'dry-run':
      return void (await reply(deps, slash, dryRunMessage(outcome.plan)));
    case 'started':
      return;
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

function reply(deps: SlackDeps, slash: SlashCommand, message: ReturnType<typeof notice>): Promise<boolean> {
  return deps.poster.postEphemeral(slash.channel_id, slash.user_id, message, slash.response_url);
}
