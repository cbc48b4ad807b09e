import type { Deps } from '../deps.js';
import { disableCallback } from '../store/apps.js';
import { claimDue, finishAttempts, hasDue, type AttemptOutcome, type OutboxItem } from '../store/outbox.js';
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
  /** How long a claim holds: longer than the slowest delivery (10 s time-out). */
  lockMs?: number;
  /** How often an idle worker looks for due items. */
  pollMs?: number;
}

/**
 * Delivers the outbox: user-events to callback URLs, messages to providers. At least once: an item
 * leaves `pending` only after a 2xx (delivered) or its last retry (failed). Several workers may run at
 * once (in several servers, or `npm run worker`); claims keep them from sending an item at the same
 * moment.
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
  private readonly lockMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly deliver: Record<OutboxItem['kind'], Deliver>,
    o: WorkerOptions = {},
  ) {
    this.batch = o.batch ?? 100;
    this.concurrency = o.concurrency ?? 16;
    // A claim must outlast the slowest round: every lane's share of the batch, each at the time-out.
    this.lockMs =
      o.lockMs ?? Math.max(60_000, Math.ceil(this.batch / this.concurrency) * (deps.config.callbackTimeoutMs + 5_000));
    this.pollMs = o.pollMs ?? 1000;
  }

  /** One round: claims what is due and delivers it. Returns how many items it handled. */
  async runOnce(): Promise<number> {
    // A read first: an idle worker costs no write (no fsync) per poll.
    if (!(await this.deps.store.read(hasDue, this.deps.clock.now()))) return 0;
    const items = await this.deps.store.transact(claimDue, this.deps.clock.now(), this.batch, this.lockMs);
    // Items about the same person go one after another, in order, so that a receiver never hears
    // "opted-out" before the "opted-in" it follows; different people go in parallel.
    const groups = new Map<string, OutboxItem[]>();
    for (const it of items) {
      const k = `${it.appId}\u0000${it.phone}`;
      const g = groups.get(k);
      if (g) g.push(it);
      else groups.set(k, [it]);
    }
    const queue = [...groups.values()];
    let results: Outcome[] = [];
    // Results are written a few at a time (one transaction each), soon after they happen. Should the
    // process die first, the claims expire and the items are sent again: at least once.
    const flush = async () => {
      const done = results;
      results = [];
      if (done.length) await this.deps.store.transact(finishAttempts, done);
    };
    let next = 0;
    const lane = async () => {
      while (next < queue.length) {
        for (const it of queue[next++]!) results.push(await this.handle(it));
        if (results.length >= 25) await flush();
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, lane));
    await flush();
    return items.length;
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
      console.error('outbox worker: round failed, will try again', e);
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
