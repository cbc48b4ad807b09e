import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_WORDING, renderWording, wordingHash } from '../../core/wording.js';
import { parseApiKey } from '../../server/keys.js';
import { enqueue } from '../../server/store/outbox.js';
import { createApp } from '../../server/services/apps.js';
import { AppCache, type Store } from '../../server/store/index.js';
import { systemClock } from '../../core/clock.js';
import { defaultSettings } from '../../server/app-settings.js';
import { freshStore, skipUnless, STORE_KINDS, type TestStore } from '../support/stores.js';
import { appByName, insertApp } from '../../server/store/apps.js';
import { addFunnel, funnelCounts } from '../../server/store/funnel.js';
import { findApiKey } from '../../server/store/keys.js';
import { consentByRef, consentsFor, shownText } from '../../server/store/ledger.js';
import { claimDue, finishAttempts, outboxEntry } from '../../server/store/outbox.js';
import { getUser } from '../../server/store/users.js';
import { currentWordings, wordingHistory } from '../../server/store/wordings.js';
import { patchApp, recordConsent, type TestConsent } from '../support/ledger.js';

const T0 = Date.UTC(2026, 10, 1, 12);

function consent(appId: string, o: Partial<TestConsent> = {}): TestConsent {
  const text = renderWording(DEFAULT_WORDING.en, 'Acme Shoes');
  return {
    id: randomUUID(),
    appId,
    phone: '14155550123',
    action: 'opt_in',
    via: 'qr',
    wording: { version: 1, sha256: wordingHash(text), text },
    locale: 'en',
    at: T0,
    ip: '203.0.113.7',
    userAgent: 'test',
    page: null,
    campaign: null,
    ref: null,
    actor: null,
    verified: false,
    ...o,
  };
}

