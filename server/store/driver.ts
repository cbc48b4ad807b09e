/**
 * A store body is a generator of SQL operations. The same body runs synchronously inside one
 * better-sqlite3 transaction (so that SQLite can group-commit many requests in one fsync) and
 * asynchronously on a PostgreSQL connection. Write `?` placeholders; the PostgreSQL driver numbers them.
 *
 * @example
 * function* countApps(): Body<number> {
 *   const row = yield* get<{ n: number }>('SELECT COUNT(*) AS n FROM apps');
 *   return row?.n ?? 0;
 * }
 * await store.read(countApps);
 */
import type { Keyring } from './secret-box.js';

export type Param = string | number | null;
export type Dialect = 'sqlite' | 'postgres';

/**
 * What a committed transaction tells the rest of the process: `outbox` (something is due to be
 * delivered: wake the worker), `app` (an app changed: drop it from caches).
 */
export type Signal = { kind: 'outbox' } | { kind: 'app'; id: string | '*' };

export type Op =
  | { kind: 'get' | 'all' | 'run'; sql: string; params: readonly Param[] }
  | { kind: 'dialect' }
  | { kind: 'signal'; signal: Signal }
  | { kind: 'keyring' };
export type Body<T> = Generator<Op, T, unknown>;

export function* get<T>(sql: string, params: readonly Param[] = []): Generator<Op, T | undefined, unknown> {
  return (yield { kind: 'get', sql, params }) as T | undefined;
}

export function* all<T>(sql: string, params: readonly Param[] = []): Generator<Op, T[], unknown> {
  return (yield { kind: 'all', sql, params }) as T[];
}

/** Runs a statement and returns the number of rows it changed. */
export function* run(sql: string, params: readonly Param[] = []): Generator<Op, number, unknown> {
  return (yield { kind: 'run', sql, params }) as number;
}

/** Which database runs the body: for the few statements that differ (`FOR UPDATE`, `SKIP LOCKED`). */
export function* dialect(): Generator<Op, Dialect, unknown> {
  return (yield { kind: 'dialect' }) as Dialect;
}

/** The store's keyring, to seal and open secrets at rest (secret-box.ts). The store answers it, not the driver. */
export function* keyring(): Generator<Op, Keyring, unknown> {
  return (yield { kind: 'keyring' }) as Keyring;
}

/** Tells the process, once the transaction has committed, what it changed (see {@link Signal}). */
export function* signal(s: Signal): Generator<Op, void, unknown> {
  yield { kind: 'signal', signal: s };
}

/** A store operation: a generator function. Run it with `store.read(op, ...args)` or `store.transact(op, ...args)`. */
export type Operation<A extends unknown[], T> = (...args: A) => Body<T>;

export interface Driver {
  readonly dialect: Dialect;
  /**
   * Runs a body atomically: all of its writes commit together, durably, or none do. `slow` lifts the
   * time-outs meant for requests (migrations).
   */
  transact<T>(body: () => Body<T>, opts?: { slow?: boolean }): Promise<T>;
  /** Runs a read-only body, outside any write batch. */
  read<T>(body: () => Body<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Where signals go to other processes on the same database, when the database can carry them
   * (PostgreSQL's NOTIFY): the channel to notify, and a way to listen to it.
   */
  readonly channel?: string;
  /** The database file, for an embedded database. */
  readonly file?: string;
  listen?(onPayload: (payload: string) => void, onReconnect: () => void): () => Promise<void>;
}

/** A unique constraint was violated; stores turn it into a domain error. */
export class UniqueViolation extends Error {
  constructor(readonly detail: string) {
    super(`unique violation: ${detail}`);
    this.name = 'UniqueViolation';
  }
}

/**
 * The database refused a text value as not encodable (PostgreSQL: NUL, SQLSTATE 22021 or 22P05).
 * The edges refuse such text first; this keeps any way they missed a 4xx rather than a 500.
 */
export class BadText extends Error {
  constructor(detail: string) {
    super(`the database refused a text value: ${detail}`);
    this.name = 'BadText';
  }
}

/**
 * The store cannot record right now: the database is down, frozen, out of disk or busy past its
 * time-outs. Answered 503 with Retry-After, saying that nothing was recorded; or, when the commit
 * itself went unanswered (`maybeCommitted`), that it could not be confirmed.
 */
export class StoreUnavailable extends Error {
  constructor(
    readonly reason: string,
    readonly maybeCommitted = false,
    options?: { cause?: unknown },
  ) {
    super(`store unavailable: ${reason}`, options);
    this.name = 'StoreUnavailable';
  }
}
