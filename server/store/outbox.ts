import type { Changed, OptinStatus } from '../../core/optin-state.js';
import type { Purpose } from '../../core/purposes.js';
import { all, dialect, get, run, signal, type Body } from './driver.js';
import { toAttempt, toOutbox, type Row } from './rows.js';
import type { OutboxAttempt, OutboxItem, OutboxKind, OutboxStatus } from './types.js';

/**
 * The outbox: everything that must leave the building, written in the same transaction as the
 * change it reports, so that nothing is lost and nothing is invented. A worker (server/delivery/worker.ts)
 * claims due items, delivers them, and records each attempt.
 *
 * - kind `event`: a user-event for the app's callback URL (`opted-in`, `opted-out`, `verified`,
 *   `sandbox-start`). `id` is the Standard Webhooks `webhook-id`, the same on every retry.
 * - kind `message`: an outbound provider message (the automated opt-in prompt, replies).
 */
export type { OutboxAttempt, OutboxItem, OutboxKind, OutboxStatus } from './types.js';

/** A user-event: a change worth telling the business (core/optin-state.ts), or a tester joining the sandbox. */
export type UserEventType = Exclude<Changed, null> | 'sandbox-start';

/** The body of a user-event, as the contract gives it. */
export interface UserEventBody {
  id: string;
  type: UserEventType;
  app: string;
  timestamp: string;
  data: {
    phone: string;
    via?: string;
    ref?: string;
    campaign?: string;
    /** The person's opt-in status after this change, as the business sees it (core/verified-optin.ts). */
    optin: OptinStatus;
    /** Whether the person's own phone confirmed their consent. */
    verified: boolean;
    /** The person's status per purpose after this change (core/purposes.ts). */
    purposes: Record<Purpose, OptinStatus>;
    newPhone?: string;
    previousPhone?: string;
  };
}

/** A user-event as it is sent: the stored body with the per-person sequence, `data.seq`. */
export type SentUserEvent = Omit<UserEventBody, 'data'> & { data: UserEventBody['data'] & { seq: number } };

/** An outbound message. `channel` is where it goes; the app's sender setting picks the provider. */
export interface MessageBody {
  channel: 'whatsapp';
  to: string;
  text: string;
}

/** One delivery attempt's result and what comes next for its item. */
export interface AttemptOutcome {
  id: string;
  /** The claim this result belongs to: if the claim ran out and another worker took the item, only the attempt is logged. */
  claim: number;
  attempt: { at: number; status: number | null; error: string | null; ms: number | null };
  next: { status: OutboxStatus; nextAt: number; attempts: number };
}

/** Adds an item; `yield*` it inside the body that makes the change it reports. */
export function* enqueue(o: {
  id: string;
  appId: string;
  kind: OutboxKind;
  type: string;
  phone: string;
  body: unknown;
  now: number;
}): Body<void> {
  yield* run(
    `INSERT INTO outbox (id, app_id, kind, type, phone, body, status, attempts, next_at, locked_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?, ?)`,
    [o.id, o.appId, o.kind, o.type, o.phone, JSON.stringify(o.body), o.now, o.now, o.now],
  );
  yield* signal({ kind: 'outbox' });
}

/** Enqueues an outbound message. `yield*` it in the same body as the change that causes it. */
export function* enqueueMessage(appId: string, id: string, type: string, body: MessageBody, now: number): Body<void> {
  yield* enqueue({ id, appId, kind: 'message', type, phone: body.to, body, now });
}

/** Whether any outbox item is due: a cheap read before a claim. */
export function* hasDue(now: number): Body<boolean> {
  return !!(yield* get<Row>(
    `SELECT 1 AS x FROM outbox WHERE status = 'pending' AND next_at <= ? AND locked_until <= ? LIMIT 1`,
    [now, now],
  ));
}

/**
 * Claims up to `limit` due outbox items for `lockMs`: no other worker (thread, process or server)
 * gets them meanwhile. PostgreSQL skips rows another worker holds; SQLite has one writer at a time.
 */
export function* claimDue(now: number, limit: number, lockMs: number): Body<OutboxItem[]> {
  yield* settleInterrupted(now);
  const skipLocked = (yield* dialect()) === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const rows = yield* all<Row>(
    `UPDATE outbox SET locked_until = ? WHERE id IN (
       SELECT id FROM outbox WHERE status = 'pending' AND next_at <= ? AND locked_until <= ? ORDER BY next_at, seq LIMIT ?${skipLocked}
     ) RETURNING *`,
    [now + lockMs, now, now, limit],
  );
  // RETURNING gives no order: put them back in the order they were written.
  return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toOutbox);
}

/**
 * Begins an attempt: just before sending, the worker proves it still holds the item (its claim has not
 * run out, so no other worker took it) and extends its hold over the send (`until`): no other worker
 * can send the item at the same moment. Returns the new claim, or null: do not send.
 */
export function* startAttempt(id: string, claim: number, now: number, until: number): Body<number | null> {
  const n = yield* run(
    'UPDATE outbox SET locked_until = ?, started_at = ? WHERE id = ? AND locked_until = ? AND locked_until > ?',
    [until, now, id, claim, now],
  );
  return n === 1 ? until : null;
}

/**
 * Items whose worker stopped during a send (a claim that ran out with an attempt begun and never
 * finished). A user-event is sent again (at least once; receivers tell repeats by webhook-id). A message
 * to a person is not: it may have been sent, and a prompt twice is worse than once too few. It is
 * marked failed, with the attempt saying why. Runs before each claim.
 */
