import { dayOf, type FunnelIncrement, type Store } from './store/store.js';
import type { FunnelMetric } from './store/types.js';

/**
 * Page views and redirects are aggregate counts, not evidence, so they are added up in memory and
 * written every few seconds rather than costing the page a database write. A crash loses at most
 * the last interval's counts; consents themselves are never counted this way.
 */
export class FunnelCounter {
  private counts = new Map<string, FunnelIncrement>();

  add(appId: string, at: number, via: string, campaign: string | null, metric: FunnelMetric): void {
    const day = dayOf(at);
    const key = `${appId}\u0000${day}\u0000${via}\u0000${campaign ?? ''}\u0000${metric}`;
    const cur = this.counts.get(key);
    if (cur) cur.n++;
    else this.counts.set(key, { appId, day, via, campaign: campaign ?? '', metric, n: 1 });
  }

  async flush(store: Store): Promise<void> {
    if (this.counts.size === 0) return;
    const rows = [...this.counts.values()];
    this.counts = new Map();
    await store.addFunnel(rows);
  }
}
