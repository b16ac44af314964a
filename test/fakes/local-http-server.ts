import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The lifecycle every fake HTTP service shares: listens on 127.0.0.1 (an ephemeral port the first time, the same
 * port on later starts, so clients find it again), and stops by cutting whatever is still open.
 */
export abstract class LocalHttpServer {
  private readonly server: Server;
  private port = 0;

  /**
   * `name` is the fake's name in the error `url` throws before a start; `onError` answers when `handle` rejects, by
   * default cutting the connection, since a client that went away mid-body has nobody left to answer.
   */
  protected constructor(
    private readonly name: string,
    onError: (res: ServerResponse, error: unknown) => void = (res) => res.destroy(),
  ) {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: unknown) => onError(res, error)));
  }

  /** `http://127.0.0.1:PORT`, kept after a stop. */
  get url(): string {
    if (this.port === 0) throw new Error(`${this.name} is not started`);
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on 127.0.0.1; resolves to the URL. */
  async start(): Promise<string> {
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  /** Closes the server, cutting any request left hanging or answer still streaming. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Whether new connections are accepted now. */
  protected get listening(): boolean {
    return this.server.listening;
  }

  /** Answers one request. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}
