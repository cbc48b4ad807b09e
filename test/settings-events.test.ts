import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { recordBusinessChange } from '../server/services/consent.js';
import { updateApp } from '../server/services/apps.js';
import { claimDue, finishAttempts, outboxEntry } from '../server/store/outbox.js';
import type { AppRecord } from '../server/store/index.js';
import { harness, type TestHarness } from './support/server.js';
import { csrfOf, get, post, signIn } from './support/settings.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const T0 = Date.parse('2026-11-20T09:00:00Z');

for (const kind of STORE_KINDS) {
  describe(`the Settings page's user-events screen (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let app: AppRecord;
    let cookie: string;
    let csrf: string;
    const clock = manualClock(T0);
    const ids: string[] = [];

    before(async () => {
      h = await harness(kind, { clock });
      const made = await h.makeApp({ name: 'EventsShop', displayName: 'Events Shop' });
      app = await updateApp(h.store, made.app, { settings: { callbackUrl: 'https://business.example/hook' } }, T0);
      cookie = (await signIn(h, made.apiKey)).cookie!;
      csrf = await csrfOf(h, cookie);
      for (const p of ['14155550901', '14155550902', '14155550903']) {
        await recordBusinessChange(h.deps, app, p, { action: 'opt_in', actor: 'test' });
      }
      // One delivered, one failed for good, one held by a worker that stopped.
      const claimed = await h.store.transact(claimDue, T0, 10, 60_000);
      ids.push(...claimed.map((c) => c.id));
      const outcome = (i: number, status: 'delivered' | 'failed') => ({
        id: claimed[i]!.id,
        claim: claimed[i]!.lockedUntil,
        attempt: {
          at: T0 + 1,
          status: status === 'delivered' ? 204 : 410,
          error: status === 'delivered' ? null : 'HTTP 410',
          ms: 3,
        },
        next: { status, nextAt: T0 + 1, attempts: 1 },
      });
      await h.store.transact(finishAttempts, [outcome(0, 'delivered'), outcome(1, 'failed')]);
    });
    after(() => h.close());

    it('Should list the latest events with their delivery said plainly, numbers masked', async () => {
      const res = await get(h, '/settings/events', cookie);
      assert.equal(res.status, 200);
      const page = await res.text();
      assert.match(page, /aria-current="page">Events</);
      assert.match(page, /<td>Delivered<\/td>/);
      assert.match(page, /<td>Failed<\/td>/);
      assert.match(page, /<td>Being delivered <span/);
      assert.match(page, /a worker holds it until/);
      assert.match(page, /HTTP 410/);
      assert.doesNotMatch(page, /14155550901/);
      assert.match(page, /•••••••0901/);
      assert.equal((page.match(/>Retry now</g) ?? []).length, 2, 'no retry button on the held event');
    });

    it('Should retry one event now, refuse to retry one a worker holds, and recover everything since a time', async () => {
      const retried = await post(h, '/settings/events/retry', { csrf, id: ids[1]! }, cookie);
      assert.equal(retried.status, 303);
      assert.equal(retried.headers.get('location'), '/settings/events?done=retry');
      const e = (await h.store.read(outboxEntry, ids[1]!))!.item;
      assert.deepEqual(
        { status: e.status, attempts: e.attempts, nextAt: e.nextAt },
        { status: 'pending', attempts: 0, nextAt: T0 },
      );
      const held = await post(h, '/settings/events/retry', { csrf, id: ids[2]! }, cookie);
      assert.equal(held.status, 409);
      assert.match(await held.text(), /A worker holds this event until/);
      assert.equal((await post(h, '/settings/events/retry', { csrf, id: 'evt_not_mine' }, cookie)).status, 404);
      assert.equal(
        (await post(h, '/settings/events/retry', { id: ids[0]! }, cookie)).status,
        403,
        'the CSRF token is required',
      );
      const recovered = await post(h, '/settings/events/recover', { csrf, since: '24h' }, cookie);
      assert.equal(recovered.status, 303);
      assert.equal(
        recovered.headers.get('location'),
        '/settings/events?done=recover&n=0',
        'nothing else failed or waits',
      );
      assert.match(await (await get(h, '/settings/events?done=recover&n=0', cookie)).text(), /0 events are due now/);
      assert.equal((await post(h, '/settings/events/recover', { csrf, since: 'forever' }, cookie)).status, 400);
    });
  });
}
