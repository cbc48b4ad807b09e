import {
  addFunnel,
  dayOf,
  MAX_CAMPAIGNS,
  OTHER_CAMPAIGN,
  type FunnelIncrement,
  type FunnelMetric,
} from './store/funnel.js';
import type { Store } from './store/index.js';

/**
 * Page views and redirects are aggregate counts, not evidence, so they are added up in memory and
 * written every few seconds rather than costing the page a database write. A crash loses at most
 * the last interval's counts; consents themselves are never counted this way.
 */
export class FunnelCounter {
  private counts = new Map<string, FunnelIncrement>();
  /** Campaigns counted today per app, at most MAX_CAMPAIGNS each: the rest count as OTHER_CAMPAIGN. */
  private campaigns = new Map<string, Set<string>>();
  private campaignsDay = '';

  add(appId: string, at: number, via: string, campaign0: string | null, metric: FunnelMetric, n = 1): void {
    const day = dayOf(at);
    const campaign = campaign0 ? this.campaignOf(appId, day, campaign0) : null;
    const key = `${appId}\u0000${day}\u0000${via}\u0000${campaign ?? ''}\u0000${metric}`;
    const cur = this.counts.get(key);
    if (cur) cur.n += n;
    else this.counts.set(key, { appId, day, via, campaign: campaign ?? '', metric, n });
  }

  /** The campaign as counted: itself, or OTHER_CAMPAIGN once the app has MAX_CAMPAIGNS today. */
  private campaignOf(appId: string, day: string, campaign: string): string {
    if (day !== this.campaignsDay) {
      this.campaignsDay = day;
      this.campaigns.clear();
    }
    let seen = this.campaigns.get(appId);
    if (!seen) this.campaigns.set(appId, (seen = new Set()));
    if (seen.has(campaign)) return campaign;
    if (seen.size >= MAX_CAMPAIGNS) return OTHER_CAMPAIGN;
    seen.add(campaign);
    return campaign;
  }

  async flush(store: Store): Promise<void> {
    if (this.counts.size === 0) return;
    const rows = [...this.counts.values()];
    this.counts = new Map();
    try {
      await store.transact(addFunnel, rows);
    } catch (e) {
      // Put them back: the next flush tries again.
      for (const r of rows)
        this.add(r.appId, Date.parse(r.day), r.via, r.campaign || null, r.metric as FunnelMetric, r.n);
      throw e;
    }
  }
}
