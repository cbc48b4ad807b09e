import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { createApp as createAppRecord } from '../server/services/apps.js';
import { openStore } from '../server/store/index.js';

/** A raw keep-alive connection: what was received, and whether the server closed it. */
async function open(port: number): Promise<{ s: Socket; text: () => string; closed: () => boolean }> {
  const s = connect(port, '127.0.0.1');
  let data = '';
  let closed = false;
  s.on('data', (d: Buffer) => (data += d.toString('latin1')));
  s.on('close', () => (closed = true));
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  return { s, text: () => data, closed: () => closed };
}
const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!what() && Date.now() - t0 < ms) await sleep(20);
  return Date.now() - t0;
}

describe('the HTTP server’s limits (a real server from main.ts)', () => {
  let dir: string;
  let port: number;
  let close: () => Promise<void>;
  let apiKey: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'optin-kit-limits-'));
    const databaseUrl = join(dir, 'limits.db');
    const store = openStore(databaseUrl);
    await store.migrate();
    ({ apiKey } = await createAppRecord(
      store,
      { name: 'Limits1', displayName: 'Limits', phone: '+14155550123' },
      Date.now(),
    ));
    await store.close();
    const parsed = parseConfig({
      DATABASE_URL: databaseUrl,
      PORT: '0',
      DEMO: 'off',
      WORKER: 'off',
      HTTP_HEADERS_TIMEOUT_MS: '600',
      HTTP_REQUEST_TIMEOUT_MS: '1200',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '3000',
      MAX_CONNECTIONS: '6',
    });
    assert.ok(parsed.ok);
    const running = await startServer(parsed.config, () => {});
    port = Number(new URL(running.url).port);
    close = running.close;
  });
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Should have public-server defaults, and refuse a headers time-out longer than the request’s', () => {
    const d = parseConfig({});
    assert.ok(d.ok);
    assert.deepEqual(d.config.http, {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1000,
    });
    const bad = parseConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000' });
    assert.equal(bad.ok, false);
    assert.match(
      String(!bad.ok && bad.problems[0]),
      /^HTTP_HEADERS_TIMEOUT_MS: must not be more than HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  it('Should answer the next request on a keep-alive connection after a 413 left the body unread', async () => {
    const body = '{"prefill":"' + 'x'.repeat(100 * 1024) + '"}';
    const c = await open(port);
    c.s.write(
      `PATCH /api/v1/apps/Limits1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` +
        body.slice(0, 8000),
    );
    await until(() => statuses(c.text()).length === 1, 2000);
    assert.deepEqual(statuses(c.text()), [413]);
    // The rest of the body comes later than @hono/node-server's own 500 ms clean-up would wait.
    await sleep(700);
    c.s.write(body.slice(8000));
    c.s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => statuses(c.text()).length === 2, 2000);
    assert.deepEqual(statuses(c.text()), [413, 200]);
    assert.equal(c.closed(), false);
    c.s.destroy();
  });

  it('Should close, and say so, when the unread body is larger than it drains', async () => {
    const c = await open(port);
    c.s.write(
      `PATCH /api/v1/apps/Limits1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n{"prefill":"`,
    );
    await until(c.closed, 2000);
    assert.deepEqual(statuses(c.text()), [413]);
    assert.match(c.text(), /\r\nconnection: close\r\n/i);
    assert.equal(c.closed(), true);
  });

  it('Should cut off a slow body with 408 and close the connection', async () => {
    const c = await open(port);
    const t0 = Date.now();
    c.s.write(
      'POST /o/Limits1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 1000\r\n\r\nconsent=yes&phone=%2B1415',
    );
    // A byte every 200 ms keeps the socket busy but never finishes the request.
    const drip = setInterval(() => c.s.write('5'), 200);
    await until(c.closed, 5000);
    clearInterval(drip);
    const took = Date.now() - t0;
    assert.equal(c.closed(), true);
    assert.deepEqual(statuses(c.text()), [408]);
    assert.ok(took >= 1000 && took < 3500, `cut off after ${took} ms (request time-out 1200 ms)`);
  });

  it('Should cut off headers that never end', async () => {
    const c = await open(port);
    const t0 = Date.now();
    c.s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => c.s.write('X-Slow: 1\r\n'), 150);
    await until(c.closed, 5000);
    clearInterval(drip);
    const took = Date.now() - t0;
    assert.equal(c.closed(), true);
    assert.ok(took >= 500 && took < 2500, `cut off after ${took} ms (headers time-out 600 ms)`);
  });

  it('Should close connections beyond MAX_CONNECTIONS as they arrive, and serve the others', async () => {
    const held = await Promise.all(Array.from({ length: 6 }, () => open(port)));
    await sleep(100);
    const extra = await open(port);
    await until(extra.closed, 2000);
    assert.equal(extra.closed(), true);
    assert.equal(extra.text(), '');
    const first = held[0]!;
    first.s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => statuses(first.text()).length === 1, 2000);
    assert.deepEqual(statuses(first.text()), [200]);
    for (const h of held) h.s.destroy();
  });
});
