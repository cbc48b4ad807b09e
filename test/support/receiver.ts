import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type ReceiverMode = 'ok' | 'fail' | 'hang' | 'gone' | 'redirect';

/**
 * A business's webhook receiver, as a real HTTP server on loopback: it can be told to answer 2xx,
 * fail with 500, hang, answer 410 Gone or redirect, and it can be stopped and started again on the
 * same port.
 */
export class Receiver {
  received: Received[] = [];
  mode: ReceiverMode = 'ok';
  port = 0;
  private server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/optin`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const mode = this.mode;
        if (mode === 'hang') return; // never answers
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        if (mode === 'ok') res.writeHead(204).end();
        else if (mode === 'gone') res.writeHead(410).end('gone');
        else if (mode === 'redirect') res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
        else res.writeHead(500).end('boom');
      });
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', () => r()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** The requests that were answered 2xx, by webhook-id. */
  ids(): string[] {
    return this.received.map((r) => String(r.headers['webhook-id']));
  }
}
