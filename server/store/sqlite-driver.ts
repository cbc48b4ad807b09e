import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { StoreUnavailable, UniqueViolation, type Body, type Driver, type Op } from './driver.js';

/** SQLite result codes that mean "cannot record now", not "this request is wrong". */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)/;

/** The log is checkpointed back to about this size (a 3 MB volume once filled up with log alone). */
export const WAL_LIMIT_BYTES = 1024 * 1024;

/** Turns an error of better-sqlite3 into the store's own: a unique violation, or the store being unavailable. */
function classify(e: unknown): unknown {
  const err = e as { code?: string; message?: string };
  if (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return new UniqueViolation(err.message ?? '');
  if (typeof err.code === 'string' && UNAVAILABLE.test(err.code))
    return new StoreUnavailable(`${err.code}: ${err.message ?? ''}`, false, { cause: e });
  return e;
}

interface Pending {
  body: () => Body<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * SQLite in WAL mode with `synchronous=FULL`: a commit is on disk before anyone is answered, so an
 * acknowledged consent survives `kill -9` and power loss. To keep that affordable, writes that arrive
 * in the same event-loop turn are group-committed: one outer transaction (one fsync), each body in its
 * own savepoint, so one body's failure does not undo another's.
 */
export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  private queue: Pending[] = [];
  private scheduled = false;
  private stmts = new Map<string, Database.Statement>();

  private lastCheckpoint = 0;

  constructor(readonly file: string) {
    if (file !== ':memory:') {
      // Consent records and credentials: readable by this user only. A folder or file made here is
      // 0700 / 0600; SQLite gives its -wal and -shm files the database file's mode.
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600));
    }
    this.db = new Database(file);
    // First, so that the pragmas below wait for another process opening the same new file.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    // Bound the write-ahead log: checkpoint every 256 pages (1 MB) and truncate it back to 1 MB.
    this.db.pragma('wal_autocheckpoint = 256');
    this.db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
  }

  /**
   * When the disk is full, a checkpoint that truncates the log can give space back (the log is often
   * most of what was written lately). At most once a second: the next request tries again.
   */
  private reclaim(e: unknown): void {
    if (!(e instanceof StoreUnavailable) || !/SQLITE_FULL|SQLITE_IOERR/.test(e.reason)) return;
    const now = Date.now();
    if (now - this.lastCheckpoint < 1000) return;
    this.lastCheckpoint = now;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Still full: a later request tries again.
    }
  }

  private exec(op: Op): unknown {
    if (op.kind === 'dialect') return this.dialect;
    if (op.kind === 'signal') return undefined;
    // The store answers it before a driver sees it (store.ts).
    if (op.kind === 'keyring') throw new Error('keyring: answered by the store, not the driver');
    let stmt = this.stmts.get(op.sql);
    if (!stmt) {
      try {
        stmt = this.db.prepare(op.sql);
      } catch (e) {
        throw classify(e);
      }
      this.stmts.set(op.sql, stmt);
    }
    try {
      if (op.kind === 'run') return stmt.run(...op.params).changes;
      if (op.kind === 'get') return stmt.get(...op.params);
      return stmt.all(...op.params);
    } catch (e) {
      throw classify(e);
    }
  }

  private drive<T>(body: () => Body<T>): T {
    const gen = body();
    let step = gen.next();
    while (!step.done) step = gen.next(this.exec(step.value));
    return step.value;
  }

  transact<T>(body: () => Body<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ body, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    // Fast path: the whole batch in one transaction. Bodies rarely fail, so savepoints (two more
    // statements per body) are only paid when one does: then the batch is rolled back and re-run
    // with each body isolated in its own savepoint.
    // IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before the first read, so
    // another process writing to the same file cannot make the upgrade fail half-way.
    let results: { ok: boolean; value: unknown }[];
    try {
      results = this.db.transaction(() => batch.map((p) => ({ ok: true, value: this.drive(p.body) }))).immediate();
    } catch {
      results = [];
      const one = this.db.transaction((p: Pending) => this.drive(p.body));
      try {
        this.db
          .transaction(() => {
            for (const p of batch) {
              try {
                results.push({ ok: true, value: one(p) }); // nested: a savepoint
              } catch (e) {
                results.push({ ok: false, value: classify(e) });
              }
            }
          })
          .immediate();
      } catch (e) {
        const err = classify(e);
        this.reclaim(err);
        for (const p of batch) p.reject(err);
        return;
      }
    }
    for (const r of results) if (!r.ok) this.reclaim(r.value);
    batch.forEach((p, i) => (results[i]!.ok ? p.resolve(results[i]!.value) : p.reject(results[i]!.value)));
  }

  read<T>(body: () => Body<T>): Promise<T> {
    try {
      return Promise.resolve(this.drive(body));
    } catch (e) {
      return Promise.reject(classify(e));
    }
  }

  /** Runs a body at once, outside the batch (migrations, tools). */
  now<T>(body: () => Body<T>): T {
    return this.db.transaction(() => this.drive(body))();
  }

  async close(): Promise<void> {
    while (this.queue.length) await new Promise((r) => setImmediate(r));
    this.db.close();
  }
}

/** Who holds a SQLite file: written beside the lock for the refusal message. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  url: string | null;
}

/**
 * Takes the one-server lock of a SQLite file: an exclusive lock on `<file>.lock`, held for the
 * process's life and released by the operating system when it exits (even by `kill -9`), so it is
 * never stale. Two servers on one SQLite file are refused: measured, the pair ran 2.2x slower with a
 * 3.3x higher p99, each waiting for the other's write lock. CLI commands and `npm run worker` do not
 * take it (they share the file on purpose, briefly or for the outbox only).
 *
 * @returns a function that releases the lock; throws a message naming the holder when it is taken.
 */
export function lockSqliteFile(file: string, me: Omit<LockHolder, 'pid' | 'host' | 'startedAt'>): () => void {
  if (file === ':memory:') return () => {};
  const lockFile = `${file}.lock`;
  const infoFile = `${file}.lock.json`;
  closeSync(openSync(lockFile, 'a', 0o600));
  const lock = new Database(lockFile);
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (x INTEGER)');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    lock.close();
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    let who = 'another optin-kit server';
    try {
      const h = JSON.parse(readFileSync(infoFile, 'utf8')) as LockHolder;
      who = `optin-kit server pid ${h.pid} on ${h.host}, started ${h.startedAt}${h.url ? `, listening on ${h.url}` : ''}`;
    } catch {
      // The holder's note is missing or half-written: the lock alone is enough to refuse.
    }
    throw new Error(
      `${file} is in use by ${who}. One SQLite file serves one server: stop that one, or give this one another DATABASE_URL (or use PostgreSQL to run several servers).`,
    );
  }
  writeFileSync(
    infoFile,
    JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), ...me }),
    { mode: 0o600 },
  );
  return () => {
    try {
      lock.exec('ROLLBACK');
    } catch {
      // Already released.
    }
    lock.close();
    rmSync(infoFile, { force: true });
  };
}
