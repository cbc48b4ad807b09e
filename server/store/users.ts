import { SESSION_WINDOW_MS, type OptinStatus, type Via } from '../../core/optin-state.js';
import { canonicalSpelling } from '../../core/phone-aliases.js';
import { WEB_VIAS } from '../../core/verified-optin.js';
import { all, get, run, type Body, type Param } from './driver.js';
import { addFunnel, dayOf } from './funnel.js';
import { toConsent, toMessage, toUser, type Row } from './rows.js';
import { bySpellings } from './spellings.js';
import type { ConsentRecord, MessageRecord, UserRecord } from './types.js';

/**
 * People's state with an app, as the business reads it: one person, pages, history; and erasure.
 * Any spelling of a person's number finds them (core/phone-aliases.ts): their row is kept under the
 * canonical spelling, their records under the spelling each was written with.
 */

export function* getUser(appId: string, phone: string): Body<UserRecord | null> {
  const r = yield* get<Row>('SELECT * FROM users WHERE app_id = ? AND phone = ?', [appId, canonicalSpelling(phone)]);
  return r ? toUser(r) : null;
}

/**
 * Whether anything is stored under exactly these digits: a number that is not a valid phone number
 * (a sender's ID that libphonenumber does not know) is still that person's name here.
 */
export function* isStored(appId: string, digits: string): Body<boolean> {
  const hit =
    (yield* get<Row>('SELECT 1 AS x FROM users WHERE app_id = ? AND phone = ?', [appId, digits])) ??
    (yield* get<Row>('SELECT 1 AS x FROM consents WHERE app_id = ? AND phone = ? LIMIT 1', [appId, digits])) ??
    (yield* get<Row>('SELECT 1 AS x FROM messages WHERE app_id = ? AND phone = ? LIMIT 1', [appId, digits]));
  return hit !== undefined;
}

export interface UserFilter {
  optin?: OptinStatus;
  activity?: 'active' | 'inactive';
  via?: Via;
  /** The marketing purpose's status (core/purposes.ts): a stop reported by WhatsApp makes it opted_out. */
  marketing?: OptinStatus;
  /** The app's setting: when false, an unverified web consent reads as `none` (core/verified-optin.ts). */
  unverifiedCountsAsOptin?: boolean;
  /** Digits the phone contains (a search by number). */
  digits?: string;
}

// The SQL twin of effectiveOptin(): an opt-in the phone never confirmed, from a page or the widget
// (all of them when unverified consents do not count, else only those another phone flagged).
const WEB = `via IN (${WEB_VIAS.map((v) => `'${v}'`).join(', ')})`;
const unproven = (counts: boolean) =>
  `(optin = 'opted_in' AND verified = 0 AND ${WEB}${counts ? ' AND flagged = 1' : ''})`;

/** A keyset cursor: the (created_at, phone) of the last row seen. Rows never move in that order. */
export function encodeCursor(u: { createdAt: number; phone: string }): string {
  return Buffer.from(`${u.createdAt}:${u.phone}`).toString('base64url');
}

export function decodeCursor(c: string): { createdAt: number; phone: string } | null {
  const m = /^(\d{1,16}):(\d{1,15})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  return m ? { createdAt: Number(m[1]), phone: m[2]! } : null;
}

