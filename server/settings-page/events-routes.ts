import type { Context, Hono } from 'hono';
import { parseSince } from '../services/event-view.js';
import type { Deps } from '../deps.js';
import { listOutbox, outboxEntry, recoverSince, retryNow } from '../store/outbox.js';
import { fill } from '../views/messages.js';
import { refuse, sendPage, type SettingsEnv } from './http.js';
import { eventsPage, RECOVER_SINCE } from './views/events.js';
import { when } from './views/users.js';

/** How many of the latest user-events the screen lists. */
const SHOWN = 50;

/** The user-events screen: their delivery, "Retry now" and "Recover since…" (the same as the API and the CLI). */
export function settingsEventRoutes(deps: Deps, r: Hono<SettingsEnv>): void {
  const page = async (c: Context<SettingsEnv>, status: 200 | 409, o: { notice?: string; error?: string } = {}) => {
    const app = c.get('session')!.app;
    const items = await deps.store.read(listOutbox, app.id, 'event', { limit: SHOWN });
    return sendPage(c, status, eventsPage(c.get('ctx'), { items, now: deps.clock.now(), ...o }));
  };

  r.get('/settings/events', (c) => {
    const { m } = c.get('ctx');
    const done = c.req.query('done');
    const n = Number(c.req.query('n') ?? 0);
    const notice =
      done === 'retry'
        ? m.doneRetry
        : done === 'recover'
          ? fill(m.doneRecover, { n: String(Number.isInteger(n) ? n : 0) })
          : undefined;
    return page(c, 200, { notice });
  });

  r.post('/settings/events/retry', async (c) => {
    const app = c.get('session')!.app;
    const id = c.get('form').get('id') ?? '';
    const entry = id.length <= 100 ? await deps.store.read(outboxEntry, id) : null;
    if (!entry || entry.item.appId !== app.id || entry.item.kind !== 'event') return refuse(c, 404, 'notFound');
    if ((await deps.store.transact(retryNow, id, deps.clock.now())) === 'claimed') {
      return page(c, 409, {
        error: fill(c.get('ctx').m.errHeld, { until: when(entry.item.lockedUntil, c.get('ctx').lang) }),
      });
    }
    return c.redirect('/settings/events?done=retry', 303);
  });

  r.post('/settings/events/recover', async (c) => {
    const app = c.get('session')!.app;
    const choice = c.get('form').get('since') ?? '';
    const now = deps.clock.now();
    if (!(RECOVER_SINCE as readonly string[]).includes(choice)) return refuse(c, 400, 'badRequest');
    const n = await deps.store.transact(recoverSince, app.id, 'event', parseSince(choice, now)!, now);
    return c.redirect(`/settings/events?done=recover&n=${n}`, 303);
  });
}
