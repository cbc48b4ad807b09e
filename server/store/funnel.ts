import { all, run, type Body } from './driver.js';
import type { Row } from './rows.js';

/**
 * The funnel: aggregate counts per app, day, via, campaign and metric. Page views and redirects are
 * counted in memory and added here every few seconds (server/funnel-counter.ts); consents,
 * verifications and opt-outs are counted from the ledger itself, plus what erasures left as counts.
 */
export type FunnelMetric =
  'view' | 'consent' | 'redirect' | 'verified' | 'opt_out' | 'marketing_stop' | 'marketing_resume';

export interface FunnelIncrement {
  appId: string;
  day: string;
  via: string;
  campaign: string;
  metric: FunnelMetric | `erased_${'consent' | 'verified' | 'opt_out' | 'marketing_stop' | 'marketing_resume'}`;
  n: number;
}

export interface FunnelRow {
  via: string;
  campaign: string;
  views: number;
  consents: number;
  redirects: number;
  verified: number;
  optOuts: number;
  /** People who stopped marketing messages in WhatsApp, and who resumed them. */
  marketingStops: number;
  marketingResumes: number;
}

/**
 * Where campaigns beyond an app's first {@link MAX_CAMPAIGNS} of a day are counted, and the stats
 * row that gathers the least active ones: `*` is not a campaign anyone can name (`[A-Za-z0-9_-]`).
 * Without it, every `GET /o/:app?c=<new value>` added a row: 3,000 of them grew one app's stats
 * answer to 450 KB and the funnel page to 744 KB (issue 12).
 */
export const OTHER_CAMPAIGN = '*';
/** Distinct campaigns counted per app and day, and shown per stats answer. */
export const MAX_CAMPAIGNS = 100;

let lastDay = { n: -1, s: '' };
/** The UTC day of an instant, as YYYY-MM-DD (the last answer is kept: most calls ask about today). */
export const dayOf = (t: number): string => {
  const n = Math.floor(t / 86_400_000);
  if (n !== lastDay.n) lastDay = { n, s: new Date(n * 86_400_000).toISOString().slice(0, 10) };
  return lastDay.s;
};

/**
 * Adds counts (page views are batched in memory and flushed here). A campaign that would be more than
 * the app's {@link MAX_CAMPAIGNS}th of the day is counted under {@link OTHER_CAMPAIGN}: the counters
 * of one app and day stay bounded however many servers count.
 */
export function* addFunnel(rows: readonly FunnelIncrement[]): Body<void> {
  const known = new Map<string, Set<string>>();
  for (const r0 of rows) {
    let r = r0;
    if (r.campaign !== '' && r.campaign !== OTHER_CAMPAIGN) {
      const k = `${r.appId}\u0000${r.day}`;
      let seen = known.get(k);
      if (!seen) {
        const existing = yield* all<Row>(
          `SELECT DISTINCT campaign FROM funnel WHERE app_id = ? AND day = ? AND campaign <> '' AND campaign <> ?`,
          [r.appId, r.day, OTHER_CAMPAIGN],
        );
        known.set(k, (seen = new Set(existing.map((e) => e.campaign as string))));
      }
      if (!seen.has(r.campaign)) {
        if (seen.size < MAX_CAMPAIGNS) seen.add(r.campaign);
        else r = { ...r, campaign: OTHER_CAMPAIGN };
      }
    }
    yield* run(
      `INSERT INTO funnel (app_id, day, via, campaign, metric, n) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (app_id, day, via, campaign, metric) DO UPDATE SET n = funnel.n + excluded.n`,
      [r.appId, r.day, r.via, r.campaign, r.metric, r.n],
    );
  }
}

/** The raw counters of an app between two days (inclusive). */
export function* funnelCounts(appId: string, fromDay: string, toDay: string): Body<FunnelIncrement[]> {
  const rows = yield* all<Row>(
    'SELECT * FROM funnel WHERE app_id = ? AND day >= ? AND day <= ? ORDER BY day, via, campaign, metric',
    [appId, fromDay, toDay],
  );
  return rows.map((r) => ({
    appId,
    day: r.day as string,
    via: r.via as string,
    campaign: r.campaign as string,
    metric: r.metric as FunnelMetric,
    n: Number(r.n),
  }));
}

