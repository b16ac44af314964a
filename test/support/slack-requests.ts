import { createHmac, randomBytes } from 'node:crypto';

/** The signing secret the tests give the bot; pass another one as `signingSecret` to forge a bad signature. */
export const TEST_SIGNING_SECRET = 'test-signing-secret-3c1f9a7e5b2d4f60';

/** A request as Slack would send it to `POST /slack/events`. */
export interface SlackRequest {
  headers: Record<string, string>;
  body: string;
}

/** How to sign a request; by default correctly, with the current time. */
export interface SigningOptions {
  /** Secret to sign with; defaults to `TEST_SIGNING_SECRET`. */
  signingSecret?: string;
  /** `X-Slack-Request-Timestamp` in epoch seconds; more than 5 minutes old makes a replay. */
  timestampSeconds?: number;
  /** Leave out `X-Slack-Signature` (the timestamp is still sent). */
  unsigned?: boolean;
  /** Headers added last, e.g. `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`. */
  headers?: Record<string, string>;
}

/** Who clicks or types, and where; each field has a default. */
export interface SlackActor {
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
}

/** A `/rollback` (or other) slash command. */
export interface SlashCommandInput extends SlackActor {
  /** Everything after the command, e.g. `production api to 41 --dry-run bad deploy`. */
  text: string;
  /** Where Slack accepts delayed answers: a fake's `responseUrl(name)`, never the real Slack. */
  responseUrl: string;
  command?: string;
}

/** The message that holds the button: a fake's stored or ephemeral message fits. */
export interface MessageWithButtons {
  ts: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  bot_id?: string;
}

/** A click on a Block Kit button. */
export interface ButtonClickInput extends SlackActor {
  message: MessageWithButtons;
  actionId: string;
  /** Whether the message was ephemeral: Slack then sends no `message`, only the container. */
  ephemeral?: boolean;
  responseUrl: string;
  /** Overrides the button's own value, e.g. to forge a click on a value that was never offered. */
  value?: string;
}

interface ButtonElement {
  type: 'button';
  action_id?: string;
  text: unknown;
  value?: string;
  style?: string;
}

const API_APP_ID = 'A0ROLLBACK';
// Slack still sends the deprecated verification token in every payload; Bolt ignores it.
const VERIFICATION_TOKEN = 'gIkuvaNzQIHg97ATvDxqgjtO';

// Shaped like Slack's: "<number>.<number>.<hex>".
function triggerId(): string {
  return `${Date.now()}.4242424242.${randomBytes(16).toString('hex')}`;
}

function actorDefaults(actor: SlackActor): Required<SlackActor> {
  return {
    userId: actor.userId ?? 'U0ALICE',
    userName: actor.userName ?? 'alice',
    channelId: actor.channelId ?? 'C0INCIDENTS',
    channelName: actor.channelName ?? 'incidents',
    teamId: actor.teamId ?? 'T0FAKE0001',
    teamDomain: actor.teamDomain ?? 'fake-workspace',
  };
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`, as Slack signs requests. */
export function slackSignature(signingSecret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

/** Wraps a form body with Slack's headers and signature. */
export function signedRequest(body: string, options: SigningOptions = {}): SlackRequest {
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
  };
  if (!options.unsigned) {
    headers['x-slack-signature'] = slackSignature(options.signingSecret ?? TEST_SIGNING_SECRET, timestamp, body);
  }
  return { headers: { ...headers, ...options.headers }, body };
}

/** A signed slash command, with the form fields Slack sends. */
export function slashCommand(input: SlashCommandInput, options: SigningOptions = {}): SlackRequest {
  const actor = actorDefaults(input);
  const form = new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: actor.teamId,
    team_domain: actor.teamDomain,
    channel_id: actor.channelId,
    channel_name: actor.channelName,
    user_id: actor.userId,
    user_name: actor.userName,
    command: input.command ?? '/rollback',
    text: input.text,
    api_app_id: API_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: triggerId(),
  });
  return signedRequest(form.toString(), options);
}

function findButton(blocks: unknown[], actionId: string): { blockId: string; button: ButtonElement } | undefined {
  for (const block of blocks as { block_id?: string; elements?: unknown[]; accessory?: unknown }[]) {
    const candidates = [...(block.elements ?? []), block.accessory];
    const button = candidates.find(
      (element): element is ButtonElement =>
        (element as ButtonElement | undefined)?.type === 'button' && (element as ButtonElement).action_id === actionId,
    );
    // Slack fills in a block_id when the sender gave none; any stable string will do here.
    if (button) return { blockId: block.block_id ?? 'generated_block_id', button };
  }
  return undefined;
}

/**
 * A signed `block_actions` payload for a click on the button `actionId` of `message`, which must be
 * there: a test cannot click what the bot never showed.
 */
export function buttonClick(input: ButtonClickInput, options: SigningOptions = {}): SlackRequest {
  const actor = actorDefaults(input);
  const found = findButton(input.message.blocks ?? [], input.actionId);
  if (!found) throw new Error(`message ${input.message.ts} has no button with action_id "${input.actionId}"`);
  const { blockId, button } = found;
  const action: Record<string, unknown> = {
    action_id: input.actionId,
    block_id: blockId,
    text: button.text,
    value: input.value ?? button.value,
    style: button.style,
    type: 'button',
    action_ts: (Date.now() / 1000).toFixed(6),
  };
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: { id: actor.userId, username: actor.userName, name: actor.userName, team_id: actor.teamId },
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: input.message.ts, channel_id: actor.channelId, is_ephemeral: input.ephemeral ?? false },
    trigger_id: triggerId(),
    team: { id: actor.teamId, domain: actor.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: actor.channelId, name: actor.channelName },
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [action],
  };
  if (!input.ephemeral) {
    const { ts, text, blocks, user, bot_id } = input.message;
    payload.message = { type: 'message', user, bot_id, text, ts, blocks, team: actor.teamId };
  }
  return signedRequest(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), options);
}

/** POSTs a request to the bot (e.g. `http://127.0.0.1:PORT/slack/events`) and returns its answer. */
export async function sendToBot(url: string, request: SlackRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, body: await response.text() };
}
