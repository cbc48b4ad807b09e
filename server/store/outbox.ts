import { all, get, run, type Body } from './driver.js';

/**
 * The outbox: everything that must leave the building, written in the same transaction as the
 * change it reports, so that nothing is lost and nothing is invented. A worker (server/outbox-worker.ts)
 * claims due items, delivers them, and records each attempt.
 *
 * - kind `event`: a user-event for the app's callback URL (`opted-in`, `opted-out`, `verified`,
 *   `sandbox-start`). `id` is the Standard Webhooks `webhook-id`, the same on every retry.
 * - kind `message`: an outbound provider message (the automated opt-in prompt, replies).
 */
export type OutboxKind = 'event' | 'message';
export type OutboxStatus = 'pending' | 'delivered' | 'failed';
export type UserEventType = 'opted-in' | 'opted-out' | 'verified' | 'sandbox-start';

export interface OutboxItem {
  id: string;
  appId: string;
  kind: OutboxKind;
  type: string;
  phone: string;
  body: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  /** Until when the worker that claimed it holds it; its result is written only while it does. */
  lockedUntil: number;
}

export interface OutboxAttempt {
  n: number;
  at: number;
  status: number | null;
  error: string | null;
  ms: number | null;
}

/** The body of a user-event, as the contract gives it. */
export interface UserEventBody {
  id: string;
  type: UserEventType;
  app: string;
  timestamp: string;
  data: { phone: string; via?: string; ref?: string; campaign?: string };
}

/** An outbound message. `channel` is where it goes; the app's sender setting picks the provider. */
export interface MessageBody {
  channel: 'whatsapp';
  to: string;
  text: string;
}

type Row = Record<string, unknown>;

export function toOutbox(r: Row): OutboxItem {
  return {
    id: r.id as string,
    appId: r.app_id as string,
    kind: r.kind as OutboxKind,
    type: r.type as string,
    phone: r.phone as string,
    body: JSON.parse(r.body as string),
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAt: Number(r.next_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lockedUntil: Number(r.locked_until ?? 0),
  };
}

/** Adds an item; `yield*` it inside the body that makes the change it reports. */
export function* enqueue(o: { id: string; appId: string; kind: OutboxKind; type: string; phone: string; body: unknown; now: number }): Body<void> {
  yield* run(
    `INSERT INTO outbox (id, app_id, kind, type, phone, body, status, attempts, next_at, locked_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?, ?)`,
    [o.id, o.appId, o.kind, o.type, o.phone, JSON.stringify(o.body), o.now, o.now, o.now],
  );
}

/**
 * Enqueues a user-event when the app has a callback URL (and it was not disabled by a 410).
 * `yield*` it in the same body as the change.
 */
export function* enqueueUserEvent(
  app: { id: string; name: string; callbackUrl: string | null },
  id: string,
  type: UserEventType,
  data: UserEventBody['data'],
  now: number,
): Body<boolean> {
  if (!app.callbackUrl) return false;
  const disabled = yield* get<Row>('SELECT callback_disabled_at FROM apps WHERE id = ?', [app.id]);
  if (disabled?.callback_disabled_at != null) return false;
  const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined && v !== null && v !== '')) as UserEventBody['data'];
  const body: UserEventBody = { id, type, app: app.name, timestamp: new Date(now).toISOString(), data: clean };
  yield* enqueue({ id, appId: app.id, kind: 'event', type, phone: data.phone, body, now });
  return true;
}

/** Enqueues an outbound message. `yield*` it in the same body as the change that causes it. */
export function* enqueueMessage(appId: string, id: string, type: string, body: MessageBody, now: number): Body<void> {
  yield* enqueue({ id, appId, kind: 'message', type, phone: body.to, body, now });
}

export function* outboxItem(id: string): Body<OutboxItem | null> {
  const r = yield* get<Row>('SELECT * FROM outbox WHERE id = ?', [id]);
  return r ? toOutbox(r) : null;
}

export function* attemptsOf(id: string): Body<OutboxAttempt[]> {
  return (yield* all<Row>('SELECT * FROM outbox_attempts WHERE outbox_id = ? ORDER BY n', [id])).map((r) => ({
    n: Number(r.n),
    at: Number(r.at),
    status: r.status === null ? null : Number(r.status),
    error: (r.error as string | null) ?? null,
    ms: r.ms === null ? null : Number(r.ms),
  }));
}
