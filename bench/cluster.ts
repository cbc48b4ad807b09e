/**
 * Durable consents per second with 1, 2 and 3 server processes on one PostgreSQL, behind HAProxy, in
 * one run: the scale-out curve as ratios to one process. `npx tsx bench/cluster.ts` runs it alone.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { findHaproxy, testDatabaseUrl } from '../scripts/preflight.js';
import { createApp as createAppRecord, updateApp } from '../server/services/apps.js';
import { Store } from '../server/store/index.js';
import { PgDriver } from '../server/store/pg-driver.js';
import { freePort, Haproxy, ServerProcess } from '../test/support/cluster.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

async function rate(processes: number): Promise<{ rps: number; p99: number; errors: number }> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const u = new URL(process.env.BENCH_DATABASE_URL ?? testDatabaseUrl());
  u.searchParams.set('schema', schema);
  const store = new Store(new PgDriver(u.toString(), { max: 2 }));
  await store.migrate();
  const { app } = await createAppRecord(
    store,
    { name: 'bench', displayName: 'Bench Shoes', phone: '+14155550123' },
    Date.now(),
  );
  await updateApp(store, app, { live: true }, Date.now());
  const ports = await Promise.all(Array.from({ length: processes }, () => freePort()));
  const lbPort = await freePort();
  const env = {
    DATABASE_URL: u.toString(),
    PUBLIC_URL: `http://127.0.0.1:${lbPort}`,
    DEMO: 'off',
    WORKER: 'off',
    CONSENT_RATE_LIMIT: '0',
    CONSENT_PHONE_RATE_LIMIT: '0',
    CONSENT_APP_RATE_LIMIT: '0',
    NODE_ENV: 'production',
  };
  const servers = ports.map((p) => new ServerProcess(p, env));
  let lb: Haproxy | null = null;
  try {
    await Promise.all(servers.map((s) => s.start()));
    lb = await new Haproxy(lbPort, ports).start();
    let phone = 0;
    const opts = {
      url: `http://127.0.0.1:${lbPort}/o/bench`,
      connections: 50,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      requests: [
        {
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            body: `consent=yes&via=qr&phone=%2B1415${String(2000000 + (phone++ % 7999999)).padStart(7, '0')}`,
          }),
        },
      ],
    } as unknown as autocannon.Options;
    await autocannon({ ...opts, duration: 1 });
    const r = await autocannon({ ...opts, duration: SECONDS });
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts };
  } finally {
    await lb?.stop();
    for (const s of servers) await s.stop();
    await (store.driver as PgDriver).dropSchema();
    await store.close();
  }
}

export async function benchCluster(log: (s: string) => void): Promise<void> {
  if (!('path' in findHaproxy())) return log('\nSeveral servers on PostgreSQL: skipped (no haproxy on PATH).');
  const c = new pg.Client({
    connectionString: process.env.BENCH_DATABASE_URL ?? testDatabaseUrl(),
    connectionTimeoutMillis: 3000,
  });
  try {
    await c.connect();
  } catch {
    return log('\nSeveral servers on PostgreSQL: skipped (PostgreSQL does not answer).');
  } finally {
    await c.end().catch(() => {});
  }
  log(
    `\nDurable consents (POST /o/:app, 303) with 1, 2 and 3 servers on one PostgreSQL behind HAProxy, ${SECONDS} s each:`,
  );
  const results: { n: number; rps: number; p99: number; errors: number }[] = [];
  for (const n of [1, 2, 3]) results.push({ n, ...(await rate(n)) });
  for (const r of results) {
    log(
      `  ${r.n} server${r.n > 1 ? 's' : ' '}  ${r.rps.toFixed(0).padStart(6)} req/s  ${(r.rps / results[0]!.rps).toFixed(2)}x  p99 ${r.p99} ms${r.errors ? `  (${r.errors} errors)` : ''}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCluster(console.log);
