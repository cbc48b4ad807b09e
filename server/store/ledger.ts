import { applyEvent, type Changed, type OptinEvent } from '../../core/optin-state.js';
import { canonicalSpelling } from '../../core/phone-aliases.js';
import { purposesOf } from '../../core/purposes.js';
import { effectiveOptin, reportedChange } from '../../core/verified-optin.js';
import type { AppSettings } from '../app-settings.js';
import { all, dialect, get, run, type Body } from './driver.js';
import { enqueue, type UserEventBody, type UserEventType } from './outbox.js';
import { toConsent, toUser, type Row } from './rows.js';
import { bySpellings } from './spellings.js';
import type { ConsentRecord, ShownText, UserRecord } from './types.js';

/**
 * The consent ledger: the one writer of consent records (`consents`, with the exact texts their
 * hashes prove in `shown_texts`), of people's state (`users`) and of the user-events that report a
 * change. Every channel (hosted page, widget, business API, Settings page, SMS, WhatsApp, first
 * message, sandbox) records through {@link recordChange} (or, for a tester joining the sandbox,
 * {@link reportSandboxStart}), inside the transaction of the request that caused it.
 */

/** What the ledger needs to know of the app a change belongs to. */
export interface LedgerApp {
  id: string;
  name: string;
  settings: Pick<AppSettings, 'callbackUrl' | 'unverifiedCountsAsOptin'>;
}

export interface Change {
  app: LedgerApp;
  /** The evidence record, appended as it is (records are never updated). */
  record: ConsentRecord;
  /** The exact text the record's hash proves, when it may not be stored yet. */
  shown: ShownText | null;
  /**
   * How the person's state moves (core/optin-state.ts), or null for evidence that moves nothing (a
   * prompt that was sent). A record without a phone (a web consent that asked for none) moves
   * nothing until a message verifies it.
   */
  move: OptinEvent | null;
  /** The person's row, when the caller locked it already in this transaction. */
  user?: UserRecord;
  /** More for the user-event than the record says (a number change's other number). */
  context?: EventContext;
}

export interface ChangeResult {
  /** False when the record's id or reference was taken: nothing was written, try another. */
  ok: boolean;
  consent: ConsentRecord | null;
  user: UserRecord | null;
  /** The user-event the business was sent, if the change was worth one. */
  changed: Changed;
}

/**
 * Appends a consent record and its shown text, moves the person's state by the pure rule of
 * core/optin-state.ts, writes the users row, and enqueues the user-event the change is worth (read
 * through `unverifiedCountsAsOptin`, core/verified-optin.ts): one body, inside the caller's transaction.
 */
