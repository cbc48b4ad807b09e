import { canonicalSpelling } from '../../core/phone-aliases.js';
import { all, get, run, type Body, type Driver } from './driver.js';
import { toUser, type Row } from './rows.js';

/**
 * Versioned migrations, applied in order on start (or by `npm run migrate`), the same for both
 * stores. `{{SERIAL}}` becomes each dialect's auto-increment key. Never edit a released migration:
 * add the next one.
 */
export const MIGRATIONS: {
  version: number;
  name: string;
  sql: string[];
  /** Data to move after the SQL, in the same transaction. */
  body?: (now: number) => Body<void>;
}[] = [
  {
    version: 1,
    name: 'apps, keys, wording, consent ledger, users, funnel',
    sql: [
      `CREATE TABLE apps (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        phone TEXT,
        live INTEGER NOT NULL DEFAULT 0,
        settings TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        app_id TEXT NOT NULL REFERENCES apps(id),
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      `CREATE TABLE wordings (
        app_id TEXT NOT NULL REFERENCES apps(id),
        locale TEXT NOT NULL,
        version INTEGER NOT NULL,
        template TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, locale, version)
      )`,
      // The exact texts people were shown, by their SHA-256: what a consent record's hash proves.
      `CREATE TABLE shown_texts (
        sha256 TEXT PRIMARY KEY,
        text TEXT NOT NULL
      )`,
      `CREATE TABLE consents (
        seq {{SERIAL}},
        id TEXT NOT NULL UNIQUE,
        app_id TEXT NOT NULL REFERENCES apps(id),
        phone TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,
        via TEXT NOT NULL,
        wording_version INTEGER,
        wording_sha256 TEXT,
        locale TEXT,
        at BIGINT NOT NULL,
        ip TEXT,
        user_agent TEXT,
        page TEXT,
        campaign TEXT,
        ref TEXT,
        linked_id TEXT,
        actor TEXT
      )`,
      `CREATE UNIQUE INDEX consents_ref ON consents (app_id, ref) WHERE ref IS NOT NULL AND action = 'opt_in'`,
      `CREATE INDEX consents_phone ON consents (app_id, phone, seq)`,
      `CREATE TABLE users (
        app_id TEXT NOT NULL REFERENCES apps(id),
        phone TEXT NOT NULL,
        optin TEXT NOT NULL,
        via TEXT,
        verified INTEGER NOT NULL DEFAULT 0,
        optin_at BIGINT,
        last_inbound_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, phone)
      )`,
      `CREATE TABLE funnel (
        app_id TEXT NOT NULL,
        day TEXT NOT NULL,
        via TEXT NOT NULL,
        campaign TEXT NOT NULL,
        metric TEXT NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (app_id, day, via, campaign, metric)
      )`,
    ],
  },
  {
    version: 2,
    name: 'outbox, inbound messages, prompts, message history, erasures, secrets',
    sql: [
      // Secrets an app must hold in the clear to sign or verify (webhook secret, provider tokens).
      // Never returned by the API; API keys, which need no such use, are kept hashed.
      `ALTER TABLE apps ADD COLUMN secrets TEXT NOT NULL DEFAULT '{}'`,
      `ALTER TABLE apps ADD COLUMN callback_disabled_at BIGINT`,
      // A web consent whose typed phone differs from the number that verified it.
      `ALTER TABLE users ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0`,
      // Verifications point at the web consent they prove (linked_id): found by index, not by scan.
      `CREATE INDEX consents_linked ON consents (app_id, linked_id)`,
      // Users pages are in (created_at, phone) order, and the filter columns ride along in the index,
      // so a filtered page scans index entries only, never the table row by row. One index, not one
      // per filter: every consent writes the users row, and each index is another write.
      `CREATE INDEX users_page ON users (app_id, created_at, phone, optin, via, verified, flagged, last_inbound_at)`,
      // Everything that must leave the building: user-events to the callback URL (kind 'event') and
      // provider messages (kind 'message'). Written in the same transaction as the change it reports.
      `CREATE TABLE outbox (
        seq {{SERIAL}},
        id TEXT NOT NULL UNIQUE,
        app_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at BIGINT NOT NULL,
        locked_until BIGINT NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE INDEX outbox_due ON outbox (status, next_at)`,
      `CREATE INDEX outbox_app ON outbox (app_id, seq)`,
      `CREATE INDEX outbox_phone ON outbox (app_id, phone)`,
      `CREATE TABLE outbox_attempts (
        outbox_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        at BIGINT NOT NULL,
        status INTEGER,
        error TEXT,
        ms INTEGER,
        PRIMARY KEY (outbox_id, n)
      )`,
      // Provider message ids already handled: a repeated MessageSid, wamid or Gupshup id changes nothing.
      `CREATE TABLE inbound (
        app_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        message_id TEXT NOT NULL,
        phone TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (app_id, provider, message_id)
      )`,
      `CREATE INDEX inbound_phone ON inbound (app_id, phone)`,
      // Who was sent the automated opt-in prompt: at most once per (app, phone).
      `CREATE TABLE prompts (
        app_id TEXT NOT NULL,
        phone TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (app_id, phone)
      )`,
      // Messages in and out, for a user's history.
      `CREATE TABLE messages (
        seq {{SERIAL}},
        id TEXT NOT NULL UNIQUE,
        app_id TEXT NOT NULL,
        phone TEXT NOT NULL,
        direction TEXT NOT NULL,
        channel TEXT NOT NULL,
        text TEXT NOT NULL,
        at BIGINT NOT NULL
      )`,
      `CREATE INDEX messages_phone ON messages (app_id, phone, seq)`,
      // That an erasure happened, without the number: what a regulator may ask for.
      `CREATE TABLE erasures (
        id TEXT PRIMARY KEY,
        app_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        actor TEXT,
        consents INTEGER NOT NULL,
        messages INTEGER NOT NULL,
        events INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: 'settings page sessions',
    sql: [
      // Signed-in sessions of the Settings page. Only the SHA-256 of the cookie's random id is kept,
      // so a copy of the database opens no session. `csrf` is the per-session form token (useless
      // without the cookie). A session is as good as the API key that opened it (key_id).
      `CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        app_id TEXT NOT NULL REFERENCES apps(id),
        key_id TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      `CREATE INDEX sessions_app ON sessions (app_id, revoked_at)`,
    ],
  },
  {
    version: 4,
    name: 'rate limits shared by several servers; outbox sends in flight',
    sql: [
      // Counts per one-minute window (server/rate-limit.ts). Not evidence: UNLOGGED on PostgreSQL, no
      // write-ahead log (a crash may reset them). SQLite keeps its limits in memory and leaves it empty.
      `CREATE {{UNLOGGED}} TABLE rate_limits (
        key TEXT PRIMARY KEY,
        win BIGINT NOT NULL,
        n INTEGER NOT NULL
      )`,
      // When the attempt under way began (a worker is sending it): set just before the send, cleared
      // with its outcome. Still set on a claim that ran out means the worker stopped mid-send.
      `ALTER TABLE outbox ADD COLUMN started_at BIGINT`,
    ],
  },
  {
    version: 5,
    name: 'one person, one users row: aliases of a number',
    sql: [
      // The other spellings of a person's number seen so far, space-separated (core/phone-aliases.ts).
      `ALTER TABLE users ADD COLUMN aliases TEXT NOT NULL DEFAULT ''`,
    ],
    body: mergeAliasSpellings,
  },
  {
    version: 6,
    name: 'what WhatsApp reports about a person: marketing preference, number changes, record details',
    sql: [
      // WhatsApp's marketing preference (user_preferences): consent per purpose (core/purposes.ts).
      `ALTER TABLE users ADD COLUMN marketing_stopped INTEGER NOT NULL DEFAULT 0`,
      `ALTER TABLE users ADD COLUMN marketing_at BIGINT`,
      // The person left this number (user_changed_number): for whom, and when.
      `ALTER TABLE users ADD COLUMN moved_to TEXT`,
      `ALTER TABLE users ADD COLUMN moved_at BIGINT`,
      // What a record proves beyond its columns, as JSON: the ad a person came from (referral), the
      // new or old number of a number change, WhatsApp's own words for a preference.
      `ALTER TABLE consents ADD COLUMN detail TEXT`,
      // The marketing filter rides along in the one users index (see migration 2).
      `DROP INDEX users_page`,
      `CREATE INDEX users_page ON users (app_id, created_at, phone, optin, via, verified, flagged, last_inbound_at, marketing_stopped)`,
    ],
  },
];

/**
 * Before migration 5 a WhatsApp ID such as `5215512345678` and the typed `525512345678` were two
 * users rows. Each person gets one, under the canonical spelling: a row under another spelling is
 * renamed, or merged into the canonical row when both exist (the most recent consent change wins;
 * activity is the latest of both; a typed number flagged because its own alias verified it is not
 * flagged any more). Records (consents, messages) keep the spelling they were written with: the
 * store reads them by every spelling of the person's number.
 */
export function* mergeAliasSpellings(now: number): Body<void> {
  // Only numbers that a rule can respell: Mexico, Argentina, Brazil (12 or 13 digits).
  const rows = yield* all<Row>(
    `SELECT * FROM users WHERE (phone LIKE '52%' OR phone LIKE '54%' OR phone LIKE '55%') AND length(phone) IN (12, 13)`,
  );
  for (const r of rows) {
    const alias = r.phone as string;
    const phone = canonicalSpelling(alias);
    if (phone === alias) continue;
    const appId = r.app_id as string;
    const other = yield* get<Row>('SELECT * FROM users WHERE app_id = ? AND phone = ?', [appId, phone]);
    if (!other) {
      yield* run('UPDATE users SET phone = ?, aliases = ?, updated_at = ? WHERE app_id = ? AND phone = ?', [
        phone,
        alias,
        now,
        appId,
        alias,
      ]);
      continue;
    }
    const a = toUser(r);
    const b = toUser(other);
    const newer = (a.optinAt ?? -1) > (b.optinAt ?? -1) ? a : b;
    const older = newer === a ? b : a;
    const verified = newer.verified || (newer.optin === 'opted_in' && older.optin === 'opted_in' && older.verified);
    const flagged = newer.flagged && !older.verified;
    const lastInbound = Math.max(a.lastInboundAt ?? -1, b.lastInboundAt ?? -1);
    const aliases = [...new Set([...(b.aliases ?? []), alias, ...(a.aliases ?? [])])].filter((x) => x !== phone);
    yield* run('DELETE FROM users WHERE app_id = ? AND phone = ?', [appId, alias]);
    yield* run(
      'UPDATE users SET optin = ?, via = ?, verified = ?, flagged = ?, optin_at = ?, last_inbound_at = ?, created_at = ?, aliases = ?, updated_at = ? WHERE app_id = ? AND phone = ?',
      [
        newer.optin,
        newer.via,
        verified ? 1 : 0,
        flagged ? 1 : 0,
        newer.optinAt,
        lastInbound < 0 ? null : lastInbound,
        Math.min(a.createdAt, b.createdAt),
        aliases.join(' '),
        now,
        appId,
        phone,
      ],
    );
  }
}

/** Consent records are evidence: the database itself refuses to change one. */
const APPEND_ONLY: Record<Driver['dialect'], string[]> = {
  sqlite: [
    `CREATE TRIGGER consents_append_only BEFORE UPDATE ON consents
     BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END`,
  ],
  postgres: [
    `CREATE OR REPLACE FUNCTION consents_append_only() RETURNS trigger AS $$
     BEGIN RAISE EXCEPTION 'consent records are append-only'; END; $$ LANGUAGE plpgsql`,
    `CREATE TRIGGER consents_append_only BEFORE UPDATE ON consents
     FOR EACH ROW EXECUTE FUNCTION consents_append_only()`,
  ],
};

function dialectSql(sql: string, dialect: Driver['dialect']): string {
  return sql
    .replaceAll('{{SERIAL}}', dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY')
    .replaceAll('{{UNLOGGED}}', dialect === 'sqlite' ? '' : 'UNLOGGED');
}

function* apply(dialect: Driver['dialect'], now: number): Body<number[]> {
  if (dialect === 'postgres') {
    // Several servers may start at once: one migrates, the others wait for it.
    yield* get('SELECT pg_advisory_xact_lock(7283001)');
  }
  yield* run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  const done = new Set(
    (yield* all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
  );
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    for (const sql of m.sql) yield* run(dialectSql(sql, dialect));
    if (m.version === 1) for (const sql of APPEND_ONLY[dialect]) yield* run(sql);
    if (m.body) yield* m.body(now);
    yield* run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, now]);
    applied.push(m.version);
  }
  return applied;
}

/** Applies what is missing, atomically; returns the versions it applied. */
export function migrate(driver: Driver, now: number): Promise<number[]> {
  return driver.transact(() => apply(driver.dialect, now), { slow: true });
}
