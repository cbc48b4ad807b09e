import { randomUUID } from 'node:crypto';
import { log } from '../log.js';
import type { Body, Dialect, Driver, Op, Signal } from './driver.js';
import { migrate } from './migrations.js';
import type { Keyring } from './secret-box.js';
import { loadKeyring, NO_SECRETS_CONFIG } from './secrets-key.js';

/** Gets the signals a committed transaction sent. */
export type SignalListener = (signals: readonly Signal[]) => void;

/**
 * Passes a body's SQL on to the driver and keeps its signals aside, to be sent after the commit. On a
 * database that carries notifications (PostgreSQL), the signals are also notified in the same
 * transaction, so other processes get them when, and only if, it commits.
 */
function* collect<T>(
  body: Body<T>,
  signals: Signal[],
  notify: { channel: string; origin: string } | null,
  keyring: () => Keyring,
): Body<T> {
  let step = body.next();
  while (!step.done) {
    const op: Op = step.value;
    if (op.kind === 'signal') {
      signals.push(op.signal);
      step = body.next();
    } else if (op.kind === 'keyring') {
      step = body.next(keyring());
    } else {
      step = body.next(yield op);
    }
  }
  if (notify && signals.length) {
    const unique = [...new Map(signals.map((s) => [JSON.stringify(s), s])).values()];
    yield {
      kind: 'get',
      sql: 'SELECT pg_notify(?, ?) AS sent',
      params: [notify.channel, JSON.stringify({ origin: notify.origin, signals: unique })],
    };
  }
  return step.value;
}

/** Answers a read body's `keyring` operations; passes every other on to the driver. */
function* withKeyring<T>(body: Body<T>, keyring: () => Keyring): Body<T> {
  let step = body.next();
  while (!step.done) step = step.value.kind === 'keyring' ? body.next(keyring()) : body.next(yield step.value);
  return step.value;
}

/**
 * The store: a driver (SQLite or PostgreSQL) and the one way to run store operations. Every
 * operation is a generator body in a module of its own table group (apps.ts, ledger.ts, users.ts,
 * outbox.ts...), run here with `read` or `transact`, and composed inside another body with `yield*`.
 * Both databases run the same bodies, and one conformance suite (test/store.conformance.test.ts)
 * runs against both.
 *
 * @example
 * const app = await store.read(appByName, 'acme');
 * await store.transact(recordChange, change);
 */
export class Store {
  private listeners: SignalListener[] = [];
  /** This store's name in notifications: its own come back to it and are ignored. */
  private readonly origin = randomUUID();
  private unlisten: (() => Promise<void>) | null = null;

  private keys: Keyring | null = null;
  private readonly keySource: Keyring | (() => Keyring);

  /**
   * `keyring` seals and opens the secrets stored at rest. Without one, the store uses the key file
   * beside its SQLite file, or `./data/secrets.key` for PostgreSQL, made on first use
   * (secrets-key.ts): so every store opened on the same data reads the same secrets.
   */
  constructor(
    readonly driver: Driver,
    keyring?: Keyring | (() => Keyring),
  ) {
    this.keySource = keyring ?? (() => loadKeyring(NO_SECRETS_CONFIG, driver.file ?? null));
  }

  /** The keyring, loaded (or its key file made) on first use. */
  keyring = (): Keyring => (this.keys ??= typeof this.keySource === 'function' ? this.keySource() : this.keySource);

  get kind(): Dialect {
    return this.driver.dialect;
  }

  /** Runs a read-only operation. */
  read<A extends unknown[], T>(op: (...args: A) => Body<T>, ...args: A): Promise<T> {
    return this.driver.read(() => withKeyring(op(...args), this.keyring));
  }

  /**
   * Runs an operation in one transaction: everything it writes commits together, durably, or
   * nothing does. Once it has committed, the signals it sent go to every listener (the outbox worker
   * wakes for `outbox`, the app cache forgets an `app`): so no caller has to remember to.
   */
  async transact<A extends unknown[], T>(op: (...args: A) => Body<T>, ...args: A): Promise<T> {
    let signals: Signal[] = [];
    const out = await this.driver.transact(() => {
      // A fresh list on every run: SQLite re-runs a body in its own savepoint when its batch failed.
      signals = [];
      return collect(
        op(...args),
        signals,
        this.driver.channel ? { channel: this.driver.channel, origin: this.origin } : null,
        this.keyring,
      );
    });
    if (signals.length) this.send(signals);
    return out;
  }

  private send(signals: readonly Signal[]): void {
    for (const l of this.listeners) {
      try {
        l(signals);
      } catch (e) {
        // The transaction has committed: a listener's failure must not make it look as if it had not.
        log.error('store: a signal listener failed', e, { stack: true });
      }
    }
  }

  /**
   * Listens for the signals of committed transactions: this process's, and, on PostgreSQL, every other
   * process's on the same database (LISTEN/NOTIFY). When the notification connection was lost and
   * comes back, listeners hear "every app, and the outbox" (what changed meanwhile is unknown).
   * Returns a function that stops listening.
   */
  subscribe(listener: SignalListener): () => void {
    this.listeners.push(listener);
    if (!this.unlisten && this.driver.listen) {
      this.unlisten = this.driver.listen(
        (payload) => {
          try {
            const m = JSON.parse(payload) as { origin: string; signals: Signal[] };
            if (m.origin !== this.origin) this.send(m.signals);
          } catch {
            // Not ours: ignore.
          }
        },
        () => this.send([{ kind: 'app', id: '*' }, { kind: 'outbox' }]),
      );
    }
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  migrate(now = Date.now()): Promise<number[]> {
    return migrate(this.driver, now);
  }

  async close(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = null;
    await this.driver.close();
  }
}
