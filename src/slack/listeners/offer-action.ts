import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Catalog } from '../../domain/catalog.js';
import type { OfferValue } from '../render/alarm-views.js';
import { ACTION_IDS, notice } from '../render/messages.js';
import type { SlackDeps } from '../slack-deps.js';
import { answerRequestOutcome, type RequestOrigin } from './rollback-command.js';

/** Slack's limit on a button's value; anything longer did not come from us. */
const MAX_VALUE_LENGTH = 2000;

/**
 * Registers `rollback_offer`, the "Roll back <service>" button of an INCIDENT announcement. A click is
 * `/rollback <env> <service>` typed by the clicker where the button was: the same policy, prompt,
 * confirmation, approvals and locks. A value that does not name a configured service changes nothing.
 */
export function registerOfferAction(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.offer, async ({ ack, body, action }) => {
    const started = performance.now();
    await ack();
    deps.metrics.ackLatency.observe({ kind: 'action' }, (performance.now() - started) / 1000);
    const container = body.container as { channel_id?: string } | undefined;
    const origin: RequestOrigin = {
      channel_id: body.channel?.id ?? container?.channel_id ?? deps.catalog.incidentsChannel,
      user_id: body.user.id,
      response_url: body.response_url ?? '',
    };
    const tell = (text: string) => deps.poster.postEphemeral(origin.channel_id, origin.user_id, notice(text), origin.response_url || undefined);
    deps.tasks.run(
      'rollback-offer',
      async () => {
        const offer = parseOfferValue(action.value, deps.catalog);
        if (!offer) {
          deps.logger.info({ user: origin.user_id }, 'rollback_offer with a value naming no configured service');
          await tell(':no_entry: This button does not name a service I roll back. Nothing was changed.');
          return;
        }
        const command = {
          kind: 'rollback' as const,
          environment: offer.environment,
          services: [offer.service],
          allServices: false,
          target: null,
          dryRun: false,
          reason: 'from the INCIDENT announcement',
        };
        const outcome = await deps.requester.request(command, { actor: origin.user_id, channelId: origin.channel_id, responseUrl: origin.response_url });
        await answerRequestOutcome(outcome, origin, deps);
      },
      (id) => tell(`:warning: Something went wrong with that click (reference \`${id}\`). Nothing was changed.`),
    );
  });
}

/** The environment and service a `rollback_offer` value names, or null unless it is exactly `{"environment","service"}` of a configured service. */
export function parseOfferValue(value: unknown, catalog: Catalog): OfferValue | null {
  if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const keys = Object.keys(parsed).sort();
  if (keys.length !== 2 || keys[0] !== 'environment' || keys[1] !== 'service') return null;
  const { environment, service } = parsed as Record<string, unknown>;
  if (typeof environment !== 'string' || typeof service !== 'string') return null;
  // Own properties only: `constructor` or `__proto__` must not pass for a configured name.
  if (!Object.hasOwn(catalog.environments, environment)) return null;
  if (!Object.hasOwn(catalog.environments[environment]!.services, service)) return null;
  return { environment, service };
}
