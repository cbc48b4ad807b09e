import type { Locale } from '../../core/locale.js';
import type { ConsentAction, OptinStatus, UserState, Via } from '../../core/optin-state.js';
import { all, get, run, type Body } from './driver.js';
import { toConsent } from './store.js';
import type { ConsentRecord } from './types.js';

/**
 * The SQL of inbound messages (provider hooks) and of the message history, as generator bodies:
 * `yield*` them inside one `driver.transact` body so that the idempotency claim, the state change,
 * the consent record and the outbox items commit together or not at all.
 */
type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface InboundUser extends UserState {
  appId: string;
  phone: string;
  flagged: boolean;
}

/** What the inbound flows read and write of a consent record. */
export type LedgerRecord = Omit<ConsentRecord, 'ip' | 'userAgent' | 'page' | 'actor'>;

export interface MessageRecord {
  id: string;
  appId: string;
  phone: string;
  direction: 'in' | 'out';
  channel: 'whatsapp' | 'sms';
  text: string;
  at: number;
}

const toLedger = (r: Row): LedgerRecord => toConsent(r);

function toMessage(r: Row): MessageRecord {
  return { id: r.id as string, appId: r.app_id as string, phone: r.phone as string, direction: r.direction as 'in' | 'out', channel: r.channel as 'whatsapp' | 'sms', text: r.text as string, at: Number(r.at) };
}

