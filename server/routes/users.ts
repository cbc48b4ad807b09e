import { createRoute, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { CONSENT_ACTIONS, VIAS, type ConsentAction, type Via } from '../../core/optin-state.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { actorOf, appFor } from '../middleware/bearer-auth.js';
import { recordBusinessChange } from '../services/consent.js';
import { usersCsvStream } from '../services/export.js';
import { phoneParam } from '../services/phone-param.js';
import { userView } from '../services/user-view.js';
import { decodeCursor, eraseUser, listUsers, userHistory } from '../store/users.js';
import { apiErrors, AppParam, BEARER, iso, json, openApiRouter } from './openapi.js';

const Status = z.enum(['opted_in', 'opted_out', 'none']);

export const UserView = z
  .object({
    phone: z.string().openapi({ example: '525512345678', description: 'E.164 digits: the canonical spelling' }),
    aliases: z.array(z.string()).openapi({
      example: ['5215512345678'],
      description:
        'Other spellings of the same number this person was seen under: a WhatsApp ID that differs from the phone number (Mexico 521…, Brazil without the ninth digit, Argentina 54… for 549…). Each finds this person.',
    }),
    optin: z.enum(['opted_in', 'opted_out', 'none']),
    activity: z.enum(['active', 'inactive']),
    via: z.enum(VIAS as [Via, ...Via[]]).nullable(),
    verified: z.boolean(),
    flagged: z.boolean().openapi({ description: 'A web consent typed this number, but another number verified it.' }),
    optinAt: z.string().nullable(),
    lastInboundAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    purposes: z.object({ marketing: Status, utility: Status, authentication: Status }).openapi({
      description:
        'The status per purpose (template category): `marketing` is opted_out when the person stopped marketing messages in WhatsApp, whatever `optin` says.',
    }),
    movedTo: z.string().nullable().openapi({
      description: 'The number the person moved to (WhatsApp `user_changed_number`); this one is not theirs any more.',
    }),
  })
  .openapi('User');

const ConsentView = z
  .object({
    id: z.string(),
    phone: z.string().openapi({
      description:
        'The spelling of the number this record was written with (the typed number, or the WhatsApp ID that sent the message); empty for a web consent that asked for no number',
    }),
    action: z.enum(CONSENT_ACTIONS as [ConsentAction, ...ConsentAction[]]),
    via: z.string(),
    at: z.string(),
    wordingVersion: z.number().nullable(),
    wordingSha256: z.string().nullable(),
    wordingText: z
      .string()
      .nullable()
      .openapi({ description: 'The exact text the person was shown; its SHA-256 is wordingSha256.' }),
    locale: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    page: z.string().nullable(),
    campaign: z.string().nullable(),
    ref: z.string().nullable(),
    linkedId: z.string().nullable(),
    actor: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable().openapi({
      description:
        'What the record proves beyond its columns: `referral` (the Click-to-WhatsApp ad), `newPhone`/`previousPhone` (a number change), `detail` (WhatsApp’s words for a preference).',
    }),
  })
  .openapi('ConsentRecord');

export const P = {
  app: AppParam.shape.app,
  phone: z.string().openapi({
    param: { name: 'phone', in: 'path' },
    example: '14155550123',
    description:
      'International digits, with or without + (never read in the app’s defaultCountry). Any spelling of a person’s number finds them (a WhatsApp ID 521… for 52…), and digits stored as they are (a sender that is no valid number) find that sender.',
  }),
};

const OptinBody = z
  .object({
    campaign: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  })
  .strict()
  .openapi('ApiOptin');

const optRoute = (action: 'optin' | 'optout') =>
  createRoute({
    method: 'put',
    path: `/api/v1/apps/{app}/users/{phone}/${action}`,
    operationId: action === 'optin' ? 'optInUser' : 'optOutUser',
    summary: action === 'optin' ? 'Opt a user in (via api)' : 'Opt a user out (via api); takes effect at once',
    security: BEARER,
    tags: ['Users'],
    request: { params: z.object(P), body: { required: false, content: { 'application/json': { schema: OptinBody } } } },
    responses: { 200: json(UserView, 'The user’s state after the change'), ...apiErrors('put') },
  });

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/users',
  operationId: 'listUsers',
  summary: 'Users with their status, keyset-paginated',
  security: BEARER,
  tags: ['Users'],
  request: {
    params: z.object({ app: P.app }),
    query: z.object({
      optin: z.enum(['opted_in', 'opted_out', 'none']).optional(),
      activity: z.enum(['active', 'inactive']).optional(),
      via: z.enum(VIAS as [Via, ...Via[]]).optional(),
      marketing: Status.optional().openapi({
        description: 'The marketing purpose’s status: opted_in finds who may get marketing templates',
      }),
      cursor: z.string().max(200).optional().openapi({ description: 'The `next` of the previous page' }),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: {
    200: json(z.object({ users: z.array(UserView), next: z.string().nullable() }).openapi('UserPage'), 'One page'),
    ...apiErrors('get'),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/users/{phone}',
  operationId: 'getUser',
  summary: 'One user’s state and complete consent history',
  security: BEARER,
  tags: ['Users'],
  request: { params: z.object(P) },
  responses: {
    200: json(
      z.object({
        user: UserView,
        consents: z.array(ConsentView),
        messages: z.array(
          z.object({
            id: z.string(),
            direction: z.enum(['in', 'out']),
            channel: z.string(),
            text: z.string(),
            at: z.string(),
          }),
        ),
      }),
      'The user and their history',
    ),
    ...apiErrors('get'),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/v1/apps/{app}/users/{phone}',
  operationId: 'eraseUser',
  summary: 'Erase a person: state, consent records, messages and pending events. Anonymous counts stay.',
  security: BEARER,
  tags: ['Users'],
  request: { params: z.object(P) },
  responses: {
    200: json(
      z.object({
        erased: z.boolean(),
        erasureId: z.string(),
        consents: z.number(),
        messages: z.number(),
        events: z.number(),
      }),
      'Erased',
    ),
    ...apiErrors('delete'),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/users.csv',
  operationId: 'exportUsers',
  summary: 'Every user as CSV, streamed',
  security: BEARER,
  tags: ['Users'],
  request: { params: z.object({ app: P.app }) },
  responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...apiErrors('get') },
});

/** The business API's users: opt-in and opt-out, pages, one person's history, the export, erasure. */
export function userRoutes(deps: Deps) {
  const api = openApiRouter();
  const opt = (action: 'optin' | 'optout') =>
    api.openapi(optRoute(action), async (c) => {
      const { app: name, phone: raw } = c.req.valid('param');
      const app = await appFor(deps, c, name);
      const phone = await phoneParam(deps, app, raw);
      const body = c.req.header('content-type') ? c.req.valid('json') : {};
      const r = await recordBusinessChange(deps, app, phone, {
        action: action === 'optin' ? 'opt_in' : 'opt_out',
        actor: actorOf(c.get('caller')),
        campaign: body?.campaign ?? null,
        userAgent: c.req.header('user-agent') ?? null,
      });
      return c.json(userView(r.user!, deps.clock.now(), app.settings.unverifiedCountsAsOptin), 200);
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
    const page = await deps.store.read(
      listUsers,
      app.id,
      { optin: q.optin, activity: q.activity, via: q.via, marketing: q.marketing, unverifiedCountsAsOptin: counts },
      { after, limit: q.limit, now },
    );
    return c.json({ users: page.users.map((u) => userView(u, now, counts)), next: page.next }, 200);
  });

  api.openapi(exportRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    // Pulled page by page: memory stays flat whatever the number of users.
    return new Response(usersCsvStream(deps.store, app, deps.clock.now()), {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${app.name}-users.csv"`,
        'cache-control': 'no-store',
      },
    }) as never;
  });

  api.openapi(getRoute, async (c) => {
    const { app: name, phone: raw } = c.req.valid('param');
    const app = await appFor(deps, c, name);
    const phone = await phoneParam(deps, app, raw);
    const h = await deps.store.read(userHistory, app.id, phone);
    if (!h.user && h.consents.length === 0)
      throw new ApiError(404, 'user_not_found', 'Nothing is stored about that number.');
    const now = deps.clock.now();
    const user = h.user ?? {
      appId: app.id,
      phone,
      optin: 'none' as const,
      via: null,
      verified: false,
      flagged: false,
      optinAt: null,
      lastInboundAt: null,
      createdAt: h.consents[0]!.at,
      updatedAt: h.consents[0]!.at,
    };
    return c.json(
      {
        user: userView(user, now, app.settings.unverifiedCountsAsOptin),
        consents: h.consents.map((r) => ({ ...r, detail: r.detail ?? null, at: iso(r.at), appId: undefined })),
        messages: h.messages.map((m) => ({
          id: m.id,
          direction: m.direction,
          channel: m.channel,
          text: m.text,
          at: iso(m.at),
        })),
      },
      200,
    );
  });

  api.openapi(deleteRoute, async (c) => {
    const { app: name, phone: raw } = c.req.valid('param');
    const app = await appFor(deps, c, name);
    const phone = await phoneParam(deps, app, raw);
    const r = await deps.store.transact(eraseUser, app.id, phone, {
      id: randomUUID(),
      actor: actorOf(c.get('caller')),
      now: deps.clock.now(),
    });
    return c.json(
      { erased: r.found, erasureId: r.erasureId, consents: r.consents, messages: r.messages, events: r.events },
      200,
    );
  });

  return api;
}
