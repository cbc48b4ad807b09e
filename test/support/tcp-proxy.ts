import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a real server (PostgreSQL in the outage tests): it can stop
 * (connections refused, open ones cut, as when the database is down) and freeze (connections stay
 * open but nothing passes, as when the database process is stopped with SIGSTOP or the network
 * hangs), then start or thaw again on the same port.
 */
export class TcpProxy {
  port = 0;
  private server: Server | null = null;
  private pairs = new Set<[Socket, Socket]>();
  private frozen = false;
  private held: (() => void)[] = [];

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      // Held while frozen, passed on at the thaw: as a stopped process or a hung network would.
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (d: Buffer) => {
          if (this.frozen) this.held.push(() => to.write(d));
          else to.write(d);
        });
      forward(client, upstream);
      forward(upstream, client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Lets nothing through, in either direction, on open and new connections alike. */
  freeze(): void {
    this.frozen = true;
  }

  /** Passes on what was held, then everything again. */
  thaw(): void {
    this.frozen = false;
    const held = this.held;
    this.held = [];
    for (const f of held) f();
  }
}
