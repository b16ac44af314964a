/** Who the fake workspace says the bot is, as `auth.test` reports it. */
export interface BotIdentity {
  teamId: string;
  teamDomain: string;
  teamName: string;
  botUserId: string;
  botId: string;
  botName: string;
  appId: string;
}

/** A message the bot posted in a channel, as currently shown (after any `chat.update`). */
export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  /** The thread's parent `ts`, on replies only. */
  thread_ts?: string;
  reply_broadcast?: boolean;
  user: string;
  bot_id: string;
  /** How many times `chat.update` changed it. */
  updates: number;
}

/** An ephemeral message: shown to one user, never stored by Slack, so it cannot be updated by the API. */
export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
}

/** A handler's outcome: the JSON to answer with, or problems that make the call a violation. */
export type MethodOutcome = { body: Record<string, unknown> } | { problems: string[] };

type Params = Record<string, unknown>;

const FIRST_TS_SECONDS = 1_700_000_000;

function optionalString(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

// Form bodies carry booleans as text.
function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1';
}

function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** The fake workspace's state and the Web API methods that act on it. */
export class Workspace {
  private readonly channels = new Map<string, SlackMessage[]>();
  private readonly ephemerals: EphemeralMessage[] = [];
  private tsCounter = 0;

  constructor(readonly identity: BotIdentity) {}

  private readonly handlers = new Map<string, (params: Params) => MethodOutcome>([
    ['auth.test', () => ({ body: this.authTest() })],
    ['chat.postMessage', (params) => this.postMessage(params)],
    ['chat.postEphemeral', (params) => this.postEphemeral(params)],
    ['chat.update', (params) => this.update(params)],
    ['chat.getPermalink', (params) => this.getPermalink(params)],
  ]);

  /** Whether the fake implements this Web API method. */
  implements(method: string): boolean {
    return this.handlers.has(method);
  }

  /** Runs an implemented method on already-checked arguments. */
  handle(method: string, params: Params): MethodOutcome {
    const handler = this.handlers.get(method);
    if (!handler) throw new Error(`${method} is not implemented by the fake`);
    return handler(params);
  }

  /** Every message in a channel, top-level and replies, in posting order. */
  messages(channel: string): SlackMessage[] {
    return this.channels.get(channel) ?? [];
  }

  /** Ephemeral messages shown so far, in posting order. */
  ephemeralMessages(): readonly EphemeralMessage[] {
    return this.ephemerals;
  }

  /** The message with this `ts` in the channel, top-level or reply. */
  find(channel: string, ts: string): SlackMessage | undefined {
    return this.messages(channel).find((message) => message.ts === ts);
  }

  // Slack's ts: seconds and microseconds, unique per channel and increasing.
  private nextTs(): string {
    const micros = ++this.tsCounter * 100;
    const seconds = FIRST_TS_SECONDS + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private authTest(): Record<string, unknown> {
    const id = this.identity;
    return {
      ok: true,
      url: `https://${id.teamDomain}.slack.com/`,
      team: id.teamName,
      user: id.botName,
      team_id: id.teamId,
      user_id: id.botUserId,
      bot_id: id.botId,
      is_enterprise_install: false,
    };
  }

  private wire(message: SlackMessage): Record<string, unknown> {
    const { channel: _channel, updates: _updates, ...shown } = message;
    return { type: 'message', app_id: this.identity.appId, team: this.identity.teamId, ...shown };
  }

  private postMessage(params: Params): MethodOutcome {
    const channel = String(params.channel);
    let threadTs = optionalString(params.thread_ts);
    if (threadTs !== undefined) {
      const parent = this.find(channel, threadTs);
      // A reply to a message that does not exist is always a bug in the caller.
      if (!parent) return { problems: [`thread_ts ${threadTs} is not a message in ${channel}`] };
      threadTs = parent.thread_ts ?? parent.ts;
    }
    const message: SlackMessage = {
      channel,
      ts: this.nextTs(),
      text: optionalString(params.text) ?? '',
      blocks: asArray(params.blocks),
      attachments: asArray(params.attachments),
      metadata: params.metadata,
      thread_ts: threadTs,
      reply_broadcast: threadTs !== undefined && isTrue(params.reply_broadcast) ? true : undefined,
      user: this.identity.botUserId,
      bot_id: this.identity.botId,
      updates: 0,
    };
    const list = this.channels.get(channel) ?? [];
    list.push(message);
    this.channels.set(channel, list);
    return { body: { ok: true, channel, ts: message.ts, message: this.wire(message) } };
  }

  private postEphemeral(params: Params): MethodOutcome {
    const message: EphemeralMessage = {
      channel: String(params.channel),
      user: String(params.user),
      ts: this.nextTs(),
      text: optionalString(params.text) ?? '',
      blocks: asArray(params.blocks),
      thread_ts: optionalString(params.thread_ts),
    };
    this.ephemerals.push(message);
    return { body: { ok: true, message_ts: message.ts } };
  }

  private update(params: Params): MethodOutcome {
    const channel = String(params.channel);
    const message = this.find(channel, String(params.ts));
    if (!message) return { body: { ok: false, error: 'message_not_found' } };
    // As documented for chat.update: new text without blocks removes the old blocks.
    if (params.blocks !== undefined) message.blocks = asArray(params.blocks);
    else if (params.text !== undefined) delete message.blocks;
    if (params.text !== undefined) message.text = String(params.text);
    if (params.attachments !== undefined) message.attachments = asArray(params.attachments);
    if (params.metadata !== undefined) message.metadata = params.metadata;
    message.updates += 1;
    const { ts, text } = message;
    return { body: { ok: true, channel, ts, text, message: this.wire(message) } };
  }

  private getPermalink(params: Params): MethodOutcome {
    const channel = String(params.channel);
    const message = this.find(channel, String(params.message_ts));
    if (!message) return { body: { ok: false, error: 'message_not_found' } };
    const base = `https://${this.identity.teamDomain}.slack.com/archives/${channel}/p${message.ts.replace('.', '')}`;
    const permalink = message.thread_ts ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}` : base;
    return { body: { ok: true, channel, permalink } };
  }
}
