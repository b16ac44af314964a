import type { Clock } from '../../src/ports/clock.js';
import type { FakeSlack, RecordedCall } from '../../test/fakes/slack/index.js';
import { buttonClick, sendToBot, slashCommand } from '../../test/support/slack-requests.js';

/** A person in the simulated workspace. */
export interface SlackUser {
  id: string;
  name: string;
}

/** The people of the sample config: two requesters and the approver. */
export const USERS = {
  alice: { id: 'U0ALICE', name: 'alice' },
  bob: { id: 'U0BOB', name: 'bob' },
  carol: { id: 'U0CAROL', name: 'carol' },
} as const satisfies Record<string, SlackUser>;

/** Something a person did in Slack, stamped with simulated time. */
export interface UserAction {
  at: number;
  user: SlackUser;
  channel: string;
  kind: 'command' | 'click';
  /** The command's text, or the clicked button's label. */
  text: string;
}

/** A message with buttons, as the bot posted it. */
export interface PostedPrompt {
  channel: string;
  ts: string;
  blocks: unknown[];
}

let responseCounter = 0;

/**
 * People typing `/rollback` and clicking buttons: signed requests to the bot's HTTP receiver, exactly as
 * Slack sends them, with response URLs on the fake Slack. Keeps what they did, for the transcript.
 */
export class SlackUsers {
  readonly actions: UserAction[] = [];
  private readonly seenPrompts = new Set<string>();

  constructor(
    private readonly slack: FakeSlack,
    private readonly botUrl: string,
    private readonly clock: Clock,
  ) {}

  /** `/rollback <text>` from `user` in `channel`; resolves with the HTTP answer (the ack). */
  command(user: SlackUser, text: string, channel = 'C0OPS'): Promise<{ status: number; body: string }> {
    this.actions.push({ at: this.clock.now(), user, channel, kind: 'command', text: `/rollback ${text}` });
    const request = slashCommand({ text, userId: user.id, userName: user.name, channelId: channel, responseUrl: this.slack.responseUrl(`cmd-${++responseCounter}`) });
    return sendToBot(this.botUrl, request);
  }

  /** A click by `user` on the button `actionId` of a posted prompt. */
  click(user: SlackUser, prompt: PostedPrompt, actionId: string): Promise<{ status: number; body: string }> {
    this.actions.push({ at: this.clock.now(), user, channel: prompt.channel, kind: 'click', text: buttonLabel(prompt.blocks, actionId) ?? actionId });
    const request = buttonClick({
      message: { ts: prompt.ts, blocks: prompt.blocks },
      actionId,
      userId: user.id,
      userName: user.name,
      channelId: prompt.channel,
      responseUrl: this.slack.responseUrl(`click-${++responseCounter}`),
    });
    return sendToBot(this.botUrl, request);
  }

  /** The next message with a button `actionId` the bot posts (one not returned before), as posted. */
  async nextPrompt(actionId: string, timeoutMs = 20_000): Promise<PostedPrompt> {
    const call = await this.slack.waitFor(
      (c) => c.method === 'chat.postMessage' && c.response !== undefined && !this.seenPrompts.has(tsOf(c)) && buttonLabel(blocksOf(c), actionId) !== undefined,
      timeoutMs,
    );
    this.seenPrompts.add(tsOf(call));
    const params = call.params as { channel: string };
    return { channel: params.channel, ts: tsOf(call), blocks: structuredClone(blocksOf(call)) };
  }
}

function tsOf(call: RecordedCall): string {
  return String((call.response?.body as { ts?: string } | undefined)?.ts ?? '');
}

function blocksOf(call: RecordedCall): unknown[] {
  const blocks = (call.params as { blocks?: unknown }).blocks;
  return Array.isArray(blocks) ? blocks : [];
}

/** The label of the button `actionId` in `blocks`, if there is one. */
function buttonLabel(blocks: unknown[], actionId: string): string | undefined {
  for (const block of blocks as { elements?: unknown[]; accessory?: unknown }[]) {
    for (const element of [...(block.elements ?? []), block.accessory] as { type?: string; action_id?: string; text?: { text?: string } }[]) {
      if (element?.type === 'button' && element.action_id === actionId) return element.text?.text ?? actionId;
    }
  }
  return undefined;
}