/**
 * The funnel per via and campaign between two instants: views and redirects from the counters,
 * consents, verifications and opt-outs from the ledger (plus what erasures left as counts).
 */
export function* funnelStats(appId: string, from: number, to: number): Body<FunnelRow[]> {
  const out = new Map<string, FunnelRow>();
  const row = (via: string, campaign: string) => {
    const k = `${via}\u0000${campaign}`;
    let r = out.get(k);
    if (!r)
      out.set(
        k,
        (r = {
          via,
          campaign,
          views: 0,
          consents: 0,
          redirects: 0,
          verified: 0,
          optOuts: 0,
          marketingStops: 0,
          marketingResumes: 0,
        }),
      );
    return r;
  };
  const counters = yield* all<Row>(
    'SELECT via, campaign, metric, SUM(n) AS n FROM funnel WHERE app_id = ? AND day >= ? AND day <= ? GROUP BY via, campaign, metric',
    [appId, dayOf(from), dayOf(to - 1)],
  );
  for (const c of counters) {
    const r = row(c.via as string, c.campaign as string);
    const n = Number(c.n);
    if (c.metric === 'view') r.views += n;
    else if (c.metric === 'redirect') r.redirects += n;
    else if (c.metric === 'erased_consent') r.consents += n;
    else if (c.metric === 'erased_verified') r.verified += n;
    else if (c.metric === 'erased_opt_out') r.optOuts += n;
    else if (c.metric === 'erased_marketing_stop') r.marketingStops += n;
    else if (c.metric === 'erased_marketing_resume') r.marketingResumes += n;
  }
  const ledger = yield* all<Row>(
    `SELECT via, COALESCE(campaign, '') AS campaign, action, COUNT(*) AS n FROM consents WHERE app_id = ? AND at >= ? AND at < ? GROUP BY via, COALESCE(campaign, ''), action`,
    [appId, from, to],
  );
  for (const l of ledger) {
    const r = row(l.via as string, l.campaign as string);
    const n = Number(l.n);
    if (l.action === 'opt_in') r.consents += n;
    else if (l.action === 'verify') r.verified += n;
    else if (l.action === 'opt_out') r.optOuts += n;
    else if (l.action === 'marketing_stop') r.marketingStops += n;
    else if (l.action === 'marketing_resume') r.marketingResumes += n;
  }
  return foldCampaigns([...out.values()]).sort(
    (a, b) => a.via.localeCompare(b.via) || a.campaign.localeCompare(b.campaign),
  );
}

const activity = (r: FunnelRow) => r.views + r.consents + r.redirects + r.verified + r.optOuts;

/**
 * At most {@link MAX_CAMPAIGNS} campaign rows, the most active; the rest are added to their
 * mechanism's {@link OTHER_CAMPAIGN} row (over a month, each day's first hundred may differ, and
 * consents carry their campaign in the ledger).
 */
export function foldCampaigns(rows: FunnelRow[]): FunnelRow[] {
  const named = rows.filter((r) => r.campaign !== '' && r.campaign !== OTHER_CAMPAIGN);
  if (named.length <= MAX_CAMPAIGNS) return rows;
  const keep = new Set(
    [...named]
      .sort((a, b) => activity(b) - activity(a) || a.campaign.localeCompare(b.campaign))
      .slice(0, MAX_CAMPAIGNS),
  );
  const out = rows.filter((r) => r.campaign === '' || r.campaign === OTHER_CAMPAIGN || keep.has(r));
  for (const r of named) {
    if (keep.has(r)) continue;
    let other = out.find((o) => o.via === r.via && o.campaign === OTHER_CAMPAIGN);
    if (!other) {
      other = {
        via: r.via,
        campaign: OTHER_CAMPAIGN,
        views: 0,
        consents: 0,
        redirects: 0,
        verified: 0,
        optOuts: 0,
        marketingStops: 0,
        marketingResumes: 0,
      };
      out.push(other);
    }
    other.views += r.views;
    other.consents += r.consents;
    other.redirects += r.redirects;
    other.verified += r.verified;
    other.optOuts += r.optOuts;
    other.marketingStops += r.marketingStops;
    other.marketingResumes += r.marketingResumes;
  }
  return out;
}
