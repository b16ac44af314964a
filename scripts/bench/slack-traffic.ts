import type { RecordedCall } from '../../test/fakes/slack/index.js';
import type { ScaledClock } from '../../test/support/scaled-clock.js';
import { peakInWindow } from './stats.js';

/** Web API methods that put something in a channel, which Slack limits to about one a second per channel. */
const CHANNEL_WRITES = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);

/** What the bot sent Slack during a run. */
export interface SlackTraffic {
  /** Every Web API call and response_url post. */
  calls: number;
  byMethod: Record<string, number>;
  /** The most channel writes in one channel in any second of simulated time. */
  peakPerChannelPerSecond: number;
  /** The shortest simulated gap between two writes to one channel, ms (Infinity with fewer than two). */
  minGapMs: number;
}

/** Counts the calls a fake Slack received and measures their pace per channel on the simulated clock. */
export function slackTraffic(calls: readonly RecordedCall[], clock: ScaledClock): SlackTraffic {
  const byMethod: Record<string, number> = {};
  const byChannel = new Map<string, number[]>();
  for (const call of calls) {
    byMethod[call.method] = (byMethod[call.method] ?? 0) + 1;
    const channel = (call.params as { channel?: unknown }).channel;
    if (!CHANNEL_WRITES.has(call.method) || typeof channel !== 'string') continue;
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), clock.simulated(call.at)]);
  }
  let peak = 0;
  let minGapMs = Number.POSITIVE_INFINITY;
  for (const instants of byChannel.values()) {
    peak = Math.max(peak, peakInWindow(instants, 1000));
    const sorted = [...instants].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) minGapMs = Math.min(minGapMs, sorted[i]! - sorted[i - 1]!);
  }
  return { calls: calls.length, byMethod, peakPerChannelPerSecond: peak, minGapMs };
}
