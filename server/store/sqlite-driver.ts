import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UniqueViolation, type Body, type Driver, type Op } from './driver.js';

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

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  private exec(op: Op): unknown {
    if (op.kind === 'dialect') return this.dialect;
    if (op.kind === 'signal') return undefined;
    let stmt = this.stmts.get(op.sql);
    if (!stmt) {
      stmt = this.db.prepare(op.sql);
      this.stmts.set(op.sql, stmt);
    }
    try {
      if (op.kind === 'run') return stmt.run(...op.params).changes;
      if (op.kind === 'get') return stmt.get(...op.params);
      return stmt.all(...op.params);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
        throw new UniqueViolation(err.message ?? '');
      throw e;
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
    let results: { ok: boolean; value: unknown }[];
    try {
      results = this.db.transaction(() => batch.map((p) => ({ ok: true, value: this.drive(p.body) })))();
    } catch {
      results = [];
      const one = this.db.transaction((p: Pending) => this.drive(p.body));
      try {
        this.db.transaction(() => {
          for (const p of batch) {
            try {
              results.push({ ok: true, value: one(p) }); // nested: a savepoint
            } catch (e) {
              results.push({ ok: false, value: e });
            }
          }
        })();
      } catch (e) {
        for (const p of batch) p.reject(e);
        return;
      }
    }
    batch.forEach((p, i) => (results[i]!.ok ? p.resolve(results[i]!.value) : p.reject(results[i]!.value)));
  }

  read<T>(body: () => Body<T>): Promise<T> {
    try {
      return Promise.resolve(this.drive(body));
    } catch (e) {
      return Promise.reject(e);
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
