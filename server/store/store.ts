import { LOCALES, type Locale } from '../../core/locale.js';
import { applyEvent, NEW_USER, type OptinEvent, type UserState } from '../../core/optin-state.js';
import { AppSecretsSchema, AppSettingsSchema } from '../settings.js';
import { all, get, run, type Body, type Driver } from './driver.js';
import { migrate } from './migrations.js';
import { attemptsOf, enqueueUserEvent, outboxItem, toOutbox, type OutboxAttempt, type OutboxItem, type OutboxKind, type OutboxStatus } from './outbox.js';
import {
  NameTaken,
  type AppPatch,
  type AppRecord,
  type ConsentRecord,
  type FunnelMetric,
  type NewApp,
  type NewConsent,
  type UserRecord,
  type Wording,
} from './types.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toApp(r: Row): AppRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    displayName: r.display_name as string,
    phone: (r.phone as string | null) ?? null,
    live: Number(r.live) === 1,
    // Parsing fills defaults for settings added after the app was saved.
    settings: AppSettingsSchema.parse(JSON.parse(r.settings as string)),
    secrets: AppSecretsSchema.parse(JSON.parse((r.secrets as string | undefined) ?? '{}')),
    callbackDisabledAt: num(r.callback_disabled_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toUser(r: Row): UserRecord {
  return {
    appId: r.app_id as string,
    phone: r.phone as string,
    optin: r.optin as UserRecord['optin'],
    via: (r.via as UserRecord['via']) ?? null,
    verified: Number(r.verified) === 1,
    flagged: Number(r.flagged ?? 0) === 1,
    optinAt: num(r.optin_at),
    lastInboundAt: num(r.last_inbound_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toConsent(r: Row): ConsentRecord {
  return {
    id: r.id as string,
    appId: r.app_id as string,
    phone: r.phone as string,
    action: r.action as ConsentRecord['action'],
    via: r.via as ConsentRecord['via'],
    wordingVersion: num(r.wording_version),
    wordingSha256: (r.wording_sha256 as string | null) ?? null,
    locale: (r.locale as Locale | null) ?? null,
    at: Number(r.at),
    ip: (r.ip as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
    page: (r.page as string | null) ?? null,
    campaign: (r.campaign as string | null) ?? null,
    ref: (r.ref as string | null) ?? null,
    linkedId: (r.linked_id as string | null) ?? null,
    actor: (r.actor as string | null) ?? null,
  };
}

function* appById(id: string): Body<AppRecord | null> {
  const r = yield* get<Row>('SELECT * FROM apps WHERE id = ?', [id]);
  return r ? toApp(r) : null;
}

function* userRow(appId: string, phone: string): Body<UserRecord | null> {
  const r = yield* get<Row>('SELECT * FROM users WHERE app_id = ? AND phone = ?', [appId, phone]);
  return r ? toUser(r) : null;
}

function* saveUser(appId: string, phone: string, s: UserState, now: number, prev: UserRecord | null): Body<UserRecord> {
  yield* run(
    `INSERT INTO users (app_id, phone, optin, via, verified, optin_at, last_inbound_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (app_id, phone) DO UPDATE SET optin = excluded.optin, via = excluded.via, verified = excluded.verified,
       optin_at = excluded.optin_at, last_inbound_at = excluded.last_inbound_at, updated_at = excluded.updated_at`,
    [appId, phone, s.optin, s.via, s.verified ? 1 : 0, s.optinAt, s.lastInboundAt, now, now],
  );
  return { appId, phone, optin: s.optin, via: s.via, verified: s.verified, optinAt: s.optinAt, lastInboundAt: s.lastInboundAt, createdAt: prev?.createdAt ?? now, updatedAt: now };
}

function* addWording(appId: string, locale: Locale, template: string, now: number): Body<void> {
  const cur = yield* get<Row>('SELECT MAX(version) AS v, NULL AS t FROM wordings WHERE app_id = ? AND locale = ?', [appId, locale]);
  const latest = yield* get<Row>('SELECT template FROM wordings WHERE app_id = ? AND locale = ? AND version = ?', [appId, locale, num(cur?.v) ?? 0]);
  if (latest && latest.template === template) return; // unchanged text makes no new version
  yield* run('INSERT INTO wordings (app_id, locale, version, template, created_at) VALUES (?, ?, ?, ?, ?)', [
    appId,
    locale,
    (num(cur?.v) ?? 0) + 1,
    template,
    now,
  ]);
}

function* bump(appId: string, day: string, via: string, campaign: string, metric: FunnelMetric, n: number): Body<void> {
  yield* run(
    `INSERT INTO funnel (app_id, day, via, campaign, metric, n) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (app_id, day, via, campaign, metric) DO UPDATE SET n = funnel.n + excluded.n`,
    [appId, day, via, campaign, metric, n],
  );
}

let lastDay = { n: -1, s: '' };
/** The UTC day of an instant, as YYYY-MM-DD (the last answer is kept: most calls ask about today). */
export const dayOf = (t: number): string => {
  const n = Math.floor(t / 86_400_000);
  if (n !== lastDay.n) lastDay = { n, s: new Date(n * 86_400_000).toISOString().slice(0, 10) };
  return lastDay.s;
};

export interface FunnelIncrement {
  appId: string;
  day: string;
  via: string;
  campaign: string;
  metric: FunnelMetric;
  n: number;
}

export interface ConsentResult {
  /** false when the reference was already taken: nothing was written, try another. */
  ok: boolean;
  consent: ConsentRecord | null;
  user: UserRecord | null;
  changed: 'opted-in' | 'opted-out' | 'verified' | null;
}

/**
 * The one store interface. Both SQLite and PostgreSQL run this same code through their drivers, and
 * one conformance suite (test/store.conformance.test.ts) runs against both.
 */
export class Store {
  /**
   * Apps and their current wording are read on every page view and consent, and change rarely.
   * This store's own writes invalidate at once; another process's (several servers on one
   * PostgreSQL) show within `cacheMs`.
   */
  private apps = new Map<string, { app: AppRecord | null; at: number }>();
  private wordings = new Map<string, { w: Record<Locale, Wording>; at: number; appUpdatedAt: number | null }>();
  /** Wording texts known to be committed in shown_texts, so most consents skip that insert. */
  private knownTexts = new Set<string>();

  constructor(
    readonly driver: Driver,
    private readonly cacheMs = 2000,
  ) {}

  private forget(appId: string): void {
    for (const [k, v] of this.apps) if (!v.app || v.app.id === appId) this.apps.delete(k);
    this.wordings.delete(appId);
  }

  get kind(): Driver['dialect'] {
    return this.driver.dialect;
  }

  migrate(now = Date.now()): Promise<number[]> {
    return migrate(this.driver, now);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  createApp(a: NewApp, now: number): Promise<AppRecord> {
    return this.driver
      .transact(function* () {
        const taken = yield* get<Row>('SELECT id FROM apps WHERE name_key = ?', [a.name.toLowerCase()]);
        if (taken) return null;
        const inserted = yield* run(
          `INSERT INTO apps (id, name, name_key, display_name, phone, live, settings, secrets, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [a.id, a.name, a.name.toLowerCase(), a.displayName, a.phone, a.live ? 1 : 0, JSON.stringify(a.settings), JSON.stringify(a.secrets), now, now],
        );
        if (inserted === 0) return null; // another creation won the race for this name
        for (const l of LOCALES) yield* addWording(a.id, l, a.wording[l], now);
        yield* run('INSERT INTO api_keys (id, app_id, hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)', [
          a.apiKey.id,
          a.id,
          a.apiKey.hash,
          a.apiKey.prefix,
          now,
        ]);
        return yield* appById(a.id);
      })
      .then((app) => {
        this.apps.delete(a.name.toLowerCase());
        if (!app) throw new NameTaken(a.name);
        return app;
      })
      .catch((e: unknown) => {
        // Two creations racing on PostgreSQL: the loser hits the unique index.
        if ((e as Error).name === 'UniqueViolation') throw new NameTaken(a.name);
        throw e;
      });
  }

  /**
   * The cached app, without waiting: `undefined` when the cache cannot answer (then use getApp).
   * Hot paths (the consent page) skip a promise this way.
   */
  cachedApp(name: string): AppRecord | null | undefined {
    const hit = this.apps.get(name.toLowerCase());
    return hit && Date.now() - hit.at < this.cacheMs ? hit.app : undefined;
  }

  /** The cached current wordings, without waiting, or `undefined`. */
  cachedWordings(appId: string): Record<Locale, Wording> | undefined {
    const hit = this.wordings.get(appId);
    return hit && Date.now() - hit.at < this.cacheMs ? hit.w : undefined;
  }

  /** Finds an app by name, without regard to case. */
  async getApp(name: string): Promise<AppRecord | null> {
    const key = name.toLowerCase();
    const hit = this.apps.get(key);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.app;
    const app = await this.driver.read(function* () {
      const r = yield* get<Row>('SELECT * FROM apps WHERE name_key = ?', [key]);
      return r ? toApp(r) : null;
    });
    if (this.apps.size > 10_000) this.apps.clear();
    this.apps.set(key, { app, at: Date.now() });
    // Another process changed the app (its wording, maybe): the cached wording is of an older version.
    const w = app && this.wordings.get(app.id);
    if (w && w.appUpdatedAt !== app.updatedAt) this.wordings.delete(app.id);
    return app;
  }

  getAppById(id: string): Promise<AppRecord | null> {
    return this.driver.read(() => appById(id));
  }

  listApps(): Promise<AppRecord[]> {
    return this.driver.read(function* () {
      return (yield* all<Row>('SELECT * FROM apps ORDER BY created_at, id')).map(toApp);
    });
  }

  countApps(): Promise<number> {
    return this.driver.read(function* () {
      return Number((yield* get<Row>('SELECT COUNT(*) AS n FROM apps'))?.n ?? 0);
    });
  }

  /** Applies a change to an app. */
  updateApp(id: string, p: AppPatch, now: number): Promise<AppRecord> {
    return this.updateAppWith(id, () => p, now);
  }

  /**
   * Reads the app's current row inside the transaction (locked on PostgreSQL), lets `change` compute
   * the patch from it (it may throw to refuse), and writes it: two concurrent changes of different
   * settings both survive. `updated_at` only grows, so caches keyed on it never collide.
   */
  async updateAppWith(id: string, change: (cur: AppRecord) => AppPatch, now: number): Promise<AppRecord> {
    this.forget(id);
    const lock = this.driver.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const out = await this.driver.transact(function* () {
      const row = yield* get<Row>(`SELECT * FROM apps WHERE id = ?${lock}`, [id]);
      if (!row) throw new Error(`no app ${id}`);
      const cur = toApp(row);
      const p = change(cur);
      now = Math.max(now, cur.updatedAt + 1);
      yield* run('UPDATE apps SET display_name = ?, phone = ?, live = ?, settings = ?, secrets = ?, callback_disabled_at = ?, updated_at = ? WHERE id = ?', [
        p.displayName ?? cur.displayName,
        p.phone === undefined ? cur.phone : p.phone,
        (p.live ?? cur.live) ? 1 : 0,
        JSON.stringify(p.settings ?? cur.settings),
        JSON.stringify(p.secrets ?? cur.secrets),
        p.callbackDisabledAt === undefined ? cur.callbackDisabledAt : p.callbackDisabledAt,
        now,
        id,
      ]);
      for (const l of LOCALES) {
        const t = p.wording?.[l];
        if (t !== undefined) yield* addWording(id, l, t, now);
      }
      return (yield* appById(id))!;
    });
    this.forget(id);
    return out;
  }

  /** The newest wording version per locale. */
  async currentWordings(appId: string): Promise<Record<Locale, Wording>> {
    const hit = this.wordings.get(appId);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.w;
    // The app's version is read first: if it changes meanwhile, the entry looks older than it is
    // and the next getApp drops it; never the other way round.
    const version = await this.driver.read(function* () {
      return num((yield* get<Row>('SELECT updated_at FROM apps WHERE id = ?', [appId]))?.updated_at);
    });
    const w = await this.readWordings(appId);
    if (this.wordings.size > 10_000) this.wordings.clear();
    this.wordings.set(appId, { w, at: Date.now(), appUpdatedAt: version });
    return w;
  }

  private readWordings(appId: string): Promise<Record<Locale, Wording>> {
    return this.driver.read(function* () {
      const rows = yield* all<Row>(
        `SELECT w.* FROM wordings w
         JOIN (SELECT locale, MAX(version) AS v FROM wordings WHERE app_id = ? GROUP BY locale) m
           ON m.locale = w.locale AND m.v = w.version
         WHERE w.app_id = ?`,
        [appId, appId],
      );
      const out = {} as Record<Locale, Wording>;
      for (const r of rows) out[r.locale as Locale] = { locale: r.locale as Locale, version: Number(r.version), template: r.template as string, createdAt: Number(r.created_at) };
      return out;
    });
  }

  /** Every version ever shown, oldest first: consent records point at them. */
  wordingHistory(appId: string): Promise<Wording[]> {
    return this.driver.read(function* () {
      const rows = yield* all<Row>('SELECT * FROM wordings WHERE app_id = ? ORDER BY locale, version', [appId]);
      return rows.map((r) => ({ locale: r.locale as Locale, version: Number(r.version), template: r.template as string, createdAt: Number(r.created_at) }));
    });
  }

  findApiKey(id: string): Promise<{ id: string; appId: string; hash: string; revokedAt: number | null } | null> {
    return this.driver.read(function* () {
      const r = yield* get<Row>('SELECT id, app_id, hash, revoked_at FROM api_keys WHERE id = ?', [id]);
      return r ? { id: r.id as string, appId: r.app_id as string, hash: r.hash as string, revokedAt: num(r.revoked_at) } : null;
    });
  }

  /** The exact text behind a consent record's hash. */
  shownText(sha256: string): Promise<string | null> {
    return this.driver.read(function* () {
      return ((yield* get<Row>('SELECT text FROM shown_texts WHERE sha256 = ?', [sha256]))?.text as string | undefined) ?? null;
    });
  }

  /**
   * Appends a consent record and moves the user's state, in one transaction. A consent without a
   * phone (the phone field is off, or optional and empty) is kept as evidence until the person's
   * WhatsApp message verifies it by its reference.
   */
  async recordConsent(c: NewConsent): Promise<ConsentResult> {
    const text = c.wording && !this.knownTexts.has(c.wording.sha256) ? c.wording : null;
    const out = await this.driver.transact(function* (): Body<ConsentResult> {
      if (text) yield* run('INSERT INTO shown_texts (sha256, text) VALUES (?, ?) ON CONFLICT DO NOTHING', [text.sha256, text.text]);
      const inserted = yield* run(
        `INSERT INTO consents (id, app_id, phone, action, via, wording_version, wording_sha256, locale, at, ip, user_agent, page, campaign, ref, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [c.id, c.appId, c.phone, c.action, c.via, c.wording?.version ?? null, c.wording?.sha256 ?? null, c.locale, c.at, c.ip, c.userAgent, c.page, c.campaign, c.ref, c.actor],
      );
      if (inserted === 0) return { ok: false, consent: null, user: null, changed: null };
      const consent: ConsentRecord = {
        id: c.id,
        appId: c.appId,
        phone: c.phone,
        action: c.action,
        via: c.via,
        wordingVersion: c.wording?.version ?? null,
        wordingSha256: c.wording?.sha256 ?? null,
        locale: c.locale,
        at: c.at,
        ip: c.ip,
        userAgent: c.userAgent,
        page: c.page,
        campaign: c.campaign,
        ref: c.ref,
        linkedId: null,
        actor: c.actor,
      };
      if (!c.phone || (c.action !== 'opt_in' && c.action !== 'opt_out')) return { ok: true, consent, user: null, changed: null };
      const prev = yield* userRow(c.appId, c.phone);
      const ev: OptinEvent = c.action === 'opt_in' ? { type: 'opt_in', via: c.via, at: c.at, verified: c.verified } : { type: 'opt_out', via: c.via, at: c.at };
      const next = applyEvent(prev ?? NEW_USER, ev);
      const user = yield* saveUser(c.appId, c.phone, next.state, c.at, prev);
      if (next.changed && c.notify) {
        yield* enqueueUserEvent({ id: c.appId, ...c.notify }, `evt_${c.id}`, next.changed, { phone: c.phone, via: c.via, ref: c.ref ?? undefined, campaign: c.campaign ?? undefined }, c.at);
      }
      return { ok: true, consent, user, changed: next.changed };
    });
    // Only after the commit: a rolled-back insert must not be remembered.
    if (text && out.ok) this.knownTexts.add(text.sha256);
    return out;
  }

  getUser(appId: string, phone: string): Promise<UserRecord | null> {
    return this.driver.read(() => userRow(appId, phone));
  }

  consentsFor(appId: string, phone: string): Promise<ConsentRecord[]> {
    return this.driver.read(function* () {
      return (yield* all<Row>('SELECT * FROM consents WHERE app_id = ? AND phone = ? ORDER BY seq', [appId, phone])).map(toConsent);
    });
  }

  consentByRef(appId: string, ref: string): Promise<ConsentRecord | null> {
    return this.driver.read(function* () {
      const r = yield* get<Row>(`SELECT * FROM consents WHERE app_id = ? AND ref = ? AND action = 'opt_in'`, [appId, ref]);
      return r ? toConsent(r) : null;
    });
  }

  /** Adds aggregate counters (page views are batched in memory and flushed here). */
  addFunnel(rows: FunnelIncrement[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.driver.transact(function* () {
      for (const r of rows) yield* bump(r.appId, r.day, r.via, r.campaign, r.metric, r.n);
    });
  }

  funnel(appId: string, fromDay: string, toDay: string): Promise<FunnelIncrement[]> {
    return this.driver.read(function* () {
      const rows = yield* all<Row>('SELECT * FROM funnel WHERE app_id = ? AND day >= ? AND day <= ? ORDER BY day, via, campaign, metric', [appId, fromDay, toDay]);
      return rows.map((r) => ({ appId, day: r.day as string, via: r.via as string, campaign: r.campaign as string, metric: r.metric as FunnelMetric, n: Number(r.n) }));
    });
  }

  /** Whether any outbox item is due: a cheap read before a claim. */
  hasDue(now: number): Promise<boolean> {
    return this.driver.read(function* () {
      return !!(yield* get<Row>(`SELECT 1 AS x FROM outbox WHERE status = 'pending' AND next_at <= ? AND locked_until <= ? LIMIT 1`, [now, now]));
    });
  }

  /**
   * Claims up to `limit` due outbox items for `lockMs`: no other worker (thread, process or server)
   * gets them meanwhile. PostgreSQL skips rows another worker holds; SQLite has one writer at a time.
   */
  claimDue(now: number, limit: number, lockMs: number): Promise<OutboxItem[]> {
    const skipLocked = this.driver.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    return this.driver.transact(function* () {
      const rows = yield* all<Row>(
        `UPDATE outbox SET locked_until = ? WHERE id IN (
           SELECT id FROM outbox WHERE status = 'pending' AND next_at <= ? AND locked_until <= ? ORDER BY next_at, seq LIMIT ?${skipLocked}
         ) RETURNING *`,
        [now + lockMs, now, now, limit],
      );
      // RETURNING gives no order: put them back in the order they were written.
      return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toOutbox);
    });
  }

  /**
   * Records attempts and what comes next for each item (delivered, failed, or pending again at
   * `nextAt`), all in one transaction: a worker writes a whole round's results at once.
   */
  finishAttempts(
    list: {
      id: string;
      /** The claim this result belongs to: if the claim ran out and another worker took the item, only the attempt is logged. */
      claim: number;
      attempt: { at: number; status: number | null; error: string | null; ms: number | null };
      next: { status: OutboxStatus; nextAt: number; attempts: number };
    }[],
  ): Promise<void> {
    if (list.length === 0) return Promise.resolve();
    return this.driver.transact(function* () {
      for (const { id, claim, attempt: a, next } of list) {
        yield* run(
          `INSERT INTO outbox_attempts (outbox_id, n, at, status, error, ms)
           SELECT ?, COALESCE(MAX(n), 0) + 1, ?, ?, ?, ? FROM outbox_attempts WHERE outbox_id = ?`,
          [id, a.at, a.status, a.error?.slice(0, 500) ?? null, a.ms, id],
        );
        yield* run('UPDATE outbox SET status = ?, attempts = ?, next_at = ?, locked_until = 0, last_error = ?, updated_at = ? WHERE id = ? AND locked_until = ?', [
          next.status,
          next.attempts,
          next.nextAt,
          a.error?.slice(0, 500) ?? null,
          a.at,
          id,
          claim,
        ]);
      }
    });
  }

  /** A 410 Gone: the app gets no more user-events until its callback URL is set again. */
  async disableCallback(appId: string, now: number): Promise<void> {
    this.forget(appId);
    await this.driver.transact(function* () {
      yield* run('UPDATE apps SET callback_disabled_at = ? WHERE id = ? AND callback_disabled_at IS NULL', [now, appId]);
    });
    this.forget(appId);
  }

  /** The outbox of one app, newest first, keyset-paginated by sequence. */
  listOutbox(appId: string, kind: OutboxKind, o: { before?: number; limit: number; status?: OutboxStatus }): Promise<{ items: (OutboxItem & { seq: number })[] }> {
    return this.driver.read(function* () {
      const rows = yield* all<Row>(
        `SELECT * FROM outbox WHERE app_id = ? AND kind = ?${o.status ? ' AND status = ?' : ''}${o.before !== undefined ? ' AND seq < ?' : ''} ORDER BY seq DESC LIMIT ?`,
        [appId, kind, ...(o.status ? [o.status] : []), ...(o.before !== undefined ? [o.before] : []), o.limit],
      );
      return { items: rows.map((r) => ({ ...toOutbox(r), seq: Number(r.seq) })) };
    });
  }

  outboxEntry(id: string): Promise<{ item: OutboxItem; attempts: OutboxAttempt[] } | null> {
    return this.driver.read(function* () {
      const item = yield* outboxItem(id);
      return item ? { item, attempts: yield* attemptsOf(id) } : null;
    });
  }

  /** Sends an event again: pending now, with a fresh retry schedule. */
  replay(id: string, now: number): Promise<boolean> {
    return this.driver.transact(function* () {
      return (yield* run(`UPDATE outbox SET status = 'pending', attempts = 0, next_at = ?, locked_until = 0, updated_at = ? WHERE id = ? AND status <> 'pending'`, [now, now, id])) === 1;
    });
  }
}