function where(
  appId: string,
  f: UserFilter,
  now: number,
  after: { createdAt: number; phone: string } | null,
  newestFirst = false,
): { sql: string; params: Param[] } {
  const parts = ['app_id = ?'];
  const params: Param[] = [appId];
  const add = (sql: string, ...values: Param[]) => {
    parts.push(sql);
    params.push(...values);
  };
  if (f.optin === 'opted_in') add(`optin = 'opted_in' AND NOT ${unproven(f.unverifiedCountsAsOptin ?? true)}`);
  else if (f.optin === 'none') add(`(optin = 'none' OR ${unproven(f.unverifiedCountsAsOptin ?? true)})`);
  else if (f.optin) add('optin = ?', f.optin);
  if (f.via) add('via = ?', f.via);
  // The SQL twin of purposeStatus(u, 'marketing'): a stop is opted_out whatever the opt-in says.
  if (f.marketing === 'opted_out') add("(optin = 'opted_out' OR marketing_stopped = 1)");
  else if (f.marketing === 'opted_in')
    add(`optin = 'opted_in' AND NOT ${unproven(f.unverifiedCountsAsOptin ?? true)} AND marketing_stopped = 0`);
  else if (f.marketing === 'none')
    add(`(optin = 'none' OR ${unproven(f.unverifiedCountsAsOptin ?? true)}) AND marketing_stopped = 0`);
  if (f.digits) add('phone LIKE ?', `%${f.digits.replace(/\D/g, '')}%`);
  if (f.activity === 'active') add('last_inbound_at > ?', now - SESSION_WINDOW_MS);
  if (f.activity === 'inactive') add('(last_inbound_at IS NULL OR last_inbound_at <= ?)', now - SESSION_WINDOW_MS);
  // A row-value comparison: both stores walk the index from the cursor on.
  if (after) add(`(created_at, phone) ${newestFirst ? '<' : '>'} (?, ?)`, after.createdAt, after.phone);
  return { sql: parts.join(' AND '), params };
}

/**
 * One page of users in a stable order (first seen, then phone). New opt-ins land after every cursor
 * already handed out, so paging while they arrive neither skips nor repeats a row.
 */
export function* listUsers(
  appId: string,
  f: UserFilter,
  o: { after: { createdAt: number; phone: string } | null; limit: number; now: number; newestFirst?: boolean },
): Body<{ users: UserRecord[]; next: string | null }> {
  const w = where(appId, f, o.now, o.after, o.newestFirst);
  // Newest first walks the same index backwards (the Settings page's table).
  const order = o.newestFirst ? 'created_at DESC, phone DESC' : 'created_at, phone';
  const rows = yield* all<Row>(`SELECT * FROM users WHERE ${w.sql} ORDER BY ${order} LIMIT ?`, [
    ...w.params,
    o.limit + 1,
  ]);
  const users = rows.slice(0, o.limit).map(toUser);
  return { users, next: rows.length > o.limit ? encodeCursor(users[users.length - 1]!) : null };
}

export interface UserHistory {
  user: UserRecord | null;
  consents: (ConsentRecord & { wordingText: string | null })[];
  messages: MessageRecord[];
  /** How many records exist in all: more than the lists hold when a limit left the older ones out. */
  totalConsents: number;
  totalMessages: number;
}

/** How much of a history to read: the most recent records of each kind. Unset means all of them. */
export interface HistoryLimit {
  lastMessages?: number;
  lastConsents?: number;
}

/**
 * A user's state and consent history, each record with the exact wording it proves, oldest first.
 * Complete by default (the business API returns it whole); `limit` keeps only the most recent
 * records of each kind, for screens that must stay small however many messages arrive.
 */
export function* userHistory(appId: string, phone: string, limit: HistoryLimit = {}): Body<UserHistory> {
  const cap = (n: number | undefined) => (n === undefined ? null : Math.max(0, Math.floor(n)));
  const lastConsents = cap(limit.lastConsents);
  const lastMessages = cap(limit.lastMessages);
  const u = yield* get<Row>('SELECT * FROM users WHERE app_id = ? AND phone = ?', [appId, canonicalSpelling(phone)]);
  const s = bySpellings(phone);
  // Web consents given without a phone belong to this person once their message verified them.
  const mine = `SELECT id FROM consents WHERE app_id = ? AND ${s.sql}
       UNION SELECT linked_id FROM consents WHERE app_id = ? AND ${s.sql} AND linked_id IS NOT NULL`;
  const mineParams = [appId, ...s.params, appId, ...s.params];
  const rows = yield* all<Row>(
    `SELECT c.*, t.text AS wording_text FROM consents c LEFT JOIN shown_texts t ON t.sha256 = c.wording_sha256
     WHERE c.id IN (${mine})
     ORDER BY c.seq${lastConsents === null ? '' : ' DESC LIMIT ?'}`,
    lastConsents === null ? mineParams : [...mineParams, lastConsents],
  );
  const msgs = yield* all<Row>(
    `SELECT * FROM messages WHERE app_id = ? AND ${s.sql} ORDER BY seq${lastMessages === null ? '' : ' DESC LIMIT ?'}`,
    lastMessages === null ? [appId, ...s.params] : [appId, ...s.params, lastMessages],
  );
  if (lastConsents !== null) rows.reverse();
  if (lastMessages !== null) msgs.reverse();
  // Counted only when a limit may have left some out (and only then is it worth a query).
  const totalConsents =
    lastConsents !== null && rows.length === lastConsents
      ? Number((yield* get<Row>(`SELECT COUNT(*) AS n FROM consents WHERE id IN (${mine})`, mineParams))?.n ?? 0)
      : rows.length;
  const totalMessages =
    lastMessages !== null && msgs.length === lastMessages
      ? Number(
          (yield* get<Row>(`SELECT COUNT(*) AS n FROM messages WHERE app_id = ? AND ${s.sql}`, [appId, ...s.params]))
            ?.n ?? 0,
        )
      : msgs.length;
  return {
    user: u ? toUser(u) : null,
    consents: rows.map((r) => ({ ...toConsent(r), wordingText: (r.wording_text as string | null) ?? null })),
    messages: msgs.map(toMessage),
    totalConsents,
    totalMessages,
  };
}

