import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { appFor } from '../middleware/bearer-auth.js';
import { sentEvent } from '../delivery/user-events.js';
import { deliveryState, nextAttemptAt } from '../services/event-view.js';
import { listOutbox, outboxEntry, recoverSince, retryNow, type OutboxItem } from '../store/outbox.js';
import { apiErrors, AppParam, BEARER, ErrorSchema, iso, json, openApiRouter } from './openapi.js';

const AppP = AppParam;
const EventP = AppP.extend({
  id: z
    .string()
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const EventView = z
  .object({
    id: z.string().openapi({ description: 'The webhook-id, the same on every attempt' }),
    type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    state: z.enum(['due', 'waiting', 'claimed', 'delivered', 'failed']).openapi({
      description:
        '`due`: sent by the next worker round; `waiting`: a retry is scheduled for nextAttemptAt; `claimed`: a worker holds it until claimedUntil (delivering it, or it crashed and the claim runs out then); `delivered`; `failed`.',
    }),
    attempts: z.number(),
    nextAttemptAt: z.string().nullable().openapi({ description: 'Never before a claim runs out; null once done' }),
    claimedUntil: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    payload: z.unknown(),
  })
  .openapi('UserEvent');

function eventView(e: OutboxItem, now: number) {
  const next = nextAttemptAt(e, now);
  return {
    id: e.id,
    type: e.type,
    status: e.status,
    state: deliveryState(e, now),
    attempts: e.attempts,
    nextAttemptAt: next === null ? null : iso(next),
    claimedUntil: e.status === 'pending' && e.lockedUntil > now ? iso(e.lockedUntil) : null,
    lastError: e.lastError,
    createdAt: iso(e.createdAt),
    payload: e.kind === 'event' ? sentEvent(e) : e.body,
  };
}

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/events',
  operationId: 'listEvents',
  tags: ['Events'],
  summary: 'User-events and their delivery, newest first',
  security: BEARER,
  request: {
    params: AppP,
    query: z.object({
      status: z.enum(['pending', 'delivered', 'failed']).optional(),
      cursor: z
        .string()
        .regex(/^\d{1,18}$/)
        .optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: json(z.object({ events: z.array(EventView), next: z.string().nullable() }), 'One page'),
    ...apiErrors('get'),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/events/{id}',
  operationId: 'getEvent',
  tags: ['Events'],
  summary: 'One user-event with every delivery attempt',
  security: BEARER,
  request: { params: EventP },
  responses: {
    200: json(
      EventView.extend({
        deliveries: z.array(
          z.object({
            n: z.number(),
            at: z.string(),
            status: z.number().nullable(),
            error: z.string().nullable(),
            ms: z.number().nullable(),
          }),
        ),
      }),
      'The event',
    ),
    ...apiErrors('get'),
  },
});

const retryRoute = (path: 'retry' | 'replay') =>
  createRoute({
    method: 'post',
    path: `/api/v1/apps/{app}/events/{id}/${path}`,
    operationId: path === 'retry' ? 'retryEvent' : 'replayEvent',
    tags: ['Events'],
    summary:
      path === 'retry'
        ? 'Retry now: a waiting event is due at once; a delivered or failed one is sent again with a fresh schedule. Same webhook-id.'
        : 'The same as /retry (kept for integrations written against round 1)',
    security: BEARER,
    request: { params: EventP },
    responses: {
      202: json(EventView, 'Due now'),
      ...apiErrors('post'),
      409: json(ErrorSchema, 'A worker holds the event (in_flight): see claimedUntil'),
    },
  });

const recoverRoute = createRoute({
  method: 'post',
  path: '/api/v1/apps/{app}/events/recover',
  operationId: 'recoverEvents',
  tags: ['Events'],
  summary:
    'Recover after an outage: every event since a time that failed, or waits for a later retry, is due now (failed ones get a fresh schedule)',
  security: BEARER,
  request: {
    params: AppP,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ since: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-20T08:00:00Z' }) })
            .strict()
            .openapi('RecoverRequest'),
        },
      },
    },
  },
  responses: {
    202: json(z.object({ recovered: z.number().int() }).openapi('Recovered'), 'How many are due now'),
    ...apiErrors('post'),
  },
});

/** User-events: the list, one event with its attempts, and replay. */
export function eventRoutes(deps: Deps) {
  const api = openApiRouter();
  api.openapi(listRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const q = c.req.valid('query');
    const items = await deps.store.read(listOutbox, app.id, 'event', {
      before: q.cursor ? Number(q.cursor) : undefined,
      limit: q.limit + 1,
      status: q.status,
    });
    const page = items.slice(0, q.limit);
    const now = deps.clock.now();
    return c.json(
      {
        events: page.map((e) => eventView(e, now)),
        next: items.length > q.limit ? String(page[page.length - 1]!.seq) : null,
      },
      200,
    );
  });

  const mine = async (appId: string, id: string) => {
    const e = await deps.store.read(outboxEntry, id);
    if (!e || e.item.appId !== appId || e.item.kind !== 'event')
      throw new ApiError(404, 'event_not_found', 'No such event for this app.');
    return e;
  };

  api.openapi(getRoute, async (c) => {
    const p = c.req.valid('param');
    const app = await appFor(deps, c, p.app);
    const e = await mine(app.id, p.id);
    return c.json(
      { ...eventView(e.item, deps.clock.now()), deliveries: e.attempts.map((a) => ({ ...a, at: iso(a.at) })) },
      200,
    );
  });

  for (const path of ['retry', 'replay'] as const) {
    api.openapi(retryRoute(path), async (c) => {
      const p = c.req.valid('param');
      const app = await appFor(deps, c, p.app);
      await mine(app.id, p.id);
      const now = deps.clock.now();
      if ((await deps.store.transact(retryNow, p.id, now)) === 'claimed') {
        const held = (await mine(app.id, p.id)).item;
        throw new ApiError(
          409,
          'in_flight',
          `A worker holds this event until ${iso(held.lockedUntil)}: it is being delivered, or its worker stopped and the claim runs out then.`,
        );
      }
      return c.json(eventView((await mine(app.id, p.id)).item, now), 202);
    });
  }

  api.openapi(recoverRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const since = Date.parse(c.req.valid('json').since);
    const now = deps.clock.now();
    if (since > now) throw new ApiError(422, 'invalid_since', 'since must not be in the future.');
    return c.json({ recovered: await deps.store.transact(recoverSince, app.id, 'event', since, now) }, 202);
  });

  return api;
}