for (const kind of STORE_KINDS) {
  describe(`store conformance: ${kind}`, { skip: await skipUnless(kind) }, () => {
    let ts: TestStore;
    let store: Store;
    before(async () => {
      ts = await freshStore(kind);
      store = ts.store;
    });
    after(() => ts.cleanup());

    it('Should apply migrations once and be idempotent after', async () => {
      assert.deepEqual(await store.migrate(), []);
      assert.deepEqual(await ts.reopen().migrate(), []);
    });

    it('Should create an app with three wordings and find it without regard to case', async () => {
      const { app, apiKey } = await createApp(store, { name: 'CaseApp', displayName: 'Case Co' }, T0);
      assert.match(apiKey, /^okk_/);
      assert.equal((await store.read(appByName, 'caseapp'))?.id, app.id);
      assert.equal((await store.read(appByName, 'CASEAPP'))?.name, 'CaseApp');
      const w = await store.read(currentWordings, app.id);
      assert.deepEqual(Object.keys(w).sort(), ['en', 'es', 'pt']);
      assert.equal(w.en.version, 1);
      assert.equal(app.settings.prefill, 'Hi Case Co!');
    });

    it('Should refuse a second app whose name differs only in case, even when both race', async () => {
      await createApp(store, { name: 'RaceApp', displayName: 'R' }, T0);
      await assert.rejects(
        createApp(store, { name: 'raceapp', displayName: 'R' }, T0),
        (e: Error) => (e as { code?: string }).code === 'name_taken',
      );
      const results = await Promise.allSettled(
        ['Dup1x', 'dup1X', 'DUP1X', 'dup1x'].map((n) => createApp(store, { name: n, displayName: 'D' }, T0)),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(
        results.every((r) => r.status === 'fulfilled' || (r.reason as { code?: string }).code === 'name_taken'),
      );
      const again = await store.transact(
        insertApp,
        {
          id: randomUUID(),
          name: 'dup1x',
          displayName: 'D',
          phone: null,
          live: false,
          settings: defaultSettings(),
          secrets: { sender: 'log' },
          wording: DEFAULT_WORDING,
          apiKey: { id: randomUUID(), hash: randomUUID(), prefix: 'x' },
        },
        T0,
      );
      assert.equal(again, null, 'the store refuses the name: no second app');
    });

    it('Should keep every wording version and make a new one only on change', async () => {
      const { app } = await createApp(store, { name: 'WordApp', displayName: 'W' }, T0);
      const changed = 'Yes, {business} may message me on WhatsApp about my orders.';
      await patchApp(store, app.id, { wording: { en: changed } }, T0 + 1);
      await patchApp(store, app.id, { wording: { en: changed } }, T0 + 2);
      const cur = await store.read(currentWordings, app.id);
      assert.equal(cur.en.version, 2);
      assert.equal(cur.en.template, changed);
      assert.equal(cur.es.version, 1);
      const hist = (await store.read(wordingHistory, app.id)).filter((w) => w.locale === 'en');
      assert.deepEqual(
        hist.map((w) => w.version),
        [1, 2],
      );
      assert.equal(hist[0]!.template, DEFAULT_WORDING.en);
    });

    it('Should update settings and keep what was not changed', async () => {
      const { app } = await createApp(store, { name: 'SetApp', displayName: 'S', phone: '+14155550123' }, T0);
      const u = await patchApp(
        store,
        app.id,
        { live: true, settings: { ...app.settings, phoneField: 'optional' } },
        T0 + 5,
      );
      assert.equal(u.live, true);
      assert.equal(u.phone, '14155550123');
      assert.equal(u.settings.phoneField, 'optional');
      assert.equal(u.updatedAt, T0 + 5);
      assert.equal(u.createdAt, T0);
    });

    it('Should record a consent, its wording text and the user state together', async () => {
      const { app } = await createApp(store, { name: 'LedgerApp', displayName: 'Acme Shoes' }, T0);
      const c = consent(app.id, { ref: 'K7Q2XD', campaign: 'spring' });
      const r = await recordConsent(store, c);
      assert.equal(r.ok, true);
      assert.equal(r.changed, 'opted-in');
      assert.equal(r.user?.optin, 'opted_in');
      assert.equal(r.user?.verified, false);
      assert.equal(r.consent?.ref, 'K7Q2XD');
      assert.equal(await store.read(shownText, c.wording!.sha256), c.wording!.text);
      assert.equal((await store.read(consentByRef, app.id, 'K7Q2XD'))?.id, c.id);
      const again = await recordConsent(store, consent(app.id, { at: T0 + 10 }));
      assert.equal(again.changed, null);
      const out = await recordConsent(
        store,
        consent(app.id, { action: 'opt_out', via: 'api', at: T0 + 20, wording: null }),
      );
      assert.equal(out.changed, 'opted-out');
      assert.equal((await store.read(getUser, app.id, '14155550123'))?.optin, 'opted_out');
      const history = await store.read(consentsFor, app.id, '14155550123');
      assert.deepEqual(
        history.map((h) => h.action),
        ['opt_in', 'opt_in', 'opt_out'],
      );
      assert.equal(history[0]!.ip, '203.0.113.7');
      assert.equal(history[0]!.wordingVersion, 1);
    });

    it('Should keep a consent without a phone as evidence only', async () => {
      const { app } = await createApp(store, { name: 'NoPhone', displayName: 'N' }, T0);
      const r = await recordConsent(store, consent(app.id, { phone: '', ref: 'ABCDEF' }));
      assert.equal(r.ok, true);
      assert.equal(r.user, null);
      assert.equal((await store.read(consentByRef, app.id, 'ABCDEF'))?.phone, '');
    });

    it('Should refuse a reference already used in the same app, and write nothing', async () => {
      const { app } = await createApp(store, { name: 'RefApp', displayName: 'R' }, T0);
      const { app: other } = await createApp(store, { name: 'RefApp2', displayName: 'R' }, T0);
      assert.equal((await recordConsent(store, consent(app.id, { ref: 'QQQQQQ' }))).ok, true);
      const dup = await recordConsent(store, consent(app.id, { ref: 'QQQQQQ', phone: '14155550199' }));
      assert.equal(dup.ok, false);
      assert.equal(await store.read(getUser, app.id, '14155550199'), null);
      assert.equal((await recordConsent(store, consent(other.id, { ref: 'QQQQQQ' }))).ok, true);
    });

    it('Should refuse to change a consent record: the ledger is append-only', async () => {
      const { app } = await createApp(store, { name: 'AppendOnly', displayName: 'A' }, T0);
      await recordConsent(store, consent(app.id));
      await assert.rejects(
        store.transact(function* () {
          yield { kind: 'run', sql: `UPDATE consents SET phone = '0' WHERE app_id = ?`, params: [app.id] };
        }),
        /append-only/,
      );
      assert.equal((await store.read(consentsFor, app.id, '14155550123')).length, 1);
    });

    it('Should persist every one of many concurrent consents (group commit), each in its own transaction', async () => {
      const { app } = await createApp(store, { name: 'Concurrent', displayName: 'C' }, T0);
      const phones = Array.from({ length: 200 }, (_, i) => `1415555${String(1000 + i)}`);
      const results = await Promise.all(phones.map((p) => recordConsent(store, consent(app.id, { phone: p }))));
      assert.ok(results.every((r) => r.ok));
      // A failing body in the same batch must not undo its neighbours.
      const mixed = await Promise.allSettled([
        recordConsent(store, consent(app.id, { phone: '14155559991' })),
        recordConsent(store, consent(app.id, { phone: '14155559992', appId: 'no-such-app' })),
        recordConsent(store, consent(app.id, { phone: '14155559993' })),
      ]);
      assert.deepEqual(
        mixed.map((m) => m.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      const fresh = ts.reopen();
      for (const p of [...phones, '14155559991', '14155559993'])
        assert.equal((await fresh.read(getUser, app.id, p))?.optin, 'opted_in', p);
      assert.equal(await fresh.read(getUser, app.id, '14155559992'), null);
    });

    it("Should serve another process's wording change once its cache expires, never old wording under the new version", async () => {
      const { app } = await createApp(store, { name: 'TwoProcs', displayName: 'T' }, T0);
      const a = new AppCache(ts.reopen(), systemClock, 50);
      const b = ts.reopen();
      await a.byName('TwoProcs');
      assert.equal((await a.wordings(app.id)).en.version, 1);
      await patchApp(
        b,
        app.id,
        { wording: { en: 'Yes, {business} may message me on WhatsApp, says process B.' } },
        T0 + 1,
      );
      await new Promise((r) => setTimeout(r, 80));
      const fresh = (await a.byName('TwoProcs'))!;
      const w = await a.wordings(app.id);
      assert.equal(w.en.version, 2);
      assert.match(w.en.template, /process B/);
      assert.ok(fresh.updatedAt > app.updatedAt);
    });

    it('Should make updated_at strictly increasing, even for changes in the same millisecond', async () => {
      const { app } = await createApp(store, { name: 'SameMs', displayName: 'S' }, T0);
      const u1 = await patchApp(store, app.id, { displayName: 'S1' }, T0);
      const u2 = await patchApp(store, app.id, { displayName: 'S2' }, T0);
      assert.ok(u1.updatedAt > app.updatedAt && u2.updatedAt > u1.updatedAt);
    });

    it('Should let only the current claim of an outbox item write its outcome', async () => {
      const { app } = await createApp(store, { name: 'Claims', displayName: 'C' }, T0);
      await store.transact(function* () {
        yield* enqueue({
          id: 'evt_claims_1',
          appId: app.id,
          kind: 'event',
          type: 'opted-in',
          phone: '14155550800',
          body: {},
          now: T0,
        });
      });
      const [a] = await store.transact(claimDue, T0, 10, 1000);
      assert.equal(a?.id, 'evt_claims_1');
      assert.deepEqual(await store.transact(claimDue, T0 + 500, 10, 1000), [], 'held while the claim lasts');
      const [b] = await store.transact(claimDue, T0 + 1001, 10, 1000);
      assert.equal(b?.id, 'evt_claims_1', 'taken up again once the claim ran out');
      // The first worker finishes late: its attempt is logged, but the item stays with the second.
      await store.transact(finishAttempts, [
        {
          id: a!.id,
          claim: a!.lockedUntil,
          attempt: { at: T0 + 1200, status: 200, error: null, ms: 5 },
          next: { status: 'delivered', nextAt: T0 + 1200, attempts: 1 },
        },
      ]);
      let e = await store.read(outboxEntry, 'evt_claims_1');
      assert.equal(e?.item.status, 'pending');
      assert.equal(e?.attempts.length, 1);
      await store.transact(finishAttempts, [
        {
          id: b!.id,
          claim: b!.lockedUntil,
          attempt: { at: T0 + 1300, status: 500, error: 'HTTP 500', ms: 5 },
          next: { status: 'pending', nextAt: T0 + 6300, attempts: 1 },
        },
      ]);
      e = await store.read(outboxEntry, 'evt_claims_1');
      assert.equal(e?.item.nextAt, T0 + 6300);
      assert.deepEqual(
        e?.attempts.map((x) => x.n),
        [1, 2],
      );
    });

    it('Should add funnel counts up', async () => {
      const { app } = await createApp(store, { name: 'FunnelApp', displayName: 'F' }, T0);
      await store.transact(addFunnel, [
        { appId: app.id, day: '2026-11-01', via: 'qr', campaign: '', metric: 'view', n: 3 },
      ]);
      await store.transact(addFunnel, [
        { appId: app.id, day: '2026-11-01', via: 'qr', campaign: '', metric: 'view', n: 2 },
      ]);
      const rows = await store.read(funnelCounts, app.id, '2026-11-01', '2026-11-01');
      assert.equal(rows.find((r) => r.metric === 'view')?.n, 5);
    });

    it('Should find API keys by id only', async () => {
      const { apiKey, app } = await createApp(store, { name: 'KeyApp', displayName: 'K' }, T0);
      // Ids are base64url and may hold "_": read the key with its own parser, never split it.
      const id = parseApiKey(apiKey)!.id;
      const row = await store.read(findApiKey, id);
      assert.equal(row?.appId, app.id);
      assert.notEqual(row?.hash, apiKey);
      assert.equal(await store.read(findApiKey, 'nope'), null);
    });
  });
}
