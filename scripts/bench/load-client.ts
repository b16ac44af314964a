import { Agent, request } from 'node:http';
import type { SlackRequest } from '../../test/support/slack-requests.js';

/**
 * Sends signed Slack requests over kept-alive connections with node:http: as little client work as
 * possible per request, so a latency figure is the bot's and not the load generator's (`fetch` costs
 * tens of milliseconds of the same event loop with 50 requests in flight).
 */
export class LoadClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly url: URL;

  constructor(url: string) {
    this.url = new URL(url);
  }

  /** POSTs one request; resolves with the status and the real milliseconds until the whole answer arrived. */
  post(slackRequest: SlackRequest): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          agent: this.agent,
          headers: { ...slackRequest.headers, 'content-length': Buffer.byteLength(slackRequest.body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(slackRequest.body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
