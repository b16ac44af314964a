import type { webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SlackMessage } from './render/messages.js';

interface Job {
  coalesceKey: string | undefined;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface ChannelQueue {
  jobs: Job[];
  lastSentAt: number;
  pumping: boolean;
}

/** Where a posted message landed. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

/**
 * The one way the app writes to Slack: a queue per channel that sends at most one message per
 * `minIntervalMs` and folds queued progress updates with the same key into the newest, so a busy
 * rollback can never trip Slack's per-channel limit. Slack's 429s are retried by the WebClient
 * after `Retry-After`. Callers that must not wait (the engine) never await it.
 */
export class SlackPoster {
  private readonly queues = new Map<string, ChannelQueue>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly client: WebClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly minIntervalMs = 1000,
  ) {}

  /** chat.postMessage, optionally in a thread; a `coalesceKey` replaces a queued message with the same key. */
  postMessage(channel: string, message: SlackMessage, options: { threadTs?: string; coalesceKey?: string } = {}): Promise<PostedMessage> {
    return this.enqueue(channel, options.coalesceKey, async () => {
      const result = await this.client.chat.postMessage({
        channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return { channel: result.channel ?? channel, ts: result.ts ?? '' };
    });
  }

  /** chat.update of a message the bot posted. */
  update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    return this.enqueue(channel, `update:${ts}`, async () => {
      await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks ?? [] });
    });
  }

  /**
   * An ephemeral message to `user` in `channel`; when Slack refuses (the bot is not in that
   * channel, a DM), the command's `response_url` carries it instead. Resolves false when neither worked.
   */
  async postEphemeral(channel: string, user: string, message: SlackMessage, fallbackResponseUrl?: string): Promise<boolean> {
    try {
      await this.enqueue(channel, undefined, () =>
        this.client.chat.postEphemeral({ channel, user, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) }),
      );
      return true;
    } catch (err) {
      if (!fallbackResponseUrl) {
        this.logger.warn({ err: errorCode(err), channel }, 'ephemeral message not delivered');
        return false;
      }
      return this.respond(fallbackResponseUrl, { ...message, response_type: 'ephemeral', replace_original: false });
    }
  }

  /** POSTs to a Slack `response_url` (ephemeral replies, replacing an ephemeral prompt). */
  async respond(
    responseUrl: string,
    body: SlackMessage & { response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean },
  ): Promise<boolean> {
    const attempt = (async () => {
      try {
        const response = await fetch(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) this.logger.warn({ status: response.status }, 'response_url refused the message');
        return response.ok;
      } catch (err) {
        this.logger.warn({ err: errorCode(err) }, 'response_url unreachable');
        return false;
      }
    })();
    return this.track(attempt);
  }

  /** A link to a message, or null when Slack will not give one. */
  async permalink(channel: string, ts: string): Promise<string | null> {
    try {
      const result = await this.track(this.client.chat.getPermalink({ channel, message_ts: ts }));
      return result.permalink ?? null;
    } catch (err) {
      this.logger.warn({ err: errorCode(err), channel }, 'no permalink');
      return null;
    }
  }

  /** Resolves when everything queued so far has been sent or given up on. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private enqueue<T>(channel: string, coalesceKey: string | undefined, run: () => Promise<T>): Promise<T> {
    const queue = this.queues.get(channel) ?? { jobs: [], lastSentAt: Number.NEGATIVE_INFINITY, pumping: false };
    this.queues.set(channel, queue);
    const queued = coalesceKey ? queue.jobs.find((j) => j.coalesceKey === coalesceKey) : undefined;
    if (queued) {
      queued.run = run;
      return new Promise<T>((resolve, reject) => {
        const { resolve: prevResolve, reject: prevReject } = queued;
        queued.resolve = (v) => {
          prevResolve(v);
          resolve(v as T);
        };
        queued.reject = (e) => {
          prevReject(e);
          reject(e);
        };
      });
    }
    const promise = new Promise<T>((resolve, reject) => {
      queue.jobs.push({ coalesceKey, run, resolve: resolve as (v: unknown) => void, reject });
    });
    if (!queue.pumping) void this.track(this.pump(queue));
    return promise;
  }

  private async pump(queue: ChannelQueue): Promise<void> {
    queue.pumping = true;
    try {
      // One turn of the event loop before the first send, so that what is queued in the same turn folds into one
      // message: a poll that moves 20 services emits 20 progress events at once, and took two messages, not one.
      await new Promise((resolve) => setImmediate(resolve));
      for (let job = queue.jobs.shift(); job; job = queue.jobs.shift()) {
        const wait = queue.lastSentAt + this.minIntervalMs - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        queue.lastSentAt = this.clock.now();
        try {
          job.resolve(await job.run());
        } catch (err) {
          job.reject(err);
        }
        queue.lastSentAt = this.clock.now();
      }
    } finally {
      queue.pumping = false;
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }
}

/** Slack's error code (`not_in_channel`…) or the error's name, never the request that carried the token. */
export function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const data = (err as { data?: { error?: string } }).data;
    if (data?.error) return data.error;
    const code = (err as { code?: string }).code;
    if (code) return code;
  }
  return err instanceof Error ? err.name : 'unknown error';
}
