import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { appFor } from '../middleware/bearer-auth.js';
import { sentEvent } from '../delivery/user-events.js';
import { listOutbox, outboxEntry, replay, type OutboxItem } from '../store/outbox.js';
import { AppParam, errorResponses, iso, json, openApiRouter } from './openapi.js';

const errors = errorResponses(400, 401, 403, 404, 409);
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
    attempts: z.number(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    payload: z.unknown(),
  })
  .openapi('UserEvent');

function eventView(e: OutboxItem) {
  return {
    id: e.id,
    type: e.type,
    status: e.status,
    attempts: e.attempts,
    nextAttemptAt: e.status === 'pending' ? iso(e.nextAt) : null,
    lastError: e.lastError,
    createdAt: iso(e.createdAt),
    payload: e.kind === 'event' ? sentEvent(e) : e.body,
  };
}

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/events',
  summary: 'User-events and their delivery, newest first',
  security: [{ bearer: [] }],
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
    ...errors,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/events/{id}',
  summary: 'One user-event with every delivery attempt',
  security: [{ bearer: [] }],
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
    ...errors,
  },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/api/v1/apps/{app}/events/{id}/replay',
  summary: 'Send a delivered or failed event again, with the same webhook-id',
  security: [{ bearer: [] }],
  request: { params: EventP },
  responses: { 202: json(EventView, 'Queued again'), ...errors },
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
    return c.json(
      { events: page.map(eventView), next: items.length > q.limit ? String(page[page.length - 1]!.seq) : null },
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
    return c.json({ ...eventView(e.item), deliveries: e.attempts.map((a) => ({ ...a, at: iso(a.at) })) }, 200);
  });

  api.openapi(replayRoute, async (c) => {
    const p = c.req.valid('param');
    const app = await appFor(deps, c, p.app);
    await mine(app.id, p.id);
    if (!(await deps.store.transact(replay, p.id, deps.clock.now())))
      throw new ApiError(409, 'already_pending', 'The event is already waiting to be delivered.');
    return c.json(eventView((await mine(app.id, p.id)).item), 202);
  });

  return api;
}
