import type { RollbackEvent } from '../rollbacks/rollback-events.js';
import { answeredPrompt, finishedMessage } from './render/messages.js';
import type { SlackDeps } from './slack-deps.js';

/** Tells the person who asked, ephemerally, how each service ended, and rewrites prompts that expired. (The announcer tells them it started, with the thread link.) */
export function createRequesterNotifier(deps: Pick<SlackDeps, 'poster' | 'prompts'>): (event: RollbackEvent) => Promise<void> {
  return async (event) => {
    const rollback = event.rollback;
    if (!/^[UW][A-Z0-9]+$/.test(rollback.requestedBy)) return;
    const fallback = typeof rollback.meta['responseUrl'] === 'string' ? rollback.meta['responseUrl'] : undefined;
    switch (event.type) {
      case 'finished':
        // The database announcer tells the requester how a restore ended, with the new endpoint.
        if (rollback.plan.database) return;
        await deps.poster.postEphemeral(
          rollback.channelId,
          rollback.requestedBy,
          finishedMessage(rollback, event.services, event.outcome, event.durationMs),
          fallback,
        );
        return;
      case 'prompt-expired': {
        const kind = rollback.confirmedBy ? 'approve' : 'confirm';
        const prompt = await deps.prompts.getPrompt(rollback.id, kind);
        if (!prompt) return;
        const message = answeredPrompt(rollback, 'expired', null);
        if (prompt.messageTs) await deps.poster.update(prompt.channelId, prompt.messageTs, message);
        else if (prompt.responseUrl) await deps.poster.respond(prompt.responseUrl, { ...message, replace_original: true });
        return;
      }
      default:
        return;
    }
  };
}