/** Marks a provider message id as handled. False when it already was: the caller changes nothing. */
export function* claimInbound(appId: string, provider: string, messageId: string, phone: string, at: number): Body<boolean> {
  return (yield* run('INSERT INTO inbound (app_id, provider, message_id, phone, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [appId, provider, messageId, phone, at])) === 1;
}

/**
 * Creates the user (status `none`) if new, moves the last-inbound time forward when `inboundAt` is
 * given, and returns the row. On PostgreSQL the upsert also locks the row until commit, so two
 * messages from one phone arriving together are handled one after the other, never both on a stale
 * read. (SQLite runs one writer at a time anyway.)
 */
export function* lockUser(appId: string, phone: string, inboundAt: number | null, now: number): Body<InboundUser> {
  yield* run(
    `INSERT INTO users (app_id, phone, optin, via, verified, optin_at, last_inbound_at, created_at, updated_at)
     VALUES (?, ?, 'none', NULL, 0, NULL, ?, ?, ?)
     ON CONFLICT (app_id, phone) DO UPDATE SET last_inbound_at = CASE
       WHEN excluded.last_inbound_at IS NOT NULL AND (users.last_inbound_at IS NULL OR users.last_inbound_at < excluded.last_inbound_at)
       THEN excluded.last_inbound_at ELSE users.last_inbound_at END`,
    [appId, phone, inboundAt, now, now],
  );
  const r = (yield* get<Row>('SELECT * FROM users WHERE app_id = ? AND phone = ?', [appId, phone]))!;
  return {
    appId,
    phone,
    optin: r.optin as OptinStatus,
    via: (r.via as Via | null) ?? null,
    verified: Number(r.verified) === 1,
    optinAt: num(r.optin_at),
    lastInboundAt: num(r.last_inbound_at),
    flagged: Number(r.flagged ?? 0) === 1,
  };
}

/** Writes the opt-in part of a user's state (activity is moved only by {@link lockUser}). */
export function* saveUserState(appId: string, phone: string, s: UserState, now: number): Body<void> {
  yield* run('UPDATE users SET optin = ?, via = ?, verified = ?, optin_at = ?, updated_at = ? WHERE app_id = ? AND phone = ?', [
    s.optin,
    s.via,
    s.verified ? 1 : 0,
    s.optinAt,
    now,
    appId,
    phone,
  ]);
}

/** A web consent typed this number, but another phone verified it. */
export function* flagUser(appId: string, phone: string, now: number): Body<void> {
  yield* run('UPDATE users SET flagged = 1, updated_at = ? WHERE app_id = ? AND phone = ? AND flagged = 0', [now, appId, phone]);
}

/** Appends a consent record; `shown` is the exact text the person was shown or sent, kept by its hash. */
export function* appendConsent(c: LedgerRecord, shown: { sha256: string; text: string } | null): Body<void> {
  if (shown) yield* run('INSERT INTO shown_texts (sha256, text) VALUES (?, ?) ON CONFLICT DO NOTHING', [shown.sha256, shown.text]);
  yield* run(
    `INSERT INTO consents (id, app_id, phone, action, via, wording_version, wording_sha256, locale, at, ip, user_agent, page, campaign, ref, linked_id, actor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, NULL)`,
    [c.id, c.appId, c.phone, c.action, c.via, c.wordingVersion, c.wordingSha256, c.locale, c.at, c.campaign, c.ref, c.linkedId],
  );
}

export function* hasConsent(appId: string, phone: string): Body<boolean> {
  return (yield* get<Row>('SELECT 1 AS x FROM consents WHERE app_id = ? AND phone = ? LIMIT 1', [appId, phone])) !== undefined;
}

/** Claims the one automated prompt of (app, phone). True only for the one caller that may send it. */
export function* claimPrompt(appId: string, phone: string, at: number): Body<boolean> {
  return (yield* run('INSERT INTO prompts (app_id, phone, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [appId, phone, at])) === 1;
}

/** The web consent (`opt_in` with a reference) a message's `(ref XXXXXX)` points at. */
export function* webConsentByRef(appId: string, ref: string): Body<LedgerRecord | null> {
  const r = yield* get<Row>(`SELECT * FROM consents WHERE app_id = ? AND ref = ? AND action = 'opt_in'`, [appId, ref]);
  return r ? toLedger(r) : null;
}

/** The `verify` record already linked to a consent, if any: a reference verifies once. */
export function* verificationOf(appId: string, consentId: string): Body<LedgerRecord | null> {
  const r = yield* get<Row>(`SELECT * FROM consents WHERE app_id = ? AND linked_id = ? AND action = 'verify' ORDER BY seq LIMIT 1`, [appId, consentId]);
  return r ? toLedger(r) : null;
}

/** The latest prompt sent to this phone, which a YES-type reply answers. */
export function* lastPrompt(appId: string, phone: string): Body<LedgerRecord | null> {
  const r = yield* get<Row>(`SELECT * FROM consents WHERE app_id = ? AND phone = ? AND action = 'prompt_sent' ORDER BY seq DESC LIMIT 1`, [appId, phone]);
  return r ? toLedger(r) : null;
}

/** Adds a message to the history. Idempotent by id (an outbox item delivered twice is one message). */
export function* addMessage(m: MessageRecord): Body<boolean> {
  return (yield* run('INSERT INTO messages (id, app_id, phone, direction, channel, text, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [m.id, m.appId, m.phone, m.direction, m.channel, m.text, m.at])) === 1;
}

/**
 * Adds a sent message to the history, unless its outbox item is gone: an erasure that came while
 * the message was on its way must not be undone by the send finishing.
 */
export function* addSentMessage(m: MessageRecord): Body<boolean> {
  return (
    (yield* run(
      `INSERT INTO messages (id, app_id, phone, direction, channel, text, at)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM outbox WHERE id = ?) ON CONFLICT DO NOTHING`,
      [m.id, m.appId, m.phone, m.direction, m.channel, m.text, m.at, m.id],
    )) === 1
  );
}

export function* messageById(id: string): Body<MessageRecord | null> {
  const r = yield* get<Row>('SELECT * FROM messages WHERE id = ?', [id]);
  return r ? toMessage(r) : null;
}

/** A user's message history, oldest first. */
export function* messagesOf(appId: string, phone: string): Body<MessageRecord[]> {
  return (yield* all<Row>('SELECT * FROM messages WHERE app_id = ? AND phone = ? ORDER BY seq', [appId, phone])).map(toMessage);
}
