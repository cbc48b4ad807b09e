import pg from 'pg';
import { BadText, StoreUnavailable, UniqueViolation, type Body, type Driver, type Op } from './driver.js';

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

/**
 * How long PostgreSQL may take before the store gives up and answers 503 rather than hang: node-postgres
 * sets no time-out at all by default, so a frozen server once held requests for a whole outage.
 */
export const PG_TIMEOUTS = {
  /** Waiting for a connection (a new one, or a free one from the pool). */
  connectMs: 3_000,
  /** One statement, on the server (`statement_timeout`) and, a little later, on the client. */
  statementMs: 5_000,
  /** A lock wait inside a statement (`lock_timeout`). */
  lockMs: 4_000,
  /** A transaction left open by a client that went away (`idle_in_transaction_session_timeout`). */
  idleInTransactionMs: 10_000,
  /** A whole transaction: past this it is rolled back rather than committed late. */
  transactionMs: 8_000,
};

/** PostgreSQL errors that mean "cannot record now" (SQLSTATE classes 08, 53, 57 and a few more). */
const UNAVAILABLE_STATES = /^(08|53|57|58)|^(40001|40P01|55P03|25P03)$/;
const UNAVAILABLE_NET = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/;
const UNAVAILABLE_MSG =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|Connection ended|Client was closed/i;

/** Turns a node-postgres error into the store's own: a unique violation, or the store being unavailable. */
function classify(e: unknown, maybeCommitted = false): unknown {
  if (e instanceof StoreUnavailable || e instanceof UniqueViolation || e instanceof BadText) return e;
  const err = e as { code?: string; message?: string };
  if (err.code === '23505') return new UniqueViolation(err.message ?? '');
  if (err.code === '22021' || err.code === '22P05') return new BadText(err.message ?? '');
  const code = String(err.code ?? '');
  if (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_NET.test(code) || UNAVAILABLE_MSG.test(err.message ?? '')) {
    return new StoreUnavailable(
      `${code ? code + ': ' : ''}${err.message ?? 'PostgreSQL did not answer'}`,
      maybeCommitted,
      {
        cause: e,
      },
    );
  }
  return e;
}

/** Pooled clients that already have their error listener. */
const guarded = new WeakSet<pg.PoolClient>();

export class PgDriver implements Driver {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly schema: string | null;
  /** The NOTIFY channel of this database and schema: servers on one schema hear each other only. */
  readonly channel: string;
  private ready: Promise<void> | null = null;
  private readonly connectionString: string;

  constructor(url: string, opts: { max?: number } = {}) {
    const { connectionString, schema } = parsePgUrl(url);
    this.schema = schema;
    this.connectionString = connectionString;
    this.channel = `optin_kit_${schema ?? 'public'}`;
    const t = PG_TIMEOUTS;
    const settings = [
      schema ? `-c search_path=${schema}` : '',
      `-c statement_timeout=${t.statementMs}`,
      `-c lock_timeout=${t.lockMs}`,
      `-c idle_in_transaction_session_timeout=${t.idleInTransactionMs}`,
    ].filter(Boolean);
    this.pool = new pg.Pool({
      connectionString,
      max: opts.max ?? 10,
      options: settings.join(' '),
      connectionTimeoutMillis: t.connectMs,
      // The client gives up a little after the server would: a frozen server does not run its timers.
      query_timeout: t.statementMs + 1_000,
      keepAlive: true,
    });
    // An idle client's error (the server restarting) must not crash the process.
    this.pool.on('error', () => {});
  }

  /** Creates this driver's schema once it can; a failure (PostgreSQL down at start) is tried again. */
  private ensureReady(): Promise<void> {
    if (!this.schema) return Promise.resolve();
    this.ready ??= this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`).then(
      () => undefined,
      (e: unknown) => {
        this.ready = null;
        throw classify(e);
      },
    );
    return this.ready;
  }

  private async exec(client: pg.PoolClient | pg.Pool, op: Op): Promise<unknown> {
    if (op.kind === 'dialect') return this.dialect;
    if (op.kind === 'signal') return undefined;
    // The store answers it before a driver sees it (store.ts).
    if (op.kind === 'keyring') throw new Error('keyring: answered by the store, not the driver');
    try {
      const res = await client.query(numberPlaceholders(op.sql), op.params as Param[]);
      if (op.kind === 'run') return res.rowCount ?? 0;
      if (op.kind === 'get') return res.rows[0];
      return res.rows;
    } catch (e) {
      throw classify(e);
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

  async transact<T>(body: () => Body<T>, opts: { slow?: boolean } = {}): Promise<T> {
    await this.ensureReady();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw classify(e);
    }
    // A connection that dies while checked out emits 'error' on the client as well as failing the
    // query: without a listener that would crash the process (the query's failure is handled below).
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on('error', () => {});
    }
    const started = Date.now();
    let committing = false;
    try {
      await client.query('BEGIN');
      if (opts.slow) await client.query('SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0');
      const out = await this.drive(client, body);
      // Too late to be honest about: whoever asked has likely been told it failed. Roll back rather
      // than record what nobody will be told was recorded.
      if (!opts.slow && Date.now() - started > PG_TIMEOUTS.transactionMs) {
        throw new StoreUnavailable(`the transaction took over ${PG_TIMEOUTS.transactionMs} ms`);
      }
      committing = true;
      await client.query('COMMIT');
      client.release();
      return out;
    } catch (e) {
      const err = classify(e, committing);
      if (err instanceof StoreUnavailable) {
        // The connection may be stuck or half-way through a statement: drop it rather than reuse it.
        // Its open transaction is rolled back by the server when it notices.
        client.release(true);
      } else {
        await client.query('ROLLBACK').catch(() => {});
        client.release();
      }
      throw err;
    }
  }

  async read<T>(body: () => Body<T>): Promise<T> {
    await this.ensureReady();
    return this.drive(this.pool, body);
  }

  /**
   * Listens on this schema's channel on a connection of its own (LISTEN cannot share a pooled one),
   * reconnecting by itself after a failure, with a growing pause (0.5 s up to 10 s). `onReconnect`
   * runs each time the connection comes back, since notifications sent meanwhile are lost.
   */
  listen(onPayload: (payload: string) => void, onReconnect: () => void): () => Promise<void> {
    let client: pg.Client | null = null;
    let stopped = false;
    let pause = 500;
    let timer: NodeJS.Timeout | null = null;
    const connect = async (again: boolean) => {
      if (stopped) return;
      const c = new pg.Client({
        connectionString: this.connectionString,
        connectionTimeoutMillis: PG_TIMEOUTS.connectMs,
        keepAlive: true,
      });
      const retry = () => {
        if (stopped || client !== c) return;
        client = null;
        c.end().catch(() => {});
        timer = setTimeout(() => void connect(true), pause);
        timer.unref();
        pause = Math.min(pause * 2, 10_000);
      };
      client = c;
      c.on('error', retry);
      c.on('end', retry);
      c.on('notification', (n) => {
        if (n.channel === this.channel && n.payload) onPayload(n.payload);
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${this.channel}`);
        pause = 500;
        if (again) onReconnect();
      } catch {
        retry();
      }
    };
    void connect(false);
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    };
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
