import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** Answered 2xx. */
  ok: boolean;
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
  /** How long to wait before answering each request (ms): a slow receiver. */
  delay: () => number = () => 0;
  /** Decides each request's answer when set (overrides `mode`): for a receiver that fails some requests. */
  decide: ((body: string) => ReceiverMode) | null = null;
  /** webhook-ids being answered right now, and the most that were in flight at once for one id. */
  inFlight = new Map<string, number>();
  maxConcurrentSameId = 0;
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
        const body = Buffer.concat(chunks).toString('utf8');
        const mode = this.decide ? this.decide(body) : this.mode;
        if (mode === 'hang') return; // never answers
        const id = String(req.headers['webhook-id']);
        const n = (this.inFlight.get(id) ?? 0) + 1;
        this.inFlight.set(id, n);
        this.maxConcurrentSameId = Math.max(this.maxConcurrentSameId, n);
        const answer = () => {
          this.inFlight.set(id, (this.inFlight.get(id) ?? 1) - 1);
          this.received.push({ headers: req.headers, body, at: Date.now(), ok: mode === 'ok' });
          if (mode === 'ok') res.writeHead(204).end();
          else if (mode === 'gone') res.writeHead(410).end('gone');
          else if (mode === 'redirect') res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
          else res.writeHead(500).end('boom');
        };
        const ms = this.delay();
        if (ms > 0) setTimeout(answer, ms);
        else answer();
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

  /** The requests that were answered, by webhook-id. */
  ids(): string[] {
    return this.received.map((r) => String(r.headers['webhook-id']));
  }

  /**
   * Each person's state as a receiver that follows the README's rule ends up with it: for each
   * phone, keep the 2xx-answered event with the highest `data.seq` and take `data.optin` from it.
   */
  stateByPhone(): Map<string, { seq: number; optin: string; type: string }> {
    const out = new Map<string, { seq: number; optin: string; type: string }>();
    for (const r of this.received) {
      if (!r.ok) continue;
      const e = JSON.parse(r.body) as { type: string; data: { phone: string; seq: number; optin: string } };
      const cur = out.get(e.data.phone);
      if (!cur || e.data.seq > cur.seq) out.set(e.data.phone, { seq: e.data.seq, optin: e.data.optin, type: e.type });
    }
    return out;
  }
}