export interface ErasureResult {
  erasureId: string;
  consents: number;
  messages: number;
  events: number;
  found: boolean;
}

/**
 * Erases a person: their state, consent records (and the phone-less web consents their message
 * verified), messages, provider message ids, prompts, and every outbox item about them, in one
 * transaction. What they contributed to the funnel stays as anonymous counts; the erasure itself is
 * recorded without the number.
 */
export function* eraseUser(
  appId: string,
  phone: string,
  o: { id: string; actor: string | null; now: number },
): Body<ErasureResult> {
  // Their own records under every spelling of their number, and the phone-less web consents their
  // message verified. A consent that typed someone else's number stays: it is that person's evidence
  // (flagged), not this one's.
  const s = bySpellings(phone);
  const ids = yield* all<Row>(
    `SELECT id, via, campaign, action, at FROM consents WHERE app_id = ? AND ${s.sql}
     UNION
     SELECT id, via, campaign, action, at FROM consents WHERE app_id = ? AND phone = '' AND id IN (
       SELECT linked_id FROM consents WHERE app_id = ? AND ${s.sql} AND linked_id IS NOT NULL
     )`,
    [appId, ...s.params, appId, appId, ...s.params],
  );
  // Keep the funnel whole: the records go, their counts stay, without the number.
  for (const r of ids) {
    const metric =
      r.action === 'opt_in'
        ? 'consent'
        : r.action === 'opt_out'
          ? 'opt_out'
          : r.action === 'verify'
            ? 'verified'
            : r.action === 'marketing_stop' || r.action === 'marketing_resume'
              ? r.action
              : null;
    if (metric)
      yield* addFunnel([
        {
          appId,
          day: dayOf(Number(r.at)),
          via: r.via as string,
          campaign: (r.campaign as string | null) ?? '',
          metric: `erased_${metric}`,
          n: 1,
        },
      ]);
  }
  let consents = 0;
  for (const r of ids) consents += yield* run('DELETE FROM consents WHERE id = ?', [r.id as string]);
  const p = [appId, ...s.params];
  const user = yield* run(`DELETE FROM users WHERE app_id = ? AND ${s.sql}`, p);
  const messages = yield* run(`DELETE FROM messages WHERE app_id = ? AND ${s.sql}`, p);
  yield* run(`DELETE FROM inbound WHERE app_id = ? AND ${s.sql}`, p);
  yield* run(`DELETE FROM prompts WHERE app_id = ? AND ${s.sql}`, p);
  yield* run(`DELETE FROM outbox_attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE app_id = ? AND ${s.sql})`, p);
  const events = yield* run(`DELETE FROM outbox WHERE app_id = ? AND ${s.sql}`, p);
  yield* run('INSERT INTO erasures (id, app_id, at, actor, consents, messages, events) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    o.id,
    appId,
    o.now,
    o.actor,
    consents,
    messages,
    events,
  ]);
  return { erasureId: o.id, consents, messages, events, found: consents + user + messages + events > 0 };
}
