import pg from 'pg';
import { UniqueViolation, type Body, type Driver, type Op } from './driver.js';

// BIGINT columns hold epoch milliseconds and counters, all far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/** Turns `?` placeholders into `$1, $2, …`. Our SQL never holds a literal `?`. */
export function numberPlaceholders(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/**
 * Splits `?schema=name` off a PostgreSQL URL: each test run (or tenant) gets its own schema,
 * set as the connection's search_path.
 */
export function parsePgUrl(url: string): { connectionString: string; schema: string | null } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error('schema must be a lower-case SQL identifier');
  return { connectionString: u.toString(), schema };
}

export class PgDriver implements Driver {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly schema: string | null;
  private ready: Promise<void>;

  constructor(url: string, opts: { max?: number } = {}) {
    const { connectionString, schema } = parsePgUrl(url);
    this.schema = schema;
    this.pool = new pg.Pool({
      connectionString,
      max: opts.max ?? 10,
      options: schema ? `-c search_path=${schema}` : undefined,
    });
    // An idle client's error (the server restarting) must not crash the process.
    this.pool.on('error', () => {});
    this.ready = schema
      ? this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).then(() => undefined)
      : Promise.resolve();
  }

  private async exec(client: pg.PoolClient | pg.Pool, op: Op): Promise<unknown> {
    if (op.kind === 'dialect') return this.dialect;
    if (op.kind === 'signal') return undefined;
    try {
      const res = await client.query(numberPlaceholders(op.sql), op.params as Param[]);
      if (op.kind === 'run') return res.rowCount ?? 0;
      if (op.kind === 'get') return res.rows[0];
      return res.rows;
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new UniqueViolation((e as Error).message);
      throw e;
    }
  }

  private async drive<T>(client: pg.PoolClient | pg.Pool, body: () => Body<T>): Promise<T> {
    const gen = body();
    let step = gen.next();
    // A failed statement aborts the body (and, on PostgreSQL, the transaction): bodies avoid
    // expected conflicts with ON CONFLICT rather than by catching.
    while (!step.done) step = gen.next(await this.exec(client, step.value));
    return step.value;
  }

  async transact<T>(body: () => Body<T>): Promise<T> {
    await this.ready;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await this.drive(client, body);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async read<T>(body: () => Body<T>): Promise<T> {
    await this.ready;
    return this.drive(this.pool, body);
  }

  /** Drops this driver's own schema: for tests that made one. */
  async dropSchema(): Promise<void> {
    if (this.schema) await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

type Param = import('./driver.js').Param;
