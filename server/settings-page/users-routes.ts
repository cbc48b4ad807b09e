import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { z } from 'zod';
import { fill } from '../views/messages.js';
import { VIAS, type Via } from '../../core/optin-state.js';
import { maskPhone } from '../../core/phone.js';
import type { Deps } from '../deps.js';
import { usersCsvStream } from '../services/export.js';
import { MAX_PHONE_REF, phoneRefs, type PhoneRefs } from './session.js';
import { userView } from '../services/user-view.js';
import { recordBusinessChange } from '../services/consent.js';
import { funnelStats } from '../store/funnel.js';
import { decodeCursor, eraseUser, listUsers, userHistory } from '../store/users.js';
import { funnelPage } from './views/funnel.js';
import { confirmPage, usersPage } from './views/users.js';
import { refuse, sendPage, type SettingsEnv } from './http.js';

const PAGE_SIZE = 25;
/** The history drawer holds this many of a person's most recent consent records, and of their messages. */
export const HISTORY_SHOWN = 20;
const DAY = 86_400_000;

const empty = (v: unknown) => (v === '' ? undefined : v);
const UsersQuery = z.object({
  optin: z.preprocess(empty, z.enum(['opted_in', 'opted_out', 'none']).optional()),
  activity: z.preprocess(empty, z.enum(['active', 'inactive']).optional()),
  via: z.preprocess(empty, z.enum(VIAS as [Via, ...Via[]]).optional()),
  cursor: z.preprocess(empty, z.string().max(200).optional()),
  reveal: z.preprocess(empty, z.literal('1').optional()),
  done: z.preprocess(empty, z.enum(['optout', 'erased', 'nothing']).optional()),
  p: z.preprocess(empty, z.string().max(MAX_PHONE_REF).optional()),
  /** Search by number: the digits typed (spaces, + and dashes ignored). */
  q: z.preprocess(
    (v) => (typeof v === 'string' ? v.replace(/[\s+().-]/g, '') || undefined : v),
    z
      .string()
      .regex(/^\d{1,15}$/)
      .optional(),
  ),
  lang: z.string().optional(),
});

/**
 * A person as a row's links and forms name them (see phoneRefs). A ref is sealed by this session, so
 * its digits are a users row's phone as stored, valid number or not (a WhatsApp ID libphonenumber
 * does not know is still a person to opt out or erase).
 */
function phoneOf(refs: PhoneRefs, ref: string | null | undefined): string | null {
  const digits = refs.phone(ref);
  return digits && /^\d{1,15}$/.test(digits) ? digits : null;
}

