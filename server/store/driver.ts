/**
 * A store body is a generator of SQL operations. The same body runs synchronously inside one
 * better-sqlite3 transaction (so that SQLite can group-commit many requests in one fsync) and
 * asynchronously on a PostgreSQL connection. Write `?` placeholders; the PostgreSQL driver numbers them.
 *
 * @example
 * function* countApps() {
 *   const row = yield* get<{ n: number }>('SELECT COUNT(*) AS n FROM apps');
 *   return row?.n ?? 0;
 * }
 */
export type Param = string | number | null;
export type Op =
  | { kind: 'get' | 'all'; sql: string; params: readonly Param[] }
  | { kind: 'run'; sql: string; params: readonly Param[] };
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

export interface Driver {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs a body atomically: all of its writes commit together, durably, or none do. */
  transact<T>(body: () => Body<T>): Promise<T>;
  /** Runs a read-only body, outside any write batch. */
  read<T>(body: () => Body<T>): Promise<T>;
  close(): Promise<void>;
}

/** A unique constraint was violated; stores turn it into a domain error. */
export class UniqueViolation extends Error {
  constructor(readonly detail: string) {
    super(`unique violation: ${detail}`);
    this.name = 'UniqueViolation';
  }
}