export function* recordChange(c: Change): Body<ChangeResult> {
  const r = c.record;
  if (c.shown)
    yield* run('INSERT INTO shown_texts (sha256, text) VALUES (?, ?) ON CONFLICT DO NOTHING', [
      c.shown.sha256,
      c.shown.text,
    ]);
  const inserted = yield* run(
    `INSERT INTO consents (id, app_id, phone, action, via, wording_version, wording_sha256, locale, at, ip, user_agent, page, campaign, ref, linked_id, actor, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      r.id,
      r.appId,
      r.phone,
      r.action,
      r.via,
      r.wordingVersion,
      r.wordingSha256,
      r.locale,
      r.at,
      r.ip,
      r.userAgent,
      r.page,
      r.campaign,
      r.ref,
      r.linkedId,
      r.actor,
      r.detail ? JSON.stringify(r.detail) : null,
    ],
  );
  if (inserted === 0) return { ok: false, consent: null, user: null, changed: null };
  if (!c.move || !r.phone) return { ok: true, consent: r, user: c.user ?? null, changed: null };
  const before = c.user ?? (yield* lockUser(r.appId, r.phone, r.at));
  const next = applyEvent(before, c.move);
  const changed = reportedChange(before, next.state, next.changed, c.app.settings.unverifiedCountsAsOptin);
  const user = yield* saveUser(next.state, r.at);
  if (changed) {
    yield* enqueueUserEvent(
      c.app,
      `evt_${r.id}`,
      changed,
      user,
      { via: r.via, ref: r.ref ?? undefined, campaign: r.campaign ?? undefined, ...c.context },
      r.at,
    );
  }
  return { ok: true, consent: r, user, changed };
}

/**
 * The person's row, created (status `none`) if new. On PostgreSQL the upsert also locks the row until
 * commit, so two requests about one phone are handled one after the other, never both on a stale
 * read. (SQLite runs one writer at a time anyway.)
 *
 * Any spelling of the number finds the person: the row is kept under the canonical spelling, and a
 * spelling seen for the first time (a WhatsApp ID `521…` for a typed `52…`) joins its aliases.
 */
export function* lockUser(appId: string, spelling: string, now: number): Body<UserRecord> {
  const phone = canonicalSpelling(spelling);
  const r = yield* get<Row>(
    `INSERT INTO users (app_id, phone, optin, via, verified, optin_at, last_inbound_at, created_at, updated_at)
     VALUES (?, ?, 'none', NULL, 0, NULL, NULL, ?, ?)
     ON CONFLICT (app_id, phone) DO UPDATE SET updated_at = users.updated_at
     RETURNING *`,
    [appId, phone, now, now],
  );
  const user = toUser(r!);
  if (spelling === phone || user.aliases!.includes(spelling)) return user;
  const aliases = [...user.aliases!, spelling];
  yield* run('UPDATE users SET aliases = ? WHERE app_id = ? AND phone = ?', [aliases.join(' '), appId, phone]);
  return { ...user, aliases };
}

/** Writes a person's state: the one writer of the users row (lockUser only creates it). */
export function* saveUser(u: UserRecord, now: number): Body<UserRecord> {
  yield* run(
    `UPDATE users SET optin = ?, via = ?, verified = ?, flagged = ?, optin_at = ?, last_inbound_at = ?,
       marketing_stopped = ?, marketing_at = ?, moved_to = ?, moved_at = ?, updated_at = ? WHERE app_id = ? AND phone = ?`,
    [
      u.optin,
      u.via,
      u.verified ? 1 : 0,
      u.flagged ? 1 : 0,
      u.optinAt,
      u.lastInboundAt,
      u.marketingStopped ? 1 : 0,
      u.marketingAt ?? null,
      u.movedTo ?? null,
      u.movedAt ?? null,
      now,
      u.appId,
      u.phone,
    ],
  );
  return { ...u, updatedAt: now };
}

/** A message from the phone arrived (sent at `sentAt`): the person is active. Returns the locked row. */
export function* recordActivity(appId: string, phone: string, sentAt: number | null, now: number): Body<UserRecord> {
  const user = yield* lockUser(appId, phone, now);
  if (sentAt === null) return user;
  const next = applyEvent(user, { type: 'inbound', at: sentAt }).state;
  return next.lastInboundAt === user.lastInboundAt ? user : yield* saveUser(next, now);
}

/** A web consent typed this number, but another person's phone verified it: mark it, if it is still there. */
export function* flagTypedNumber(appId: string, phone: string, now: number): Body<void> {
  const lock = (yield* dialect()) === 'postgres' ? ' FOR UPDATE' : '';
  const r = yield* get<Row>(`SELECT * FROM users WHERE app_id = ? AND phone = ?${lock}`, [
    appId,
    canonicalSpelling(phone),
  ]);
  if (r && Number(r.flagged) !== 1) yield* saveUser({ ...toUser(r), flagged: true }, now);
}

/** What a user-event says about the person beyond their state: how and from where the change came. */
export interface EventContext {
  via?: string;
  ref?: string;
  campaign?: string;
  /** A number change, on the old number's event: where the person went. */
  newPhone?: string;
  /** A number change, on the new number's event: where the person came from. */
  previousPhone?: string;
}

/**
 * Enqueues a user-event when the app has a callback URL (and it was not disabled by a 410), in the
 * same transaction as the change it reports. The event carries the person's state after the change
 * (their status as the business sees it, and whether their phone confirmed it), so that a receiver
 * that keeps each person's newest event by `data.seq` ends on the stored state, whatever order
 * retries deliver events in.
 */
export function* enqueueUserEvent(
  app: LedgerApp,
  id: string,
  type: UserEventType,
  user: Pick<UserRecord, 'phone' | 'optin' | 'via' | 'verified' | 'flagged' | 'marketingStopped'>,
  context: EventContext,
  now: number,
): Body<boolean> {
  if (!app.settings.callbackUrl) return false;
  const disabled = yield* get<Row>('SELECT callback_disabled_at FROM apps WHERE id = ?', [app.id]);
  if (disabled?.callback_disabled_at != null) return false;
  const extra = Object.fromEntries(
    Object.entries(context).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  );
  const data: UserEventBody['data'] = {
    phone: user.phone,
    ...extra,
    optin: effectiveOptin(user, app.settings.unverifiedCountsAsOptin),
    verified: user.verified,
    purposes: purposesOf(
      { ...user, marketingStopped: user.marketingStopped ?? false },
      app.settings.unverifiedCountsAsOptin,
    ),
  };
  const body: UserEventBody = { id, type, app: app.name, timestamp: new Date(now).toISOString(), data };
  yield* enqueue({ id, appId: app.id, kind: 'event', type, phone: user.phone, body, now });
  return true;
}

/** A tester joined the app's sandbox (`PROXY <name>` at the sandbox number): the app hears `sandbox-start`. */
export function* reportSandboxStart(app: LedgerApp, eventId: string, user: UserRecord, now: number): Body<boolean> {
  return yield* enqueueUserEvent(app, eventId, 'sandbox-start', user, {}, now);
}

/** A person's own consent records (under any spelling of their number), oldest first. */
export function* consentsFor(appId: string, phone: string): Body<ConsentRecord[]> {
  const s = bySpellings(phone);
  return (yield* all<Row>(`SELECT * FROM consents WHERE app_id = ? AND ${s.sql} ORDER BY seq`, [
    appId,
    ...s.params,
  ])).map(toConsent);
}

/** The web consent (`opt_in` with a reference) a message's `(ref XXXXXX)` points at. */
export function* consentByRef(appId: string, ref: string): Body<ConsentRecord | null> {
  const r = yield* get<Row>(`SELECT * FROM consents WHERE app_id = ? AND ref = ? AND action = 'opt_in'`, [appId, ref]);
  return r ? toConsent(r) : null;
}

/** The `verify` record already linked to a consent, if any: a reference verifies once. */
export function* verificationOf(appId: string, consentId: string): Body<ConsentRecord | null> {
  const r = yield* get<Row>(
    `SELECT * FROM consents WHERE app_id = ? AND linked_id = ? AND action = 'verify' ORDER BY seq LIMIT 1`,
    [appId, consentId],
  );
  return r ? toConsent(r) : null;
}

/** The latest prompt sent to this phone, which a YES-type reply answers. */
export function* lastPrompt(appId: string, phone: string): Body<ConsentRecord | null> {
  const s = bySpellings(phone);
  const r = yield* get<Row>(
    `SELECT * FROM consents WHERE app_id = ? AND ${s.sql} AND action = 'prompt_sent' ORDER BY seq DESC LIMIT 1`,
    [appId, ...s.params],
  );
  return r ? toConsent(r) : null;
}

export function* hasConsent(appId: string, phone: string): Body<boolean> {
  const s = bySpellings(phone);
  return (
    (yield* get<Row>(`SELECT 1 AS x FROM consents WHERE app_id = ? AND ${s.sql} LIMIT 1`, [appId, ...s.params])) !==
    undefined
  );
}

/** The exact text behind a consent record's hash. */
export function* shownText(sha256: string): Body<string | null> {
  return (
    ((yield* get<Row>('SELECT text FROM shown_texts WHERE sha256 = ?', [sha256]))?.text as string | undefined) ?? null
  );
}
