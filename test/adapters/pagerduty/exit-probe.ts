// Run as its own process by pdjs-timers.test.ts: fails every kind of call that can leave something behind (a
// refused connection and a hang, in both modes), then prints the results and lets the process end by itself.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createPager } from '../../../src/adapters/pagerduty/create-pager.js';
import type { Logger } from '../../../src/ports/logger.js';
import { API_TOKEN, FROM, incidentRequest, ROUTING_KEY, SERVICE_ID } from './pager-harness.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const dead = createServer();
const deadUrl = await listening(dead);
await new Promise((resolve) => dead.close(resolve));

// Accepts connections and never answers; closed once the calls are done, so only the pager could keep us alive.
const sockets = new Set<Socket>();
const hanging = createServer((socket) => sockets.add(socket));
const hangingUrl = await listening(hanging);

const results = [];
for (const url of [deadUrl, hangingUrl]) {
  for (const rest of [false, true]) {
    const pager = createPager(
      {
        routingKey: ROUTING_KEY,
        ...(rest ? { apiToken: API_TOKEN, from: FROM, serviceId: SERVICE_ID } : {}),
        apiUrl: url,
        eventsUrl: url,
        urgency: 'high',
        timeoutMs: 200,
      },
      silent,
    );
    results.push({ mode: pager.mode, result: await pager.trigger(incidentRequest()) });
  }
}
hanging.close();
for (const socket of sockets) socket.destroy();
process.stdout.write(`${JSON.stringify(results)}\n`);
