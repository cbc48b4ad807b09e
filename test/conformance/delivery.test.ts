import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appById, appVersion, countApps, disableCallback, listApps } from '../../server/store/apps.js';
import { funnelStats, addFunnel, dayOf } from '../../server/store/funnel.js';
import type { Store } from '../../server/store/index.js';
import { findApiKey, rotateKey } from '../../server/store/keys.js';
import {
  claimDue,
  enqueueMessage,
  hasDue,
  listOutbox,
  outboxEntry,
  recoverSince,
  retryNow,
  startAttempt,
  enqueue,
  finishAttempts,
} from '../../server/store/outbox.js';
import {
  createSession,
  findSession,
  revokeAppSessions,
  revokeSession,
  touchSession,
} from '../../server/store/sessions.js';
import { recordConsent } from '../support/ledger.js';
import { freshStore, skipUnless, STORE_KINDS, type TestStore } from '../support/stores.js';
import { consent, newApp, T0 } from './support.js';

for (const kind of STORE_KINDS) {
  describe(
    `store conformance, apps, outbox, sessions, keys, funnel (${kind})`,
    { skip: await skipUnless(kind) },
    () => {
      let ts: TestStore;
      let store: Store;
      before(async () => {
        ts = await freshStore(kind);
        store = ts.store;
      });
      after(() => ts.cleanup());

      it('apps.ts: Should list, count, find by id, version and disable a callback once', async () => {
        const before = await store.read(countApps);
        const app = await newApp(store);
        assert.equal(await store.read(countApps), before + 1);
        assert.ok((await store.read(listApps)).some((a) => a.id === app.id));
        assert.equal((await store.read(appById, app.id))?.name, app.name);
        assert.equal(await store.read(appVersion, app.id), app.updatedAt);
        assert.equal(await store.read(appById, 'nope'), null);
        await store.transact(disableCallback, app.id, T0 + 5);
        await store.transact(disableCallback, app.id, T0 + 9);
        assert.equal((await store.read(appById, app.id))?.callbackDisabledAt, T0 + 5, 'the first 410 is the one kept');
      });

      it('outbox.ts: Should say what is due, page an app’s items newest first, and replay only what is not pending', async () => {
        const app = await newApp(store);
        assert.equal(await store.read(hasDue, T0 - 1), false);
        for (let i = 0; i < 3; i++)
          await store.transact(
            enqueueMessage,
            app.id,
            `msg_conf_${i}`,
            'help',
            { channel: 'whatsapp', to: '14155550500', text: `t${i}` },
            T0 + i,
          );
        assert.equal(await store.read(hasDue, T0 + 5), true);
        const page = await store.read(listOutbox, app.id, 'message', { limit: 2 });
        assert.deepEqual(
          page.map((m) => m.id),
          ['msg_conf_2', 'msg_conf_1'],
        );
        const rest = await store.read(listOutbox, app.id, 'message', { limit: 2, before: page[1]!.seq });
        assert.deepEqual(
          rest.map((m) => m.id),
          ['msg_conf_0'],
        );
        assert.equal(await store.transact(retryNow, 'nope', T0 + 10), 'not_found');
        const claimed = await store.transact(claimDue, T0 + 10, 10, 1000);
        await store.transact(
          finishAttempts,
          claimed.map((c) => ({
            id: c.id,
            claim: c.lockedUntil,
            attempt: { at: T0 + 11, status: 400, error: 'HTTP 400', ms: 1 },
            next: { status: 'failed' as const, nextAt: T0 + 11, attempts: 1 },
          })),
        );
        assert.deepEqual((await store.read(listOutbox, app.id, 'message', { limit: 10, status: 'failed' })).length, 3);
        assert.equal(await store.transact(retryNow, 'msg_conf_0', T0 + 20), 'queued');
        const e = await store.read(outboxEntry, 'msg_conf_0');
        assert.deepEqual(
          { status: e?.item.status, attempts: e?.item.attempts, nextAt: e?.item.nextAt, logged: e?.attempts.length },
          { status: 'pending', attempts: 0, nextAt: T0 + 20, logged: 1 },
        );
      });

      it('outbox.ts: Should retry now only what no worker holds, and recover what failed or waits since a time', async () => {
        const app = await newApp(store);
        const put = (id: string, at: number) =>
          store.transact(enqueueMessage, app.id, id, 'help', { channel: 'whatsapp', to: '14155550510', text: id }, at);
        await put('rec_old', T0 - 10_000);
        await put('rec_failed', T0);
        await put('rec_waiting', T0 + 1);
        await put('rec_held', T0 + 2);
        const [old, failed, waiting, held] = await store.transact(claimDue, T0 + 5, 10, 60_000);
        const outcome = (id: string, claim: number, status: 'failed' | 'pending', nextAt: number) => ({
          id,
          claim,
          attempt: { at: T0 + 6, status: 500, error: 'HTTP 500', ms: 1 },
          next: { status, nextAt, attempts: 1 },
        });
        await store.transact(finishAttempts, [
          outcome(old!.id, old!.lockedUntil, 'failed', T0 + 6),
          outcome(failed!.id, failed!.lockedUntil, 'failed', T0 + 6),
          outcome(waiting!.id, waiting!.lockedUntil, 'pending', T0 + 3_600_000),
        ]);
        assert.equal(held!.id, 'rec_held');
        assert.equal(await store.transact(retryNow, 'rec_held', T0 + 10), 'claimed', 'a worker holds it');
        assert.equal(await store.transact(recoverSince, app.id, 'message', T0, T0 + 10), 2);
        const state = async (id: string) => {
          const e = (await store.read(outboxEntry, id))!.item;
          return { status: e.status, attempts: e.attempts, nextAt: e.nextAt };
        };
        assert.deepEqual(
          await state('rec_failed'),
          { status: 'pending', attempts: 0, nextAt: T0 + 10 },
          'a fresh schedule',
        );
        assert.deepEqual(
          await state('rec_waiting'),
          { status: 'pending', attempts: 1, nextAt: T0 + 10 },
          'due now, attempts kept',
        );
        assert.equal((await state('rec_old')).status, 'failed', 'before `since`: left alone');
        assert.equal((await state('rec_held')).nextAt, T0 + 2, 'held: left alone');
        assert.equal(await store.transact(retryNow, 'rec_old', T0 + 20), 'queued');
        assert.deepEqual(await state('rec_old'), { status: 'pending', attempts: 0, nextAt: T0 + 20 });
      });

      it('outbox.ts: Should send only under a live claim, and not send a message again after its worker stopped mid-send', async () => {
        const app = await newApp(store);
        await store.transact(
          enqueueMessage,
          app.id,
          'msg_inflight',
          'optin-prompt',
          { channel: 'whatsapp', to: '14155550520', text: 'Join?' },
          T0,
        );
        await store.transact(function* () {
          yield* enqueue({
            id: 'evt_inflight',
            appId: app.id,
            kind: 'event',
            type: 'opted-in',
            phone: '14155550521',
            body: {},
            now: T0,
          });
        });
        const mine = (items: { appId: string; id: string }[]) =>
          items.filter((c) => c.appId === app.id).map((c) => c.id);
        const claimed = await store.transact(claimDue, T0, 100, 1000);
        const msg = claimed.find((c) => c.id === 'msg_inflight')!;
        const evt = claimed.find((c) => c.id === 'evt_inflight')!;
        assert.equal(
          await store.transact(startAttempt, msg.id, msg.lockedUntil, T0 + 1001, T0 + 20_000),
          null,
          'the claim ran out: do not send',
        );
        const m2 = await store.transact(startAttempt, msg.id, msg.lockedUntil, T0 + 10, T0 + 15_000);
        const e2 = await store.transact(startAttempt, evt.id, evt.lockedUntil, T0 + 10, T0 + 15_000);
        assert.equal(m2, T0 + 15_000);
        assert.equal(e2, T0 + 15_000);
        assert.deepEqual(mine(await store.transact(claimDue, T0 + 5_000, 100, 1000)), [], 'held for the send');
        // The worker dies mid-send. Once its hold runs out, the event goes again; the message does not.
        assert.deepEqual(mine(await store.transact(claimDue, T0 + 15_001, 100, 1000)), ['evt_inflight']);
        const m = (await store.read(outboxEntry, 'msg_inflight'))!;
        assert.equal(m.item.status, 'failed');
        assert.match(m.item.lastError ?? '', /may have been sent/);
        assert.equal(m.attempts.length, 1);
      });

      it('sessions.ts: Should create, find, touch and revoke sessions, and fail closed when the key is rotated away', async () => {
        const app = await newApp(store);
        const keyId = (
          await store.read(function* () {
            return (yield { kind: 'get', sql: 'SELECT id FROM api_keys WHERE app_id = ?', params: [app.id] }) as {
              id: string;
            };
          })
        ).id;
        await store.transact(createSession, {
          idHash: 'h1',
          appId: app.id,
          keyId,
          csrf: 'c1',
          now: T0,
          expiresAt: T0 + 1000,
          replacing: null,
        });
        await store.transact(createSession, {
          idHash: 'h2',
          appId: app.id,
          keyId,
          csrf: 'c2',
          now: T0 + 1,
          expiresAt: T0 + 1000,
          replacing: 'h1',
        });
        assert.equal(
          (await store.read(findSession, 'h1'))?.revokedAt,
          T0 + 1,
          'signing in again revokes the cookie it came with',
        );
        await store.transact(touchSession, 'h2', T0 + 50);
        assert.equal((await store.read(findSession, 'h2'))?.lastSeenAt, T0 + 50);
        assert.equal(await store.transact(revokeSession, 'h2', T0 + 60), 1);
        assert.equal(await store.transact(revokeSession, 'h2', T0 + 61), 0);
        await store.transact(createSession, {
          idHash: 'h3',
          appId: app.id,
          keyId,
          csrf: 'c3',
          now: T0 + 70,
          expiresAt: T0 + 1000,
          replacing: null,
        });
        assert.equal(await store.transact(revokeAppSessions, app.id, T0 + 80), 1);
        await store.transact(
          rotateKey,
          app.id,
          { id: 'newkeyid0001', hash: 'hash-of-new-key', prefix: 'okk_newkeyid0001' },
          T0 + 90,
        );
        assert.equal((await store.read(findSession, 'h3'))?.keyRevokedAt, T0 + 90);
        assert.equal((await store.read(findApiKey, 'newkeyid0001'))?.revokedAt, null);
        assert.equal(await store.read(findSession, 'nope'), null);
      });

      it('funnel.ts: Should count views from the counters and consents from the ledger, per via and campaign', async () => {
        const app = await newApp(store);
        await store.transact(addFunnel, [
          { appId: app.id, day: dayOf(T0), via: 'qr', campaign: 'spring', metric: 'view', n: 5 },
        ]);
        await recordConsent(store, consent(app.id, { phone: '14155550600', campaign: 'spring' }));
        await recordConsent(
          store,
          consent(app.id, { phone: '14155550600', action: 'opt_out', via: 'api', wording: null, at: T0 + 1 }),
        );
        const rows = await store.read(funnelStats, app.id, T0 - 1000, T0 + 1000);
        assert.deepEqual(rows, [
          {
            via: 'api',
            campaign: '',
            views: 0,
            consents: 0,
            redirects: 0,
            verified: 0,
            optOuts: 1,
            marketingStops: 0,
            marketingResumes: 0,
          },
          {
            via: 'qr',
            campaign: 'spring',
            views: 5,
            consents: 1,
            redirects: 0,
            verified: 0,
            optOuts: 0,
            marketingStops: 0,
            marketingResumes: 0,
          },
        ]);
      });
    },
  );
}
