/**
 * The business API at scale: a million users in SQLite (and BENCH_PG_USERS, default 100,000, in
 * PostgreSQL when it answers). Prints the p95 of filtered users pages, the time and peak RSS of the
 * full CSV export (a fresh server process, so its peak is the export's), and webhook deliveries per
 * second from the outbox worker to a local receiver.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { systemClock } from '../core/clock.js';
import { testConfig } from '../server/config.js';
import { deliverMessage } from '../server/delivery/messages.js';
import { deliverEvent } from '../server/delivery/user-events.js';
import { OutboxWorker } from '../server/delivery/worker.js';
import { createApp as createAppRecord, updateApp } from '../server/services/apps.js';
import { appByName } from '../server/store/apps.js';
import { openStore, type Store } from '../server/store/index.js';
import { enqueueUserEvent } from '../server/store/ledger.js';

const root = join(import.meta.dirname, '..');
const ADMIN = 'bench-admin-token-0123456789';
const VIAS = ['qr', 'url', 'widget', 'first_message', 'sms', 'api'];
const OPTINS = ['opted_in', 'opted_in', 'opted_in', 'opted_out', 'none'];

function user(i: number, now: number): (string | number | null)[] {
  const created = now - 90 * 86_400_000 + i * 7;
  // One in fifty was active in the last day.
  const last = i % 50 === 0 ? now - (i % 7) * 3_600_000 : i % 3 === 0 ? now - 10 * 86_400_000 : null;
  return [
    String(14_000_000_000 + i),
    OPTINS[i % OPTINS.length]!,
    VIAS[i % VIAS.length]!,
    i % 4 === 0 ? 1 : 0,
    created,
    last,
    created,
    created,
  ];
}

async function seedSqlite(file: string, n: number): Promise<void> {
  const store = openStore(file);
  await store.migrate();
  const { app } = await createAppRecord(store, { name: 'bench', displayName: 'Bench' }, Date.now());
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // seeding only
  const ins = db.prepare(
    'INSERT INTO users (app_id, phone, optin, via, verified, optin_at, last_inbound_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < n; i++) ins.run(app.id, ...user(i, now));
  })();
  db.exec('ANALYZE');
  db.close();
}

async function seedPg(url: string, n: number): Promise<void> {
  const store = openStore(url);
  await store.migrate();
  const { app } = await createAppRecord(store, { name: 'bench', displayName: 'Bench' }, Date.now());
  await store.close();
  const { connectionString, schema } = (await import('../server/store/pg-driver.js')).parsePgUrl(url);
  const client = new pg.Client({ connectionString, options: `-c search_path=${schema}` });
  await client.connect();
  const now = Date.now();
  for (let start = 0; start < n; start += 2000) {
    const rows: (string | number | null)[] = [];
    const values: string[] = [];
    for (let i = start; i < Math.min(n, start + 2000); i++) {
      const u = [app.id, ...user(i, now)];
      values.push(`(${u.map((_, k) => `$${rows.length + k + 1}`).join(',')})`);
      rows.push(...u);
    }
    await client.query(
      `INSERT INTO users (app_id, phone, optin, via, verified, optin_at, last_inbound_at, created_at, updated_at) VALUES ${values.join(',')}`,
      rows,
    );
  }
  await client.query('ANALYZE users');
  await client.end();
}

async function withServer<T>(databaseUrl: string, fn: (base: string, pid: number) => Promise<T>): Promise<T> {
  const port = 19000 + Math.floor(Math.random() * 1000);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/main.ts')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ADMIN_TOKEN: ADMIN,
      DEMO: 'off',
      WORKER: 'off',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  try {
    return await fn(`http://127.0.0.1:${port}`, child.pid!);
  } finally {
    child.kill('SIGTERM');
  }
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function pages(base: string): Promise<Record<string, number>> {
  const auth = { authorization: `Bearer ${ADMIN}` };
  const out: Record<string, number> = {};
  for (const q of ['optin=opted_in&via=qr', 'activity=active', 'optin=opted_out&activity=inactive', 'via=sms']) {
    const times: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 120; i++) {
      const t = performance.now();
      const res = await fetch(`${base}/api/v1/apps/bench/users?${q}&limit=50${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: auth,
      });
      const body = (await res.json()) as { next: string | null };
      times.push(performance.now() - t);
      cursor = body.next;
      if (!cursor) cursor = null;
    }
    out[q] = p95(times.slice(10));
  }
  return out;
}

async function exportAll(
  base: string,
  pid: number,
): Promise<{ rows: number; seconds: number; peakRssMb: number; mb: number }> {
  const t = performance.now();
  const res = await fetch(`${base}/api/v1/apps/bench/users.csv`, { headers: { authorization: `Bearer ${ADMIN}` } });
  let bytes = 0;
  let rows = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) rows++;
  }
  const seconds = (performance.now() - t) / 1000;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { rows: rows - 1, seconds, peakRssMb: Number(hwm ?? 0) / 1024, mb: bytes / 1e6 };
}

async function webhookRate(store: Store, n: number): Promise<{ perSecond: number; delivered: number }> {
  let delivered = 0;
  const rx = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hook`;
  const app = (await store.read(appByName, 'bench'))!;
  await updateApp(store, app, { settings: { callbackUrl: url } }, Date.now());
  const now = Date.now();
  for (let start = 0; start < n; start += 500) {
    await store.transact(function* () {
      for (let i = start; i < Math.min(n, start + 500); i++) {
        yield* enqueueUserEvent(
          { id: app.id, name: 'bench', settings: { callbackUrl: url, unverifiedCountsAsOptin: true } },
          `evt_${randomUUID()}`,
          'opted-in',
          { phone: String(14_000_000_000 + i), optin: 'opted_in', via: 'qr', verified: false, flagged: false },
          { via: 'qr' },
          now,
        );
      }
    });
  }
  const worker = new OutboxWorker(
    { store, clock: systemClock, config: testConfig({ allowPrivateCallbacks: true }) },
    { event: deliverEvent, message: deliverMessage },
    { batch: 200, concurrency: 32 },
  );
  const t = performance.now();
  await worker.drain(10_000);
  const seconds = (performance.now() - t) / 1000;
  rx.close();
  return { perSecond: delivered / seconds, delivered };
}

export async function benchUsers(log: (s: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'optin-bench-users-'));
  try {
    const n = Number(process.env.BENCH_USERS ?? 1_000_000);
    const file = join(dir, 'users.db');
    let t = performance.now();
    await seedSqlite(file, n);
    log(
      `\nThe business API with ${n.toLocaleString('en')} users in SQLite (seeded in ${((performance.now() - t) / 1000).toFixed(1)} s):`,
    );
    const pageTimes = await withServer(file, (base) => pages(base));
    for (const [q, ms] of Object.entries(pageTimes))
      log(`  ${ms <= 10 ? 'ok  ' : 'MISS'} users page ?${q.padEnd(34)} p95 ${ms.toFixed(1)} ms (target <= 10 ms)`);
    const ex = await withServer(file, (base, pid) => exportAll(base, pid));
    log(
      `  ${ex.seconds < 10 && ex.peakRssMb < 200 ? 'ok  ' : 'MISS'} CSV export: ${ex.rows.toLocaleString('en')} rows, ${ex.mb.toFixed(0)} MB in ${ex.seconds.toFixed(1)} s, server peak RSS ${ex.peakRssMb.toFixed(0)} MB (target < 10 s, < 200 MB)`,
    );
    const store = openStore(file);
    const events = Number(process.env.BENCH_EVENTS ?? 5000);
    const wh = await webhookRate(store, events);
    await store.close();
    log(
      `  ${wh.perSecond >= 1000 ? 'ok  ' : 'MISS'} webhook deliveries: ${wh.delivered} in ${(wh.delivered / wh.perSecond).toFixed(1)} s = ${wh.perSecond.toFixed(0)}/s to a loopback receiver (target: not the bottleneck below 1,000/s)`,
    );

    const pgUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const pgN = Number(process.env.BENCH_PG_USERS ?? 100_000);
    const schema = `bench_${Date.now().toString(36)}`;
    const url = `${pgUrl}?schema=${schema}`;
    try {
      t = performance.now();
      await seedPg(url, pgN);
    } catch (e) {
      log(`\n(PostgreSQL not reachable, its run skipped: ${(e as Error).message})`);
      return;
    }
    log(
      `\nThe same with ${pgN.toLocaleString('en')} users in PostgreSQL (seeded in ${((performance.now() - t) / 1000).toFixed(1)} s):`,
    );
    try {
      const pgPages = await withServer(url, (base) => pages(base));
      for (const [q, ms] of Object.entries(pgPages))
        log(`  ${ms <= 10 ? 'ok  ' : 'MISS'} users page ?${q.padEnd(34)} p95 ${ms.toFixed(1)} ms`);
      const pgEx = await withServer(url, (base, pid) => exportAll(base, pid));
      log(
        `       CSV export: ${pgEx.rows.toLocaleString('en')} rows in ${pgEx.seconds.toFixed(1)} s, server peak RSS ${pgEx.peakRssMb.toFixed(0)} MB`,
      );
      const pgStore = openStore(url);
      const pgWh = await webhookRate(pgStore, Math.min(events, 3000));
      await pgStore.close();
      log(`       webhook deliveries: ${pgWh.perSecond.toFixed(0)}/s`);
    } finally {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchUsers(console.log);
