import type { RecordedCall } from '../../test/fakes/slack/index.js';
import type { ScaledClock } from '../../test/support/scaled-clock.js';
import type { UserAction } from '../bench/slack-users.js';

/** Who and where the ids of the simulated workspace stand for. */
export interface Directory {
  users: Record<string, string>;
  channels: Record<string, string>;
}

interface Entry {
  at: number;
  where: string;
  who: string;
  lines: string[];
}

interface Block {
  type?: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { type?: string; text?: string | { text?: string }; alt_text?: string }[];
  accessory?: { type?: string; text?: { text?: string } };
}

const INDENT = '          ';
const TRANSCRIBED = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url']);

/**
 * The conversation as the people in it saw it, in order of simulated time: what they typed and
 * clicked, each message the bot posted, edited or showed to one person, and thread replies under
 * the message they belong to.
 */
export function renderTranscript(actions: UserAction[], calls: RecordedCall[], clock: ScaledClock, directory: Directory): string {
  const posted = new Map<string, number>();
  for (const call of calls) {
    const ts = (call.response?.body as { ts?: string } | undefined)?.ts;
    if (call.method === 'chat.postMessage' && ts) posted.set(ts, clock.simulated(call.at));
  }
  const user = (id: string) => directory.users[id] ?? id;
  const channel = (id: string) => `#${directory.channels[id] ?? id}`;
  const entries: Entry[] = actions.map((a) => ({
    at: a.at,
    where: channel(a.channel),
    who: a.user.name,
    lines: [a.kind === 'command' ? a.text : `clicks [ ${a.text} ]`],
  }));
  for (const call of calls) {
    if (!TRANSCRIBED.has(call.method) || (call.response?.status ?? 0) !== 200) continue;
    const params = call.params as { channel?: string; user?: string; thread_ts?: string; ts?: string; replace_original?: boolean; response_type?: string };
    const at = clock.simulated(call.at);
    const body = messageLines(call.params).map((line) => tidy(line, directory));
    const thread = params.thread_ts ? ` › thread of ${clockTime(posted.get(params.thread_ts) ?? at)}` : '';
    const where = params.channel ? `${channel(params.channel)}${thread}` : 'reply to a command';
    switch (call.method) {
      case 'chat.postMessage':
        entries.push({ at, where, who: 'rollback-bot', lines: body });
        break;
      case 'chat.update':
        entries.push({ at, where, who: `rollback-bot edits its message of ${clockTime(posted.get(params.ts ?? '') ?? at)}`, lines: body });
        break;
      case 'chat.postEphemeral':
        entries.push({ at, where, who: `rollback-bot, only visible to ${user(params.user ?? '')}`, lines: body });
        break;
      default:
        entries.push({ at, where, who: params.replace_original ? 'rollback-bot replaces its reply' : 'rollback-bot, only visible to you', lines: body });
    }
  }
  entries.sort((a, b) => a.at - b.at);
  return entries.map((e) => [`${clockTime(e.at)}  ${e.where} · ${e.who}`, ...e.lines.map((l) => `${INDENT}${l}`)].join('\n')).join('\n\n');
}

/** A message's blocks as the lines a reader sees, or its text when it has none. */
function messageLines(params: Record<string, unknown>): string[] {
  const blocks = Array.isArray(params['blocks']) ? (params['blocks'] as Block[]) : [];
  if (blocks.length === 0) return String(params['text'] ?? '').split('\n');
  const lines: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
      case 'section': {
        if (block.text?.text) lines.push(...block.text.text.split('\n'));
        if (block.fields) lines.push(block.fields.map((f) => (f.text ?? '').replaceAll('\n', ' ')).join('  ·  '));
        if (block.accessory?.type === 'button') lines.push(`[ ${block.accessory.text?.text ?? ''} ]`);
        break;
      }
      case 'context':
        lines.push((block.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : (e.alt_text ?? ''))).join('  ·  '));
        break;
      case 'actions':
        lines.push((block.elements ?? []).filter((e) => e.type === 'button').map((e) => `[ ${typeof e.text === 'object' ? (e.text.text ?? '') : ''} ]`).join('  '));
        break;
      case 'divider':
        lines.push('────────');
        break;
      default:
        break;
    }
  }
  return lines.filter((line) => line.trim() !== '');
}

/** Slack's markup as a person reads it: mentions by name, links by label, entities decoded. */
function tidy(line: string, directory: Directory): string {
  return line
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${directory.users[id] ?? id}`)
    .replace(/<#([A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `#${directory.channels[id] ?? id}`)
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** `14:02:07`, UTC. */
function clockTime(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}
