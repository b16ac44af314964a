import { App, SocketModeReceiver } from '@slack/bolt';
import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { ping, WebSocket } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack, type FakeSlackUrls } from './index.js';
import { silentLogger } from './silent-logger.js';

let fake: FakeSlack;
let urls: FakeSlackUrls;

beforeEach(async () => {
  fake = new FakeSlack();
  urls = await fake.start();
});

afterEach(() => fake.stop());

async function openConnection(token: string): Promise<{ ok: boolean; url?: string; error?: string }> {
  const client = new WebClient(token, { slackApiUrl: urls.apiUrl, logger: silentLogger, retryConfig: { retries: 0 } });
  return client.apps.connections.open({}).then(
    (answer) => ({ ok: true, url: String(answer.url) }),
    (error: WebAPIPlatformError) => ({ ok: false, error: error.data.error }),
  );
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.addEventListener('message', (event) => resolve(JSON.parse(String(event.data))), { once: true }));
}

function connect(url: string): { ws: WebSocket; opened: Promise<boolean> } {
  const ws = new WebSocket(url);
  const opened = new Promise<boolean>((resolve) => {
    ws.addEventListener('open', () => resolve(true), { once: true });
    ws.addEventListener('error', () => resolve(false), { once: true });
  });
  return { ws, opened };
}

describe('apps.connections.open', () => {
  it('hands a single-use WebSocket URL to the app-level token only', async () => {
    const answer = await openConnection(fake.appToken);
    expect(answer.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=[0-9a-f-]{36}&app_id=A0ROLLBACK$/);
    expect(await openConnection(fake.botToken)).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await openConnection('')).toEqual({ ok: false, error: 'not_authed' });
    expect(fake.callsTo('apps.connections.open')[0]?.headers.authorization).toBe(`Bearer ${fake.appToken}`);
  });
});

describe('the Socket Mode WebSocket', () => {
  it('says hello, answers pings, pings back, and completes the close handshake', async () => {
    const url = (await openConnection(fake.appToken)).url!;
    const { ws, opened } = connect(url);
    const hello = nextMessage(ws);
    expect(await opened).toBe(true);
    expect(await hello).toEqual({
      type: 'hello',
      num_connections: 1,
      debug_info: { host: expect.any(String), build_number: expect.any(Number), approximate_connection_time: expect.any(Number) },
      connection_info: { app_id: 'A0ROLLBACK' },
    });

    ping(ws, Buffer.from('from the client'));
    await fake.socketMode.ping();
    const [connection] = fake.socketMode.connections;
    expect(connection?.pingsReceived).toBe(1);

    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (event) => resolve(event.code), { once: true }));
    ws.close(1000);
    expect(await closed).toBe(1000);
    await expect.poll(() => connection?.closeCode).toBe(1000);
    expect(() => fake.socketMode.sendSlashCommand({ text: 'too late' })).toThrow(/no Socket Mode connection/);
  });

  it('refuses a URL used twice or never handed out', async () => {
    const url = (await openConnection(fake.appToken)).url!;
    const first = connect(url);
    expect(await first.opened).toBe(true);
    expect(await connect(url).opened).toBe(false);
    expect(await connect(url.replace(/ticket=[^&]+/, 'ticket=forged')).opened).toBe(false);
    expect(fake.socketMode.connections).toHaveLength(1);
    first.ws.close(1000);
  });
});

describe('a Bolt app in Socket Mode against the fake', () => {
  let app: App;
  let receiver: SocketModeReceiver;

  beforeEach(async () => {
    // A short client ping timeout also shortens the SDK's reconnect delay, which is a multiple of it.
    const installerOptions = { clientOptions: { slackApiUrl: urls.apiUrl } };
    receiver = new SocketModeReceiver({ appToken: fake.appToken, installerOptions, logger: silentLogger, clientPingTimeout: 300 });
    const clientOptions = { slackApiUrl: urls.apiUrl, retryConfig: { retries: 0 } };
    app = new App({ token: fake.botToken, receiver, clientOptions, logger: silentLogger, tokenVerificationEnabled: false });
    app.command('/rollback', async ({ command, ack }) => ack({ response_type: 'ephemeral', text: `Usage, not "${command.text}"` }));
    app.action('rollback_confirm', async ({ ack }) => ack());
    app.action('rollback_cancel', async ({ ack }) => ack({ text: 'an answer Slack drops' } as never));
    await app.start();
  });

  afterEach(() => app.stop());

  it('acks each envelope, with the command answer in the ack payload', async () => {
    const command = fake.socketMode.sendSlashCommand({ command: '/rollback', text: 'nonsense', user_id: 'U0ALICE', channel_id: 'C0OPS' });
    const commandAck = await fake.socketMode.waitForAck(command);
    expect(commandAck.payload).toEqual({ response_type: 'ephemeral', text: 'Usage, not "nonsense"' });
    expect(commandAck.afterMs).toBeLessThan(3_000);

    const click = fake.socketMode.sendInteractive({ type: 'block_actions', user: { id: 'U0ALICE' }, actions: [{ action_id: 'rollback_confirm', type: 'button', value: 'rb-1' }] });
    expect((await fake.socketMode.waitForAck(click)).payload).toEqual({});
    expect(fake.socketMode.envelopes.map((e) => [e.type, e.accepts_response_payload])).toEqual([
      ['slash_commands', true],
      ['interactive', false],
    ]);
    expect(fake.violations).toEqual([]);
  });

  it('records a payload on an ack that cannot carry one as a violation', async () => {
    const click = fake.socketMode.sendInteractive({ type: 'block_actions', user: { id: 'U0ALICE' }, actions: [{ action_id: 'rollback_cancel', type: 'button', value: 'rb-1' }] });
    await fake.socketMode.waitForAck(click);
    expect(fake.violations.map((v) => [v.method, v.problems])).toEqual([['socket_mode', [expect.stringContaining('accepts none')]]]);
  });

  it('sends disconnect; the app closes politely, reconnects with a new URL, and gets envelopes there', async () => {
    const first = await fake.socketMode.waitForConnection(1);
    fake.socketMode.disconnect('refresh_requested');
    const second = await fake.socketMode.waitForConnection(2);
    expect(first.closeCode).toBe(1000);
    expect(second.ticket).not.toBe(first.ticket);
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
    const ack = await fake.socketMode.waitForAck(fake.socketMode.sendSlashCommand({ command: '/rollback', text: 'again' }));
    expect(ack.connectionId).toBe(second.id);
  });
});
