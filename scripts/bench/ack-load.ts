/**
 * The load generator of the ack benchmark, in a process of its own so that the simulators (busy serving the
 * work behind each ack) never delay reading an answer. Each IPC message is one burst: the requests are signed
 * here beforehand, sent at once, and the real milliseconds to each answer go back.
 */
import { LoadClient } from './load-client.js';
import { slashCommand, type SlashCommandInput } from '../../test/support/slack-requests.js';

/** One burst: `count` copies of a slash command, posted at once to `url`. */
export interface BurstRequest {
  url: string;
  count: number;
  command: SlashCommandInput;
}

/** What a burst measured, or why it could not be sent. */
export type BurstResult = { ms: number[]; statuses: number[] } | { error: string };

const clients = new Map<string, LoadClient>();

process.on('message', (burst: BurstRequest) => {
  const client = clients.get(burst.url) ?? new LoadClient(burst.url);
  clients.set(burst.url, client);
  const requests = Array.from({ length: burst.count }, () => slashCommand(burst.command));
  const reply = (result: BurstResult) => process.send?.(result);
  Promise.all(requests.map((r) => client.post(r))).then(
    (answers) => reply({ ms: answers.map((a) => a.ms), statuses: answers.map((a) => a.status) }),
    (err: unknown) => reply({ error: String(err) }),
  );
});

process.on('disconnect', () => {
  for (const client of clients.values()) client.close();
});
