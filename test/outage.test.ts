import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { createApp } from '../server/app.js';
import { loadAssets } from '../server/assets.js';
import { testConfig } from '../server/config.js';
import { setLogSink } from '../server/log.js';
import { createApp as createAppRecord, updateApp } from '../server/services/apps.js';
import { Store } from '../server/store/index.js';
import { consentsFor } from '../server/store/ledger.js';
import { PgDriver } from '../server/store/pg-driver.js';
import { metaBatch, signMeta, signTwilio, twilioSms } from './fixtures/index.js';
import { ADMIN, form } from './support/server.js';
import { PG_URL, skipUnless } from './support/stores.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * PostgreSQL stopped and frozen, through a TCP proxy in front of the real server: people are told
 * the truth (503, Retry-After, "not recorded", in their language, with what they typed kept),
 * requests fail fast instead of hanging for the outage, the log says it once without phone
 * numbers, and everything works again by itself when the database is back.
 */
const TWILIO = 'twilio-token-for-the-outage-test';
const META = 'meta-secret-for-the-outage-test';

describe('when PostgreSQL is down or frozen', { skip: await skipUnless('postgres') }, () => {
  let proxy: TcpProxy;
  let store: Store;
  let web: ReturnType<typeof createApp>['app'];
  let appId: string;
  const lines: string[] = [];
  let restoreLog: () => void;
  const clock = manualClock(Date.now());
  const pgPort = Number(new URL(PG_URL).port || 5432);

  before(async () => {
    proxy = await new TcpProxy(pgPort, new URL(PG_URL).hostname).start();
    const u = new URL(PG_URL);
    u.port = String(proxy.port);
    u.searchParams.set('schema', `t_${randomBytes(6).toString('hex')}`);
    store = new Store(new PgDriver(u.toString(), { max: 4 }));
    await store.migrate();
    const { app } = await createAppRecord(
      store,
      {
        name: 'OutageShop',
        displayName: 'Outage Shop',
        phone: '+14155550123',
        settings: { allowedOrigins: ['https://shop.example'] },
      },
      clock.now(),
    );
    appId = (
      await updateApp(
        store,
        app,
        { live: true, secrets: { twilioAuthToken: TWILIO, metaAppSecret: META } },
        clock.now(),
      )
    ).id;
    // A frozen clock: the app stays cached through the outage, as it would be for a page in use.
    ({ app: web } = createApp({
      store,
      config: testConfig({ publicUrl: 'http://optin.test', adminToken: ADMIN.authorization.slice(7) }),
      assets: await loadAssets(),
      clock,
    }));
    restoreLog = setLogSink((l) => lines.push(l));
  });
  after(async () => {
    restoreLog();
    await proxy.start().catch(() => {});
    await (store.driver as PgDriver).dropSchema().catch(() => {});
    await store.close();
    await proxy.stop();
  });

  const consent = (phone: string, lang = 'es') =>
    web.request(
      'http://optin.test/o/OutageShop',
      form({ consent: 'yes', phone, via: 'qr', lang }, { 'accept-language': 'es-ES' }),
    );

  it('Should answer a person 503 in their language, saying the consent was not recorded, keeping the number and the tick', async () => {
    assert.equal(
      (await web.request('http://optin.test/o/OutageShop')).status,
      200,
      'the page is cached while the database is up',
    );
    await proxy.stop();
    const res = await consent('+14155550171');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    const page = await res.text();
    assert.match(page, /<html lang="es">/);
    assert.match(page, /Tu consentimiento no se registró/);
    assert.match(page, /value="\+14155550171"/);
    assert.match(page, /id="consent" name="consent" value="yes" required checked/);
    assert.doesNotMatch(page, /wa\.me/, 'nobody is sent on to WhatsApp');
  });

  it('Should answer the API, the widget and the provider hooks 503 with Retry-After, in the one error shape', async () => {
    const api = await web.request('http://optin.test/api/v1/apps/OutageShop/users/14155550172/optin', {
      method: 'PUT',
      headers: ADMIN,
    });
    assert.equal(api.status, 503);
    assert.equal(api.headers.get('retry-after'), '5');
    const body = await api.json();
    assert.equal(body.error.code, 'store_unavailable');
    assert.match(body.error.message, /nothing was recorded/);
    const widget = await web.request('http://optin.test/api/v1/apps/OutageShop/optins', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://shop.example' },
      body: JSON.stringify({ consent: true, phone: '+14155550173' }),
    });
    assert.equal(widget.status, 503);
    assert.equal((await widget.json()).error.code, 'store_unavailable');
    // A provider retries anything but a 2xx: a 503 makes Twilio try again later instead of losing the STOP.
    const fields = twilioSms({ sid: `SM${'b'.repeat(32)}`, from: '+14155550177', body: 'STOP' });
    const sms = await web.request('http://optin.test/hooks/OutageShop/sms', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilio(TWILIO, 'http://optin.test/hooks/OutageShop/sms', fields),
      },
      body: new URLSearchParams(fields).toString(),
    });
    assert.equal(sms.status, 503);
    assert.equal(sms.headers.get('retry-after'), '5');
  });

  it('Should log the outage once, with no phone number in any line', async () => {
    const before = lines.length;
    for (let i = 0; i < 40; i++) {
      const phone = `1415555${String(2000 + i)}`;
      const r = await web.request(`http://optin.test/api/v1/apps/OutageShop/users/${phone}/optin`, {
        method: 'PUT',
        headers: ADMIN,
      });
      assert.equal(r.status, 503);
    }
    const added = lines.slice(before);
    assert.ok(added.length <= 1, `40 failures logged ${added.length} lines: ${added.join('\n')}`);
    for (const l of lines) assert.doesNotMatch(l, /\d{7,}/, `a phone number in the log: ${l}`);
  });

  it('Should record again by itself once the database is back', async () => {
    await proxy.start();
    const res = await consent('+14155550174');
    assert.equal(res.status, 303);
    assert.equal((await store.read(consentsFor, appId, '14155550174')).length, 1);
    assert.deepEqual(await store.read(consentsFor, appId, '14155550171'), [], 'the refused consent was not recorded');
  });

  it('Should answer a Meta batch 503 while the database is down, and record all of it when Meta sends it again', async () => {
    const phones = ['14155550181', '14155550182', '14155550183'];
    const body = metaBatch(
      phones.map((from, i) => ({ id: `wamid.OUTAGE${i}`, from, text: 'START', at: clock.now() })),
      'entries',
    );
    const post = () =>
      web.request('http://optin.test/hooks/OutageShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(META, body) },
        body,
      });
    await proxy.stop();
    const down = await post();
    assert.equal(down.status, 503, 'nothing is acknowledged that was not recorded');
    assert.equal(down.headers.get('retry-after'), '5');
    await proxy.start();
    const up = await post();
    assert.equal(up.status, 200);
    assert.deepEqual(await up.json(), { ok: true, handled: 3, duplicates: 0, ignored: 0, malformed: 0, problems: [] });
    for (const p of phones) assert.equal((await store.read(consentsFor, appId, p)).length, 1, p);
  });

  it('Should fail fast while the database is frozen, commit nothing late, and recover at the thaw', async () => {
    proxy.freeze();
    const t = performance.now();
    const res = await consent('+14155550175');
    const ms = performance.now() - t;
    assert.equal(res.status, 503);
    assert.ok(ms < 12_000, `answered after ${Math.round(ms)} ms, not after the outage`);
    proxy.thaw();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await consent('+14155550176')).status, 303);
    assert.deepEqual(
      await store.read(consentsFor, appId, '14155550175'),
      [],
      'nothing committed after the person was told it was not',
    );
  });
});
