import type { OutboxItem } from '../store/index.js';

/**
 * Where an outbox item stands, said plainly for the operator:
 * - `due`: pending and due now; the next worker round sends it;
 * - `waiting`: pending, its next retry scheduled for later (after a failed attempt);
 * - `claimed`: a worker holds it until `claimedUntil`: it is being delivered, or that worker died and
 *   the claim runs out then (a crashed worker's items once showed as "attempts: 0, due in the past");
 * - `delivered`, `failed`: done (a failed one can be retried).
 */
export type DeliveryState = 'due' | 'waiting' | 'claimed' | 'delivered' | 'failed';

export function deliveryState(item: Pick<OutboxItem, 'status' | 'nextAt' | 'lockedUntil'>, now: number): DeliveryState {
  if (item.status !== 'pending') return item.status;
  if (item.lockedUntil > now) return 'claimed';
  return item.nextAt > now ? 'waiting' : 'due';
}

/** When the next attempt can happen: never before a claim runs out. Null once it is done. */
export function nextAttemptAt(item: Pick<OutboxItem, 'status' | 'nextAt' | 'lockedUntil'>, now: number): number | null {
  if (item.status !== 'pending') return null;
  return item.lockedUntil > now ? Math.max(item.nextAt, item.lockedUntil) : item.nextAt;
}

/** A time to recover from: `30m`, `6h`, `2d` before now, or an ISO time; null when it is neither. */
export function parseSince(v: string, now: number): number | null {
  const rel = /^(\d{1,5})([mhd])$/.exec(v);
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
  const t = Date.parse(v);
  return Number.isFinite(t) && /^\d{4}-\d{2}-\d{2}/.test(v) ? t : null;
}
