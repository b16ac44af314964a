import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { AnswerOutcome, PromptAnswer } from '../../rollbacks/answer-prompt.js';
import type { RollbackRecord } from '../../ports/store.js';
import { ACTION_IDS, answeredPrompt, approvalPrompt, notice, type SlackMessage } from '../render/messages.js';
import type { SlackDeps } from '../slack-deps.js';

const ANSWERS: Record<string, PromptAnswer> = {
  [ACTION_IDS.confirm]: 'confirm',
  [ACTION_IDS.cancel]: 'cancel',
  [ACTION_IDS.approve]: 'approve',
};
const ROLLBACK_ID = /^rb-\d{12}-[0-9a-f]{6}$/;

/** Where the clicked prompt lives, so it can be rewritten once answered. */
interface ClickedPrompt {
  channelId: string | null;
  messageTs: string | null;
  ephemeral: boolean;
  responseUrl: string | null;
}

/** Registers the prompt buttons, and a catch-all that refuses buttons this version does not know. */
export function registerPromptActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(/^rollback_(confirm|cancel|approve)$/, async ({ ack, body, action }) => {
    const started = performance.now();
    await ack();
    deps.metrics.ackLatency.observe({ kind: 'action' }, (performance.now() - started) / 1000);
    const user = body.user.id;
    const clicked = clickedPrompt(body);
    const answer = ANSWERS[action.action_id]!;
    deps.tasks.run(
      'prompt-answer',
      async () => {
        const value = typeof action.value === 'string' ? action.value : '';
        if (!ROLLBACK_ID.test(value)) {
          await tell(deps, clicked, user, notice(':no_entry: This button does not name a rollback. Nothing was changed.'));
          return;
        }
        const outcome = await deps.answerer.answer(value, answer, user);
        await render(deps, outcome, clicked, user);
      },
      (id) => tell(deps, clicked, user, notice(`:warning: Something went wrong with that click (reference \`${id}\`).`)),
    );
  });

  // rollback_offer has its own listener (offer-action.ts).
  app.action<BlockAction>(/^(?!rollback_(confirm|cancel|approve|offer)$).*/, async ({ ack, body }) => {
    await ack();
    if (body.type !== 'block_actions') return;
    const clicked = clickedPrompt(body);
    deps.tasks.run(
      'unknown-action',
      () => tell(deps, clicked, body.user.id, notice(':no_entry: This button is not one I can act on in this version. Nothing was changed.')).then(() => undefined),
      () => Promise.resolve(),
    );
  });
}

async function render(deps: SlackDeps, outcome: AnswerOutcome, clicked: ClickedPrompt, user: string): Promise<void> {
  switch (outcome.kind) {
    case 'refused':
      await tell(deps, clicked, user, notice(`:no_entry: ${outcome.message}`));
      return;
    case 'expired':
      await rewrite(deps, clicked, outcome.rollback, answeredPrompt(outcome.rollback, 'expired', null));
      await tell(deps, clicked, user, notice(':hourglass: That prompt expired; nothing was changed. Run the command again for a fresh plan.'));
      return;
    case 'cancelled':
      await rewrite(deps, clicked, outcome.rollback, answeredPrompt(outcome.rollback, 'cancelled', user));
      return;
    case 'started':
      await rewrite(deps, clicked, outcome.rollback, answeredPrompt(outcome.rollback, outcome.rollback.approvedBy ? 'approved' : 'confirmed', user));
      return;
    case 'awaiting-approval':
      await rewrite(deps, clicked, outcome.rollback, answeredPrompt(outcome.rollback, 'awaiting-approval', user));
      await postApprovalPrompt(deps, outcome.rollback, clicked);
  }
}

/** Posts the approval prompt where the request was made, or in the incidents channel when the bot cannot post there. */
async function postApprovalPrompt(deps: SlackDeps, rollback: RollbackRecord, clicked: ClickedPrompt): Promise<void> {
  const environment = deps.catalog.environments[rollback.environment]!;
  const message = approvalPrompt(rollback, environment.approvers, environment.tunables.promptExpiryMinutes);
  const candidates = [...new Set([rollback.channelId, deps.catalog.incidentsChannel])];
  for (const channel of candidates) {
    try {
      const posted = await deps.poster.postMessage(channel, message);
      await deps.prompts.savePrompt({
        rollbackId: rollback.id,
        kind: 'approve',
        channelId: posted.channel,
        messageTs: posted.ts,
        responseUrl: clicked.responseUrl,
        createdAt: new Date(deps.now()),
        expiresAt: rollback.expiresAt ?? new Date(deps.now()),
        answer: null,
        answeredBy: null,
        answeredAt: null,
      });
      return;
    } catch (err) {
      deps.logger.warn({ err: String(err), channel }, 'approval prompt not posted; trying the next channel');
    }
  }
  await deps.poster.postEphemeral(rollback.channelId, rollback.requestedBy, notice(':warning: I could not post the approval prompt anywhere; invite me to the channel and run the command again.'));
}

async function rewrite(deps: SlackDeps, clicked: ClickedPrompt, rollback: RollbackRecord, message: SlackMessage): Promise<void> {
  if (!clicked.ephemeral && clicked.channelId && clicked.messageTs) {
    try {
      await deps.poster.update(clicked.channelId, clicked.messageTs, message);
      return;
    } catch (err) {
      deps.logger.warn({ err: String(err), rollbackId: rollback.id }, 'prompt not updatable; replacing it through response_url');
    }
  }
  if (clicked.responseUrl) await deps.poster.respond(clicked.responseUrl, { ...message, replace_original: true });
}

function tell(deps: SlackDeps, clicked: ClickedPrompt, user: string, message: SlackMessage): Promise<boolean> {
  if (clicked.channelId) return deps.poster.postEphemeral(clicked.channelId, user, message, clicked.responseUrl ?? undefined);
  return clicked.responseUrl ? deps.poster.respond(clicked.responseUrl, { ...message, response_type: 'ephemeral', replace_original: false }) : Promise.resolve(false);
}

function clickedPrompt(body: BlockAction): ClickedPrompt {
  const container = body.container as { channel_id?: string; message_ts?: string; is_ephemeral?: boolean } | undefined;
  return {
    channelId: body.channel?.id ?? container?.channel_id ?? null,
    messageTs: body.message?.ts ?? container?.message_ts ?? null,
    ephemeral: container?.is_ephemeral === true,
    responseUrl: body.response_url ?? null,
  };
}
