/**
 * An in-process token bucket per client IP: `perMinute` requests, refilled smoothly. Enough for one
 * node; with several nodes behind a balancer each node keeps its own buckets, so the effective limit
 * is per node (see README).
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private swept = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Returns 0 when allowed, else the seconds to wait. A limit of 0 allows everything. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    if (this.buckets.size > 50_000 && t - this.swept > 60_000) this.sweep(t);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.set(key, b);
      return 0;
    }
    this.buckets.set(key, b);
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
  }

  private sweep(t: number): void {
    this.swept = t;
    for (const [k, b] of this.buckets)
      if (b.tokens + (t - b.at) * (this.perMinute / 60_000) >= this.perMinute) this.buckets.delete(k);
  }
}
