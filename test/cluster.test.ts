import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { haproxySkipReason } from '../scripts/preflight.js';
import { effectiveOptin } from '../core/verified-optin.js';
import { createApp as createAppRecord, updateApp } from '../server/services/apps.js';
import { all } from '../server/store/driver.js';
import { Store } from '../server/store/index.js';
import { consentsFor } from '../server/store/ledger.js';
import { PgDriver } from '../server/store/pg-driver.js';
import { metaMessage, signMeta } from './fixtures/index.js';
import { freePort, Haproxy, ServerProcess } from './support/cluster.js';
import { fakeProvider } from './support/fake-provider.js';
import { Receiver } from './support/receiver.js';
import { PG_URL, skipUnless } from './support/stores.js';

const ADMIN_TOKEN = 'admin-token-for-the-cluster-test';
const META_SECRET = 'meta-secret-for-the-cluster-test';
const PHONE_ID = '106540352242922';

type Row = Record<string, unknown>;

/** Runs `task` over `items`, `n` at a time. */
async function pool<T>(items: T[], n: number, task: (t: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}

async function until(ok: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return ok();
}

/**
 * Several servers are a supported deployment: three server processes on one PostgreSQL, behind
 * HAProxy on loopback, under load, one of them killed with -9 half-way. The survivors carry on and
 * take over its work.
 */
const skip = (await skipUnless('postgres')) || haproxySkipReason();
describe('three servers on one PostgreSQL behind HAProxy, one killed with -9', { skip }, () => {
  const servers: ServerProcess[] = [];
  let lb: Haproxy;
  let rx: Receiver;
  let provider: Awaited<ReturnType<typeof fakeProvider>>;
  let store: Store;
  let base: string;
  let appId: string;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const acknowledged: string[] = [];
  const optedOut = new Set<string>();
  const newPhones = Array.from({ length: 40 }, (_, i) => `1415556${String(5000 + i)}`);
  const statuses = new Map<string, number>();
  const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);

  before(async () => {
    rx = await new Receiver().start();
    rx.delay = () => Math.floor(Math.random() * 15);
    provider = await fakeProvider();
    const ports = [await freePort(), await freePort(), await freePort()];
    const lbPort = await freePort();
    base = `http://127.0.0.1:${lbPort}`;
    const u = new URL(PG_URL);
    u.searchParams.set('schema', schema);
    const env = {
      DATABASE_URL: u.toString(),
      PUBLIC_URL: base,
      ADMIN_TOKEN,
      DEMO: 'on',
      ALLOW_PRIVATE_CALLBACKS: 'on',
      CONSENT_RATE_LIMIT: '0',
      CONSENT_PHONE_RATE_LIMIT: '0',
      CONSENT_APP_RATE_LIMIT: '0',
      OUTBOX_POLL_MS: '200',
      // A dead server's claims run out after 3 s here (30 s by default), so that the test is short.
      OUTBOX_CLAIM_MS: '3000',
      CALLBACK_TIMEOUT_MS: '3000',
      META_GRAPH_URL: `${provider.url}/v21.0`,
    };
    // A first deploy: three servers at once on an empty schema, each migrating and seeding the demo app.
    servers.push(...ports.map((p) => new ServerProcess(p, env)));
    await Promise.all(servers.map((s) => s.start()));
    lb = await new Haproxy(lbPort, ports).start();
    store = new Store(new PgDriver(u.toString(), { max: 4 }));
    const made = await createAppRecord(
      store,
      { name: 'ClusterShop', displayName: 'Cluster Shop', phone: '+14155550123', settings: { callbackUrl: rx.url } },
      Date.now(),
    );
    const app = await updateApp(
      store,
      made.app,
      {
        live: true,
        secrets: {
          metaAppSecret: META_SECRET,
          sender: 'meta',
          metaAccessToken: 'EAAG-cluster-token',
          metaPhoneNumberId: PHONE_ID,
        },
      },
      Date.now(),
    );
    appId = app.id;
  });

  after(async () => {
    await lb?.stop();
    for (const s of servers) await s.stop();
    await rx?.stop();
    await provider?.close();
    await (store?.driver as PgDriver | undefined)?.dropSchema().catch(() => {});
    await store?.close();
  });

  it('Should start three servers at once on an empty database, with one demo app', async () => {
    const demos = await store.read(() => all<Row>(`SELECT name FROM apps WHERE name_key = 'demo'`));
    assert.equal(demos.length, 1);
    assert.equal(servers.filter((s) => s.child?.exitCode === null).length, 3);
  });

  it('Should keep every acknowledged consent, prompt each new phone once, and deliver every event once the survivors take over', async () => {
    const consentPhones = Array.from({ length: 240 }, (_, i) => `1415557${String(1000 + i)}`);
    let sent = 0;
    const killAt = 80;
    const killed = (async () => {
      while (sent < killAt) await new Promise((r) => setTimeout(r, 5));
      await servers[1]!.kill9();
    })();
    // Consents on the page, 12 at a time; server 2 dies a third of the way through.
    await pool(consentPhones, 12, async (phone) => {
      sent++;
      try {
        const res = await fetch(`${base}/o/ClusterShop`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ consent: 'yes', phone: `+${phone}`, via: 'qr' }).toString(),
          redirect: 'manual',
        });
        count(`consent ${res.status}`);
        if (res.status === 303) acknowledged.push(phone);
      } catch {
        count('consent network error');
      }
    });
    await killed;

    // New phones write in twice at the same moment; a provider retries anything but a 2xx.
    const messages = newPhones.flatMap((p) => [0, 1].map((k) => ({ p, id: `wamid.cluster.${p}.${k}` })));
    await pool(messages, 16, async ({ p, id }) => {
      const body = metaMessage({ id, from: p, text: k0(id) ? 'Hello!' : 'Are you open today?', at: Date.now() });
      // Like a provider, retry with a growing pause: HAProxy needs a moment to mark the killed server down.
      for (let attempt = 0; attempt < 10; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 250 * attempt));
        const res = await fetch(`${base}/hooks/ClusterShop/whatsapp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(META_SECRET, body) },
          body,
        }).catch(() => null);
        count(`hook ${res?.status ?? 'network error'}`);
        if (res?.status === 200) return;
      }
      assert.fail(`the hook never took ${id}`);
    });

    // Half of the consented people opt out by API: each gets a second event that must win at the receiver.
    await pool(
      acknowledged.filter((_, i) => i % 2 === 0),
      8,
      async (phone) => {
        const res = await fetch(`${base}/api/v1/apps/ClusterShop/users/${phone}/optout`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        count(`optout ${res.status}`);
        if (res.status === 200) optedOut.add(phone);
      },
    );

    // Every event and message delivered, once the dead server's claims have run out.
    const pending = async () =>
      Number(
        (
          await store.read(() =>
            all<Row>(`SELECT COUNT(*) AS n FROM outbox WHERE app_id = ? AND status <> 'delivered'`, [appId]),
          )
        )[0]!.n,
      );
    assert.ok(
      await until(async () => (await pending()) === 0, 60_000),
      `${await pending()} outbox items still not delivered`,
    );

    assert.ok(acknowledged.length >= 200, `most consents acknowledged: ${JSON.stringify([...statuses])}`);
    for (const phone of acknowledged) {
      const records = await store.read(consentsFor, appId, phone);
      assert.ok(
        records.some((r) => r.action === 'opt_in'),
        `acknowledged consent of ${phone} is stored`,
      );
    }

    const prompts = provider.received.filter((r) => /YES/.test(r.body));
    for (const p of newPhones) {
      const mine = prompts.filter((r) => (JSON.parse(r.body) as { to: string }).to === p);
      assert.equal(mine.length, 1, `${p} got ${mine.length} prompts`);
    }
    const promptItems = await store.read(() =>
      all<Row>(`SELECT phone, COUNT(*) AS n FROM outbox WHERE app_id = ? AND type = 'optin-prompt' GROUP BY phone`, [
        appId,
      ]),
    );
    assert.equal(promptItems.length, newPhones.length);
    assert.ok(promptItems.every((r) => Number(r.n) === 1));

    assert.equal(rx.maxConcurrentSameId, 1, 'no event was being delivered twice at the same moment');
    const events = await store.read(() =>
      all<Row>(`SELECT id, phone FROM outbox WHERE app_id = ? AND kind = 'event'`, [appId]),
    );
    const got = new Set(rx.ids());
    for (const e of events) assert.ok(got.has(e.id as string), `event ${e.id as string} reached the receiver`);

    const atReceiver = rx.stateByPhone();
    const users = await store.read(() => all<Row>(`SELECT * FROM users WHERE app_id = ?`, [appId]));
    let checked = 0;
    for (const u of users) {
      const phone = u.phone as string;
      if (!atReceiver.has(phone)) continue;
      const stored = effectiveOptin(
        {
          optin: u.optin as 'opted_in',
          via: u.via as 'qr',
          verified: Number(u.verified) === 1,
          flagged: Number(u.flagged) === 1,
        },
        true,
      );
      assert.equal(atReceiver.get(phone)!.optin, stored, `the receiver's state of ${phone}`);
      checked++;
    }
    assert.ok(checked >= acknowledged.length, `${checked} people checked`);
    for (const p of optedOut) assert.equal(atReceiver.get(p)?.optin, 'opted_out');
    const duplicates = rx.received.length - got.size;
    console.log(
      `cluster: ${acknowledged.length}/240 consents acknowledged, ${events.length} events, ${duplicates} delivered more than once, answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });
});

/** The first of a phone's two messages. */
const k0 = (id: string) => id.endsWith('.0');
