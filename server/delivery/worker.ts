import type { Deps } from '../deps.js';
import { log } from '../log.js';
import { disableCallback } from '../store/apps.js';
import {
  claimDue,
  finishAttempts,
  hasDue,
  startAttempt,
  type AttemptOutcome,
  type OutboxItem,
} from '../store/outbox.js';
import { SEND_TIMEOUT_MS } from './messages.js';
import type { AttemptResult } from './user-events.js';

/** After attempt n fails, the next comes this much later (the contract's schedule). */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  14 * 3600_000,
  20 * 3600_000,
  24 * 3600_000,
];

/** What the worker and its deliveries need: no HTTP app, so it can run as its own process. */
export type WorkerDeps = Pick<Deps, 'store' | 'clock' | 'config'>;

export type Deliver = (deps: WorkerDeps, item: OutboxItem) => Promise<AttemptResult>;

type Outcome = AttemptOutcome;

export interface WorkerOptions {
  /** How many items one round claims. */
  batch?: number;
  /** How many deliveries run at once. */
  concurrency?: number;
  /** How long a claim holds: longer than one lane's share of a round, each at the time-out. */
  lockMs?: number;
  /** How often an idle worker looks for due items. */
  pollMs?: number;
}

/**
 * Delivers the outbox: user-events to callback URLs, messages to providers. At least once: an item
 * leaves `pending` only after a 2xx (delivered) or its last retry (failed). Several workers may run at
 * once (in several servers, or `npm run worker`); claims keep them from sending an item at the same
 * moment.
 *
 * Each item's outcome is recorded on its own, in its own transaction, as soon as its attempt ends (as
 * graphile-worker and River record each job's completion or failure): no outcome waits in memory
 * for a batch, so none can be lost between a delivery and its bookkeeping. On SQLite the group commit
 * still gathers the outcomes that end together into one fsync.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private unsubscribe: (() => void) | null = null;
  /** A wake came during a round. */
  private woken = false;
  private readonly batch: number;
  private readonly concurrency: number;
  readonly lockMs: number;
  /** How long a send holds its item: the slowest a send may take (its time-out) and a margin. */
  private readonly holdMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly deliver: Record<OutboxItem['kind'], Deliver>,
    o: WorkerOptions = {},
  ) {
    this.concurrency = o.concurrency ?? 16;
    this.batch = o.batch ?? this.concurrency * 2;
    // A claim must outlast the slowest round: one lane's share of the batch, each at the time-out.
    this.lockMs =
      o.lockMs ??
      deps.config.outboxClaimMs ??
      Math.max(30_000, Math.ceil(this.batch / this.concurrency) * (deps.config.callbackTimeoutMs + 5_000));
    this.pollMs = o.pollMs ?? 1000;
    this.holdMs = Math.max(deps.config.callbackTimeoutMs, SEND_TIMEOUT_MS) + 5_000;
  }

  /** One round: claims what is due and delivers it. Returns how many items it claimed. */
  async runOnce(): Promise<number> {
    // A read first: an idle worker costs no write (no fsync) per poll.
    if (!(await this.deps.store.read(hasDue, this.deps.clock.now()))) return 0;
    const items = await this.deps.store.transact(claimDue, this.deps.clock.now(), this.batch, this.lockMs);
    // Items about the same person go one after another, in the order they were written; different
    // people go in parallel. (Receivers still order by data.seq: a retry can overtake.)
    const groups = new Map<string, OutboxItem[]>();
    for (const it of items) {
      const k = `${it.appId}\u0000${it.phone}`;
      const g = groups.get(k);
      if (g) g.push(it);
      else groups.set(k, [it]);
    }
    const queue = [...groups.values()];
    let next = 0;
    const lane = async () => {
      while (next < queue.length) {
        for (const it of queue[next++]!) await this.attempt(it);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, lane));
    return items.length;
  }

  /**
   * Delivers one item and records its outcome at once. Just before the send, the worker checks that it
   * still holds the item and extends its hold over the send: a claim that ran out while the item waited
   * in a lane (a busy machine) means another worker may have it, and it is not sent.
   */
  private async attempt(item: OutboxItem): Promise<void> {
    const now = this.deps.clock.now();
    const claim = await this.deps.store.transact(startAttempt, item.id, item.lockedUntil, now, now + this.holdMs);
    if (claim === null) return;
    const outcome = await this.handle({ ...item, lockedUntil: claim });
    await this.deps.store.transact(finishAttempts, [outcome]);
  }

  /** Runs rounds until nothing is due (for tests and tools). */
  async drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async handle(item: OutboxItem): Promise<Outcome> {
    const started = performance.now();
    let r: AttemptResult;
    try {
      r = await this.deliver[item.kind](this.deps, item);
    } catch (e) {
      r = { ok: false, error: (e as Error).message, retry: true };
    }
    const at = this.deps.clock.now();
    const attempts = item.attempts + 1;
    const ms = Math.round(performance.now() - started);
    const attempt = { at, status: r.status ?? null, error: r.ok ? null : (r.error ?? 'failed'), ms };
    const claim = item.lockedUntil;
    if (r.ok) return { id: item.id, claim, attempt, next: { status: 'delivered', nextAt: at, attempts } };
    if (r.disable) await this.deps.store.transact(disableCallback, item.appId, at);
    const delay = RETRY_DELAYS_MS[attempts - 1];
    if (!r.retry || delay === undefined)
      return { id: item.id, claim, attempt, next: { status: 'failed', nextAt: at, attempts } };
    return { id: item.id, claim, attempt, next: { status: 'pending', nextAt: at + delay, attempts } };
  }

  /**
   * Polls in the background until stopped, and looks at once whenever a transaction of this process
   * enqueued something (the store's `outbox` signal): nobody has to remember to wake it.
   */
  start(): void {
    this.stopped = false;
    this.unsubscribe ??= this.deps.store.subscribe((signals) => {
      if (signals.some((s) => s.kind === 'outbox')) this.wake();
    });
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    // A round under way may have claimed before this item was written: look again when it ends.
    if (this.running) this.woken = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    }, ms);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        this.woken = false;
        const n = await this.runOnce();
        if (this.stopped || (n < this.batch && !this.woken)) break;
      }
    } catch (e) {
      log.error('outbox worker: a round failed; it will try again', e);
    }
    if (!this.stopped) this.schedule(this.woken ? 0 : this.pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
