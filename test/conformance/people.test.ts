import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { updateApp } from '../../server/services/apps.js';
import { claimInbound, claimPrompt } from '../../server/store/inbound.js';
import type { AppRecord, Store } from '../../server/store/index.js';
import {
  consentsFor,
  enqueueUserEvent,
  flagTypedNumber,
  hasConsent,
  lastPrompt,
  lockUser,
  recordActivity,
  recordChange,
  reportSandboxStart,
  saveUser,
  verificationOf,
} from '../../server/store/ledger.js';
import { addMessage, addSentMessage, messageById, messagesOf } from '../../server/store/messages.js';
import { enqueue, listOutbox } from '../../server/store/outbox.js';
import { decodeCursor, eraseUser, getUser, listUsers, userHistory } from '../../server/store/users.js';
import { evidence } from '../../server/services/consent.js';
import { recordConsent } from '../support/ledger.js';
import { freshStore, skipUnless, STORE_KINDS, type TestStore } from '../support/stores.js';
import { consent, newApp, T0 } from './support.js';

const DAY = 86_400_000;

for (const kind of STORE_KINDS) {
  describe(`store conformance, people (${kind})`, { skip: await skipUnless(kind) }, () => {
    let ts: TestStore;
    let store: Store;
    before(async () => {
      ts = await freshStore(kind);
      store = ts.store;
    });
    after(() => ts.cleanup());

    describe('ledger.ts', () => {
      it('Should create a person once with lockUser, and change them only through saveUser', async () => {
        const app = await newApp(store);
        const first = await store.transact(lockUser, app.id, '14155550301', T0);
        assert.deepEqual(
          {
            optin: first.optin,
            via: first.via,
            verified: first.verified,
            flagged: first.flagged,
            createdAt: first.createdAt,
          },
          { optin: 'none', via: null, verified: false, flagged: false, createdAt: T0 },
        );
        await store.transact(saveUser, { ...first, optin: 'opted_in', via: 'api', optinAt: T0 + 1 }, T0 + 1);
        const again = await store.transact(lockUser, app.id, '14155550301', T0 + 2);
        assert.equal(again.optin, 'opted_in', 'an existing row is returned as it is');
        assert.equal(again.createdAt, T0);
        assert.equal(again.updatedAt, T0 + 1);
      });

      it('Should move activity forward only, from the time the message was sent', async () => {
        const app = await newApp(store);
        await store.transact(recordActivity, app.id, '14155550302', T0 + 50, T0 + 60);
        await store.transact(recordActivity, app.id, '14155550302', T0 + 10, T0 + 70);
        assert.equal((await store.read(getUser, app.id, '14155550302'))?.lastInboundAt, T0 + 50);
        const sms = await store.transact(recordActivity, app.id, '14155550303', null, T0);
        assert.equal(sms.lastInboundAt, null, 'an SMS opens no WhatsApp window');
      });

      it('Should flag a typed number only when its row is still there', async () => {
        const app = await newApp(store);
        await recordConsent(store, consent(app.id, { phone: '14155550304' }));
        await store.transact(flagTypedNumber, app.id, '14155550304', T0 + 1);
        await store.transact(flagTypedNumber, app.id, '14155550399', T0 + 1);
        assert.equal((await store.read(getUser, app.id, '14155550304'))?.flagged, true);
        assert.equal(
          await store.read(getUser, app.id, '14155550399'),
          null,
          'no row is made for a number nobody typed',
        );
      });

      it('Should report a web consent only once it counts, and its verification as opted-in, when unverified consents do not count', async () => {
        const app = await newApp(store, {
          unverifiedCountsAsOptin: false,
          callbackUrl: 'https://business.example/hook',
        });
        const web = await recordConsent(store, consent(app.id, { phone: '14155550305', ref: 'WEBREF' }));
        assert.equal(web.changed, null);
        const user = await store.transact(lockUser, app.id, '14155550305', T0 + 5);
        const verify = await store.transact(recordChange, {
          app,
          record: evidence({
            appId: app.id,
            phone: '14155550305',
            action: 'verify',
            via: 'qr',
            at: T0 + 5,
            ref: 'WEBREF',
            linkedId: web.consent!.id,
          }),
          shown: null,
          move: { type: 'verify', at: T0 + 5 },
          user,
        });
        assert.equal(verify.changed, 'opted-in');
        assert.equal(verify.user?.verified, true);
        assert.equal((await store.read(verificationOf, app.id, web.consent!.id))?.id, verify.consent!.id);
        const events = await store.read(listOutbox, app.id, 'event', { limit: 10 });
        assert.deepEqual(
          events.map((e) => e.type),
          ['opted-in'],
          'one event: the moment the consent started to count',
        );
      });

      it('Should enqueue user-events, with the person’s state, only for an app with a callback that did not answer 410', async () => {
        const person = {
          phone: '14155550306',
          optin: 'opted_in' as const,
          via: 'api' as const,
          verified: false,
          flagged: false,
        };
        const none = await newApp(store);
        assert.equal(await store.transact(enqueueUserEvent, none, 'evt_none', 'opted-in', person, {}, T0), false);
        const app = await newApp(store, { callbackUrl: 'https://business.example/hook' });
        assert.equal(
          await store.transact(enqueueUserEvent, app, 'evt_some', 'opted-in', person, { via: 'api', ref: '' }, T0),
          true,
        );
        const tester = await store.transact(recordActivity, app.id, '14155550306', T0, T0);
        assert.equal(await store.transact(reportSandboxStart, app, 'evt_sandbox', tester, T0), true);
        const items = await store.read(listOutbox, app.id, 'event', { limit: 10 });
        assert.deepEqual(items.map((e) => e.type).sort(), ['opted-in', 'sandbox-start']);
        assert.deepEqual(
          (items.find((e) => e.id === 'evt_some')!.body as { data: unknown }).data,
          {
            phone: '14155550306',
            via: 'api',
            optin: 'opted_in',
            verified: false,
            purposes: { marketing: 'opted_in', utility: 'opted_in', authentication: 'opted_in' },
          },
          'empty fields are left out; the state is in',
        );
        const gone = await updateApp(store, app, {}, T0);
        await store.transact(function* () {
          yield { kind: 'run', sql: 'UPDATE apps SET callback_disabled_at = ? WHERE id = ?', params: [T0, gone.id] };
        });
        assert.equal(await store.transact(enqueueUserEvent, app, 'evt_after_410', 'opted-out', person, {}, T0), false);
      });

      it('Should find the last prompt and whether a phone has any record', async () => {
        const app = await newApp(store);
        assert.equal(await store.read(hasConsent, app.id, '14155550307'), false);
        assert.equal(await store.read(lastPrompt, app.id, '14155550307'), null);
        for (const at of [T0, T0 + 1]) {
          await store.transact(recordChange, {
            app,
            record: evidence({ appId: app.id, phone: '14155550307', action: 'prompt_sent', via: 'first_message', at }),
            shown: null,
            move: null,
          });
        }
        assert.equal(await store.read(hasConsent, app.id, '14155550307'), true);
        assert.equal((await store.read(lastPrompt, app.id, '14155550307'))?.at, T0 + 1);
        assert.equal(await store.read(getUser, app.id, '14155550307'), null, 'a prompt moves no state');
      });
    });

    describe('inbound.ts and messages.ts', () => {
      it('Should claim a provider message id and a prompt once each', async () => {
        const app = await newApp(store);
        assert.equal(await store.transact(claimInbound, app.id, 'meta', 'wamid.1', '14155550310', T0), true);
        assert.equal(await store.transact(claimInbound, app.id, 'meta', 'wamid.1', '14155550310', T0), false);
        assert.equal(
          await store.transact(claimInbound, app.id, 'gupshup', 'wamid.1', '14155550310', T0),
          true,
          'ids are per provider',
        );
        const racing = await Promise.all([1, 2, 3].map(() => store.transact(claimPrompt, app.id, '14155550310', T0)));
        assert.deepEqual(racing.filter(Boolean).length, 1);
      });

      it('Should keep messages once by id, and a sent one only while its outbox item exists', async () => {
        const app = await newApp(store);
        const m = {
          id: 'msg_in_1',
          appId: app.id,
          phone: '14155550311',
          direction: 'in' as const,
          channel: 'whatsapp' as const,
          text: 'hi',
          at: T0,
        };
        assert.equal(await store.transact(addMessage, m), true);
        assert.equal(await store.transact(addMessage, m), false);
        assert.equal(
          await store.transact(addSentMessage, { ...m, id: 'msg_out_gone', direction: 'out' }),
          false,
          'erased while on its way',
        );
        await store.transact(enqueue, {
          id: 'msg_out_1',
          appId: app.id,
          kind: 'message',
          type: 'help',
          phone: m.phone,
          body: {},
          now: T0,
        });
        assert.equal(
          await store.transact(addSentMessage, { ...m, id: 'msg_out_1', direction: 'out', at: T0 + 1 }),
          true,
        );
        assert.equal((await store.read(messageById, 'msg_out_1'))?.direction, 'out');
        assert.deepEqual(
          (await store.read(messagesOf, app.id, m.phone)).map((x) => x.id),
          ['msg_in_1', 'msg_out_1'],
        );
      });
    });

    describe('users.ts', () => {
      it('Should page users in first-seen order with filters and a cursor that survives new arrivals', async () => {
        const app = await newApp(store);
        const phones = Array.from({ length: 7 }, (_, i) => `1415555040${i}`);
        for (const [i, p] of phones.entries())
          await recordConsent(
            store,
            consent(app.id, {
              phone: p,
              at: T0 + i,
              via: i % 2 ? 'url' : 'qr',
              action: i === 3 ? 'opt_out' : 'opt_in',
            }),
          );
        await store.transact(recordActivity, app.id, phones[0]!, T0 + 10, T0 + 10);
        const first = await store.read(listUsers, app.id, {}, { after: null, limit: 3, now: T0 + 20 });
        assert.deepEqual(
          first.users.map((u) => u.phone),
          phones.slice(0, 3),
        );
        await recordConsent(store, consent(app.id, { phone: '14155550499', at: T0 + 100 }));
        const second = await store.read(
          listUsers,
          app.id,
          {},
          { after: decodeCursor(first.next!), limit: 10, now: T0 + 20 },
        );
        assert.deepEqual(
          second.users.map((u) => u.phone),
          [...phones.slice(3), '14155550499'],
        );
        assert.equal(second.next, null);
        const url = await store.read(listUsers, app.id, { via: 'url' }, { after: null, limit: 10, now: T0 + 20 });
        assert.deepEqual(
          url.users.map((u) => u.phone),
          [phones[1], phones[3], phones[5]],
          'via is how the latest change came: phones[3] opted out by url',
        );
        const out = await store.read(
          listUsers,
          app.id,
          { optin: 'opted_out' },
          { after: null, limit: 10, now: T0 + 20 },
        );
        assert.deepEqual(
          out.users.map((u) => u.phone),
          [phones[3]],
        );
        const active = await store.read(
          listUsers,
          app.id,
          { activity: 'active' },
          { after: null, limit: 10, now: T0 + 20 },
        );
        assert.deepEqual(
          active.users.map((u) => u.phone),
          [phones[0]],
        );
        const later = await store.read(
          listUsers,
          app.id,
          { activity: 'active' },
          { after: null, limit: 10, now: T0 + 10 + DAY },
        );
        assert.deepEqual(later.users, [], 'inactive 24 h after the last message');
        const strict = await store.read(
          listUsers,
          app.id,
          { optin: 'opted_in', unverifiedCountsAsOptin: false },
          { after: null, limit: 10, now: T0 },
        );
        assert.deepEqual(strict.users, [], 'unverified web consents do not count when the app says so');
      });

      it('Should read a history with the exact wording, and only the most recent records when limited', async () => {
        const app = await newApp(store);
        const c = consent(app.id, { phone: '14155550410' });
        await recordConsent(store, c);
        for (let i = 0; i < 4; i++)
          await store.transact(addMessage, {
            id: `h${i}`,
            appId: app.id,
            phone: '14155550410',
            direction: 'in',
            channel: 'sms',
            text: `m${i}`,
            at: T0 + i,
          });
        const all = await store.read(userHistory, app.id, '14155550410');
        assert.equal(all.consents[0]!.wordingText, c.wording!.text);
        assert.equal(all.messages.length, 4);
        const some = await store.read(userHistory, app.id, '14155550410', { lastMessages: 2, lastConsents: 1 });
        assert.deepEqual(
          some.messages.map((m) => m.text),
          ['m2', 'm3'],
        );
        assert.equal(some.totalMessages, 4);
        assert.equal(some.totalConsents, 1);
      });

      it('Should erase a person in one transaction and keep only anonymous counts', async () => {
        const app = await newApp(store, { callbackUrl: 'https://business.example/hook' });
        await recordConsent(store, consent(app.id, { phone: '14155550420', campaign: 'spring' }));
        await store.transact(addMessage, {
          id: 'e1',
          appId: app.id,
          phone: '14155550420',
          direction: 'in',
          channel: 'sms',
          text: 'hi',
          at: T0,
        });
        await store.transact(claimInbound, app.id, 'twilio', 'SMe1', '14155550420', T0);
        const r = await store.transact(eraseUser, app.id, '14155550420', {
          id: 'erasure-1',
          actor: 'admin',
          now: T0 + 1,
        });
        assert.deepEqual(
          { found: r.found, consents: r.consents, messages: r.messages, events: r.events },
          { found: true, consents: 1, messages: 1, events: 1 },
        );
        assert.equal(await store.read(getUser, app.id, '14155550420'), null);
        assert.deepEqual(await store.read(consentsFor, app.id, '14155550420'), []);
        assert.equal(
          await store.transact(claimInbound, app.id, 'twilio', 'SMe1', '14155550420', T0),
          true,
          'the provider id is gone too',
        );
        const again = await store.transact(eraseUser, app.id, '14155550420', {
          id: 'erasure-3',
          actor: 'admin',
          now: T0 + 3,
        });
        assert.equal(again.found, false);
      });
    });
  });
}

export type { AppRecord };