/** The opt-ins screen, its confirmations, opt-out, erasure and export; and the funnel. */
export function settingsUserRoutes(deps: Deps, r: Hono<SettingsEnv>): void {
  r.get('/settings/users', async (c) => {
    const ctx = c.get('ctx');
    const app = c.get('session')!.app;
    const q = UsersQuery.safeParse(c.req.query());
    if (!q.success) return refuse(c, 400, 'badRequest');
    const after = q.data.cursor ? decodeCursor(q.data.cursor) : null;
    if (q.data.cursor && !after) return refuse(c, 400, 'badRequest');
    const now = deps.clock.now();
    const counts = app.settings.unverifiedCountsAsOptin;
    const filter = { optin: q.data.optin, activity: q.data.activity, via: q.data.via, q: q.data.q };
    // Newest first: the opt-ins a marketer looks for are the ones that just came in.
    const page = await deps.store.read(
      listUsers,
      app.id,
      { ...filter, digits: filter.q, unverifiedCountsAsOptin: counts },
      { after, limit: PAGE_SIZE, now, newestFirst: true },
    );
    // The history drawers are plain <details>, so they work without JavaScript: read with the page,
    // only the most recent records of each person, so that the page stays small however many arrive.
    const histories = await Promise.all(
      page.users.map((u) =>
        deps.store.read(userHistory, app.id, u.phone, { lastMessages: HISTORY_SHOWN, lastConsents: HISTORY_SHOWN }),
      ),
    );
    const rows = page.users.map((u, i) => {
      const v = userView(u, now, counts);
      return {
        phone: u.phone,
        optin: v.optin,
        activity: v.activity,
        via: u.via,
        verified: u.verified,
        at: u.optinAt ?? u.createdAt,
        history: histories[i]!,
      };
    });
    const reveal = q.data.reveal === '1';
    const refs = phoneRefs(c.get('session')!);
    const done = refs.phone(q.data.p);
    const who = done ? (reveal ? `+${done}` : maskPhone(done)) : '';
    const notice =
      q.data.done === 'optout'
        ? fill(ctx.m.doneOptOut, { phone: who })
        : q.data.done === 'erased'
          ? ctx.m.doneErase
          : q.data.done === 'nothing'
            ? ctx.m.doneEraseNothing
            : undefined;
    return sendPage(
      c,
      200,
      usersPage(ctx, { rows, filter, cursor: q.data.cursor ?? null, next: page.next, reveal, notice, ref: refs.ref }),
    );
  });

  r.get('/settings/users/confirm', (c) => {
    const action = c.req.query('action');
    const refs = phoneRefs(c.get('session')!);
    const phone = phoneOf(refs, c.req.query('p'));
    if ((action !== 'optout' && action !== 'erase') || !phone) return refuse(c, 400, 'badRequest');
    return sendPage(
      c,
      200,
      confirmPage(c.get('ctx'), { action, phone, reveal: c.req.query('reveal') === '1', ref: refs.ref }),
    );
  });

  r.post('/settings/users/optout', async (c) => {
    const app = c.get('session')!.app;
    const f = c.get('form');
    const refs = phoneRefs(c.get('session')!);
    const phone = phoneOf(refs, f.get('p'));
    if (!phone || f.get('confirm') !== 'yes') return refuse(c, 400, 'badRequest');
    // The same record as PUT …/users/:phone/optout, with this session as the actor.
    await recordBusinessChange(deps, app, phone, {
      action: 'opt_out',
      actor: 'session',
      userAgent: c.req.header('user-agent') ?? null,
    });
    return c.redirect(
      `/settings/users?done=optout&p=${refs.ref(phone)}${f.get('reveal') === '1' ? '&reveal=1' : ''}`,
      303,
    );
  });

  r.post('/settings/users/erase', async (c) => {
    const app = c.get('session')!.app;
    const f = c.get('form');
    const phone = phoneOf(phoneRefs(c.get('session')!), f.get('p'));
    if (!phone || f.get('confirm') !== 'yes') return refuse(c, 400, 'badRequest');
    const { found } = await deps.store.transact(eraseUser, app.id, phone, {
      id: randomUUID(),
      actor: 'session',
      now: deps.clock.now(),
    });
    return c.redirect(
      `/settings/users?done=${found ? 'erased' : 'nothing'}${f.get('reveal') === '1' ? '&reveal=1' : ''}`,
      303,
    );
  });

  // The same stream as GET /api/v1/apps/:app/users.csv, authorized by the session cookie.
  r.get('/settings/users.csv', (c) => {
    const app = c.get('session')!.app;
    return new Response(usersCsvStream(deps.store, app, deps.clock.now()), {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${app.name}-users.csv"`,
      },
    });
  });

  r.get('/settings/funnel', async (c) => {
    const app = c.get('session')!.app;
    const d = c.req.query('days') ?? '7';
    if (d !== '7' && d !== '30') return refuse(c, 400, 'badRequest');
    const days = d === '7' ? 7 : 30;
    // Views and redirects wait in memory for up to 5 s; count them now so the chart is current.
    await deps.funnel.flush(deps.store).catch(() => {});
    const now = deps.clock.now();
    const rows = await deps.store.read(funnelStats, app.id, now - days * DAY, now);
    return sendPage(c, 200, funnelPage(c.get('ctx'), { days, rows }));
  });
}
