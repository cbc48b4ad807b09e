import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { eligibility } from '../../core/eligibility.js';
import { VIAS, type Via } from '../../core/optin-state.js';
import { normalizePhone } from '../../core/phone.js';
import { effectiveOptin } from '../../core/verified-optin.js';
import { appFor, type AuthEnv, type Caller } from '../auth.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import type { AppRecord } from '../store/index.js';
import { decodeCursor, eraseUser, funnelStats, listUsers, userHistory } from '../store/users.js';
import { usersCsvStream } from '../services/export.js';
import { userView } from '../services/user-view.js';
import { AppParam, errorResponses, iso, json } from './openapi.js';


export const UserView = z
  .object({
    phone: z.string().openapi({ example: '14155550123' }),
    optin: z.enum(['opted_in', 'opted_out', 'none']),
    activity: z.enum(['active', 'inactive']),
    via: z.enum(VIAS as [Via, ...Via[]]).nullable(),
    verified: z.boolean(),
    flagged: z.boolean().openapi({ description: 'A web consent typed this number, but another number verified it.' }),
    optinAt: z.string().nullable(),
    lastInboundAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');


const ConsentView = z
  .object({
    id: z.string(),
    action: z.enum(['opt_in', 'opt_out', 'verify', 'prompt_sent']),
    via: z.string(),
    at: z.string(),
    wordingVersion: z.number().nullable(),
    wordingSha256: z.string().nullable(),
    wordingText: z.string().nullable().openapi({ description: 'The exact text the person was shown; its SHA-256 is wordingSha256.' }),
    locale: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    page: z.string().nullable(),
    campaign: z.string().nullable(),
    ref: z.string().nullable(),
    linkedId: z.string().nullable(),
    actor: z.string().nullable(),
  })
  .openapi('ConsentRecord');

const P = {
  app: AppParam.shape.app,
  phone: z.string().openapi({ param: { name: 'phone', in: 'path' }, example: '14155550123', description: 'E.164, with or without +' }),
};
const errors = errorResponses(400, 401, 403, 404, 422);

function phoneParam(app: AppRecord, raw: string): string {
  const r = normalizePhone(decodeURIComponent(raw), (app.settings.defaultCountry ?? undefined) as never);
  if (!r.ok) throw new ApiError(422, 'invalid_phone', `"${raw}" is not a valid phone number. Use E.164, for example 14155550123.`);
  return r.phone;
}

const actorOf = (c: Caller) => (c.kind === 'admin' ? 'admin' : `key:${c.keyId}`);

const OptinBody = z.object({ campaign: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional() }).strict().openapi('ApiOptin');

const optRoute = (action: 'optin' | 'optout') =>
  createRoute({
    method: 'put',
    path: `/api/v1/apps/{app}/users/{phone}/${action}`,
    summary: action === 'optin' ? 'Opt a user in (via api)' : 'Opt a user out (via api); takes effect at once',
    security: [{ bearer: [] }],
    request: { params: z.object(P), body: { required: false, content: { 'application/json': { schema: OptinBody } } } },
    responses: { 200: json(UserView, 'The user’s state after the change'), ...errors },
  });

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/users',
  summary: 'Users with their status, keyset-paginated',
  security: [{ bearer: [] }],
  request: {
    params: z.object({ app: P.app }),
    query: z.object({
      optin: z.enum(['opted_in', 'opted_out', 'none']).optional(),
      activity: z.enum(['active', 'inactive']).optional(),
      via: z.enum(VIAS as [Via, ...Via[]]).optional(),
      cursor: z.string().max(200).optional().openapi({ description: 'The `next` of the previous page' }),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: { 200: json(z.object({ users: z.array(UserView), next: z.string().nullable() }).openapi('UserPage'), 'One page'), ...errors },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/users/{phone}',
  summary: 'One user’s state and complete consent history',
  security: [{ bearer: [] }],
  request: { params: z.object(P) },
  responses: {
    200: json(
      z.object({
        user: UserView,
        consents: z.array(ConsentView),
        messages: z.array(z.object({ id: z.string(), direction: z.enum(['in', 'out']), channel: z.string(), text: z.string(), at: z.string() })),
      }),
      'The user and their history',
    ),
    ...errors,
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/v1/apps/{app}/users/{phone}',
  summary: 'Erase a person: state, consent records, messages and pending events. Anonymous counts stay.',
  security: [{ bearer: [] }],
  request: { params: z.object(P) },
  responses: { 200: json(z.object({ erased: z.boolean(), erasureId: z.string(), consents: z.number(), messages: z.number(), events: z.number() }), 'Erased'), ...errors },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/users.csv',
  summary: 'Every user as CSV, streamed',
  security: [{ bearer: [] }],
  request: { params: z.object({ app: P.app }) },
  responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errors },
});

const eligibilityRoute = createRoute({
  method: 'post',
  path: '/api/v1/apps/{app}/eligibility',
  summary: 'May this message be delivered, and how?',
  security: [{ bearer: [] }],
  request: {
    params: z.object({ app: P.app }),
    body: { required: true, content: { 'application/json': { schema: z.object({ phone: z.string().max(64), kind: z.enum(['text', 'template']), matchesTemplate: z.boolean().default(false) }).strict().openapi('EligibilityRequest') } } },
  },
  responses: {
    200: json(
      z.object({ deliver: z.enum(['session', 'template', 'blocked']), reason: z.enum(['active_session', 'outside_session_window', 'not_opted_in', 'approved_template', 'no_matching_template']) }).openapi('Eligibility'),
      'The decision',
    ),
    ...errors,
  },
});

const FunnelRowView = z.object({ via: z.string(), campaign: z.string(), views: z.number(), consents: z.number(), redirects: z.number(), verified: z.number(), optOuts: z.number() });
const statsRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/stats',
  summary: 'The funnel by via and campaign',
  security: [{ bearer: [] }],
  request: {
    params: z.object({ app: P.app }),
    query: z.object({
      from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().openapi({ description: 'Default: 30 days before `to`' }),
      to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().openapi({ description: 'Default: now' }),
    }),
  },
  responses: { 200: json(z.object({ from: z.string(), to: z.string(), rows: z.array(FunnelRowView), totals: FunnelRowView.omit({ via: true, campaign: true }) }).openapi('Stats'), 'The funnel'), ...errors },
});

/** The business API's users, eligibility and stats. */
export function userRoutes(deps: Deps, api: OpenAPIHono<AuthEnv>): void {
  const opt = (action: 'optin' | 'optout') =>
    api.openapi(optRoute(action), async (c) => {
      const { app: name, phone: raw } = c.req.valid('param');
      const app = await appFor(deps, c, name);
      const phone = phoneParam(app, raw);
      const body = c.req.header('content-type') ? c.req.valid('json') : {};
      const now = deps.clock.now();
      const r = await deps.store.recordConsent({
        id: randomUUID(),
        appId: app.id,
        phone,
        action: action === 'optin' ? 'opt_in' : 'opt_out',
        via: 'api',
        wording: null,
        locale: null,
        at: now,
        ip: null,
        userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
        page: null,
        campaign: body?.campaign ?? null,
        ref: null,
        actor: actorOf(c.get('caller')),
        verified: false,
        notify: { name: app.name, callbackUrl: app.settings.callbackUrl },
      });
      if (r.changed && app.settings.callbackUrl) deps.wake?.();
      return c.json(userView(r.user!, now, app.settings.unverifiedCountsAsOptin), 200);
    });
  opt('optin');
  opt('optout');

  api.openapi(listRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const q = c.req.valid('query');
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    if (q.cursor && !after) throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API gave out.');
    const now = deps.clock.now();
    const counts = app.settings.unverifiedCountsAsOptin;
    const page = await listUsers(deps.store, app.id, { optin: q.optin, activity: q.activity, via: q.via, unverifiedCountsAsOptin: counts }, { after, limit: q.limit, now });
    return c.json({ users: page.users.map((u) => userView(u, now, counts)), next: page.next }, 200);
  });

  api.openapi(exportRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    // Pulled page by page: memory stays flat whatever the number of users.
    return new Response(usersCsvStream(deps.store, app, deps.clock.now()), {
      status: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${app.name}-users.csv"`, 'cache-control': 'no-store' },
    }) as never;
  });

  api.openapi(getRoute, async (c) => {
    const { app: name, phone: raw } = c.req.valid('param');
    const app = await appFor(deps, c, name);
    const phone = phoneParam(app, raw);
    const h = await userHistory(deps.store, app.id, phone);
    if (!h.user && h.consents.length === 0) throw new ApiError(404, 'user_not_found', 'Nothing is stored about that number.');
    const now = deps.clock.now();
    const user = h.user ?? { appId: app.id, phone, optin: 'none' as const, via: null, verified: false, optinAt: null, lastInboundAt: null, createdAt: h.consents[0]!.at, updatedAt: h.consents[0]!.at };
    return c.json(
      {
        user: userView(user, now, app.settings.unverifiedCountsAsOptin),
        consents: h.consents.map((r) => ({ ...r, at: iso(r.at), appId: undefined, phone: undefined })),
        messages: h.messages.map((m) => ({ ...m, at: iso(m.at) })),
      },
      200,
    );
  });

  api.openapi(deleteRoute, async (c) => {
    const { app: name, phone: raw } = c.req.valid('param');
    const app = await appFor(deps, c, name);
    const phone = phoneParam(app, raw);
    const r = await eraseUser(deps.store, app.id, phone, { id: randomUUID(), actor: actorOf(c.get('caller')), now: deps.clock.now() });
    return c.json({ erased: r.found, erasureId: r.erasureId, consents: r.consents, messages: r.messages, events: r.events }, 200);
  });

  api.openapi(eligibilityRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const b = c.req.valid('json');
    const phone = phoneParam(app, b.phone);
    const u = await deps.store.getUser(app.id, phone);
    const out = eligibility({
      templateMessaging: app.settings.templateMessaging,
      optin: u ? effectiveOptin(u, app.settings.unverifiedCountsAsOptin) : 'none',
      lastInboundAt: u?.lastInboundAt ?? null,
      kind: b.kind,
      matchesTemplate: b.matchesTemplate,
      now: deps.clock.now(),
    });
    return c.json(out, 200);
  });

  api.openapi(statsRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const q = c.req.valid('query');
    const to = q.to ? Date.parse(q.to) : deps.clock.now();
    const from = q.from ? Date.parse(q.from) : to - 30 * 86_400_000;
    if (!(from < to)) throw new ApiError(422, 'invalid_range', 'from must be before to.');
    if (to - from > 400 * 86_400_000) throw new ApiError(422, 'invalid_range', 'The range may be at most 400 days.');
    const rows = await funnelStats(deps.store, app.id, from, to);
    const totals = rows.reduce((t, r) => ({ views: t.views + r.views, consents: t.consents + r.consents, redirects: t.redirects + r.redirects, verified: t.verified + r.verified, optOuts: t.optOuts + r.optOuts }), { views: 0, consents: 0, redirects: 0, verified: 0, optOuts: 0 });
    return c.json({ from: iso(from), to: iso(to), rows, totals }, 200);
  });
}