export function* settleInterrupted(now: number): Body<number> {
  const skipLocked = (yield* dialect()) === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const rows = yield* all<Row>(
    `SELECT id FROM outbox WHERE status = 'pending' AND kind = 'message' AND started_at IS NOT NULL AND locked_until <= ? LIMIT 100${skipLocked}`,
    [now],
  );
  const note = 'the sending worker stopped during the send: it may have been sent, so it is not sent again';
  for (const r of rows) {
    yield* run(
      `INSERT INTO outbox_attempts (outbox_id, n, at, status, error, ms)
       SELECT ?, COALESCE(MAX(n), 0) + 1, ?, NULL, ?, NULL FROM outbox_attempts WHERE outbox_id = ?`,
      [r.id as string, now, note, r.id as string],
    );
    yield* run(`UPDATE outbox SET status = 'failed', started_at = NULL, last_error = ?, updated_at = ? WHERE id = ?`, [
      note,
      now,
      r.id as string,
    ]);
  }
  return rows.length;
}

/** Records attempts and what comes next for each item (delivered, failed, or pending again at `nextAt`). */
export function* finishAttempts(list: AttemptOutcome[]): Body<void> {
  for (const { id, claim, attempt: a, next } of list) {
    yield* run(
      `INSERT INTO outbox_attempts (outbox_id, n, at, status, error, ms)
       SELECT ?, COALESCE(MAX(n), 0) + 1, ?, ?, ?, ? FROM outbox_attempts WHERE outbox_id = ?`,
      [id, a.at, a.status, a.error?.slice(0, 500) ?? null, a.ms, id],
    );
    yield* run(
      'UPDATE outbox SET status = ?, attempts = ?, next_at = ?, locked_until = 0, started_at = NULL, last_error = ?, updated_at = ? WHERE id = ? AND locked_until = ?',
      [next.status, next.attempts, next.nextAt, a.error?.slice(0, 500) ?? null, a.at, id, claim],
    );
  }
}

/** The outbox of one app, newest first, keyset-paginated by sequence. */
export function* listOutbox(
  appId: string,
  kind: OutboxKind,
  o: { before?: number; limit: number; status?: OutboxStatus },
): Body<(OutboxItem & { seq: number })[]> {
  const rows = yield* all<Row>(
    `SELECT * FROM outbox WHERE app_id = ? AND kind = ?${o.status ? ' AND status = ?' : ''}${o.before !== undefined ? ' AND seq < ?' : ''} ORDER BY seq DESC LIMIT ?`,
    [appId, kind, ...(o.status ? [o.status] : []), ...(o.before !== undefined ? [o.before] : []), o.limit],
  );
  return rows.map((r) => ({ ...toOutbox(r), seq: Number(r.seq) }));
}

export function* outboxItem(id: string): Body<OutboxItem | null> {
  const r = yield* get<Row>('SELECT * FROM outbox WHERE id = ?', [id]);
  return r ? toOutbox(r) : null;
}

export function* attemptsOf(id: string): Body<OutboxAttempt[]> {
  return (yield* all<Row>('SELECT * FROM outbox_attempts WHERE outbox_id = ? ORDER BY n', [id])).map(toAttempt);
}

/** An item with every attempt to deliver it. */
export function* outboxEntry(id: string): Body<{ item: OutboxItem; attempts: OutboxAttempt[] } | null> {
  const item = yield* outboxItem(id);
  return item ? { item, attempts: yield* attemptsOf(id) } : null;
}

/** What "retry now" did with an item. */
export type RetryResult = 'queued' | 'claimed' | 'not_found';

/**
 * "Retry now": a pending item is due at once (its attempts and schedule kept); a delivered or failed
 * one is sent again with a fresh schedule. An item a worker holds is left alone: it is being
 * delivered (or its worker died and the claim runs out at `locked_until`).
 */
export function* retryNow(id: string, now: number): Body<RetryResult> {
  const item = yield* outboxItem(id);
  if (!item) return 'not_found';
  if (item.status === 'pending' && item.lockedUntil > now) return 'claimed';
  if (item.status === 'pending') {
    yield* run(
      `UPDATE outbox SET next_at = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND locked_until <= ?`,
      [now, now, id, now],
    );
  } else {
    yield* run(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_at = ?, locked_until = 0, updated_at = ? WHERE id = ?`,
      [now, now, id],
    );
  }
  yield* signal({ kind: 'outbox' });
  return 'queued';
}

/**
 * Recovery after an outage of the receiver: every item of an app written since `since` that failed,
 * or is pending and waiting for a later retry (not held by a worker), is due now; the failed ones get
 * a fresh schedule. Returns how many.
 */
export function* recoverSince(appId: string, kind: OutboxKind, since: number, now: number): Body<number> {
  const failed = yield* run(
    `UPDATE outbox SET status = 'pending', attempts = 0, next_at = ?, locked_until = 0, updated_at = ?
     WHERE app_id = ? AND kind = ? AND created_at >= ? AND status = 'failed'`,
    [now, now, appId, kind, since],
  );
  const waiting = yield* run(
    `UPDATE outbox SET next_at = ?, updated_at = ?
     WHERE app_id = ? AND kind = ? AND created_at >= ? AND status = 'pending' AND next_at > ? AND locked_until <= ?`,
    [now, now, appId, kind, since, now, now],
  );
  if (failed + waiting > 0) yield* signal({ kind: 'outbox' });
  return failed + waiting;
}
