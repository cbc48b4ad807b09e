import { html } from 'hono/html';
import { conversionOf, conversions, isWebVia, type Conversion } from '../../../core/conversion.js';
import { fill } from '../../views/messages.js';
import { OTHER_CAMPAIGN, type FunnelRow } from '../../store/funnel.js';
import type { Html } from '../../views/layout.js';
import { settingsLayout, type SettingsCtx } from './layout.js';

export const METRICS = ['views', 'consents', 'redirects', 'verified', 'optOuts'] as const;
type Metric = (typeof METRICS)[number];

/** At most this many mechanism/campaign groups are drawn; the table lists them all. */
const MAX_GROUPS = 12;

/**
 * The funnel as a horizontal grouped bar chart in SVG, drawn on the server: no charting library, no
 * script. Colours come from CSS classes, so that they hold their contrast in dark mode too.
 */
export function funnelChart(ctx: SettingsCtx, rows: FunnelRow[], titleText: string): Html {
  const c = ctx.a.cls;
  const seriesCls: Record<Metric, string> = {
    views: c.s1,
    consents: c.s2,
    redirects: c.s3,
    verified: c.s4,
    optOuts: c.s5,
  };
  const groups = [...rows].sort((a, b) => b.views + b.consents - (a.views + a.consents)).slice(0, MAX_GROUPS);
  const max = Math.max(1, ...groups.flatMap((r) => METRICS.map((k) => r[k])));
  const W = 640;
  const labelH = 18;
  const bar = 12;
  const gap = 3;
  const groupH = labelH + METRICS.length * (bar + gap) + 10;
  const plotW = W - 60;
  const H = Math.max(groupH * groups.length, groupH);
  return html`<svg class="${c.chart}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="chart-title" preserveAspectRatio="xMinYMin meet">
<title id="chart-title">${titleText}</title>
${groups.map((r, gi) => {
  const y0 = gi * groupH;
  return html`<g>
<text class="${c.chartText}" x="0" y="${y0 + 13}" font-weight="700">${sourceLabel(ctx, r)}</text>
${METRICS.map((k, i) => {
  const y = y0 + labelH + i * (bar + gap);
  const w = Math.round((r[k] / max) * plotW);
  return html`<rect class="${seriesCls[k]}" x="0" y="${y}" width="${Math.max(w, r[k] > 0 ? 2 : 0)}" height="${bar}"><title>${ctx.m[`metric_${k}`]}: ${r[k]}</title></rect>
<text class="${c.chartText}" x="${w + 6}" y="${y + bar - 2}">${r[k]}</text>`;
})}
</g>`;
})}
</svg>`;
}

const viaLabel = (ctx: SettingsCtx, via: string) => (ctx.m as Record<string, string>)[`via_${via}`] ?? via;
const campaignLabel = (ctx: SettingsCtx, campaign: string) =>
  campaign === OTHER_CAMPAIGN ? ctx.m.otherCampaigns : campaign || ctx.m.noCampaign;
const sourceLabel = (ctx: SettingsCtx, r: FunnelRow) => `${viaLabel(ctx, r.via)} · ${campaignLabel(ctx, r.campaign)}`;

/**
 * One conversion table: per group (a mechanism or a campaign), consents per view and verified per
 * consent, each as a percentage with the two counts it comes from under it; "–" where there is
 * nothing to divide by (said in words to screen readers). Only consents via the page, the QR code and
 * the widget count ({@link conversionOf}): the others follow no view and need no verification.
 */
function conversionTable(
  ctx: SettingsCtx,
  t: {
    id: string;
    caption: string;
    head: string;
    rows: Conversion[];
    label: (key: string) => string;
    total?: Conversion;
  },
): Html {
  const { m } = ctx;
  const c = ctx.a.cls;
  const pct = new Intl.NumberFormat(ctx.lang, { style: 'percent', maximumFractionDigits: 1 });
  const cell = (label: string, value: number | null, part: number, whole: number) =>
    html`<td class="${c.num}" data-label="${label}">${
      value === null
        ? html`<span aria-hidden="true">–</span><span class="${c.visuallyHidden}">${m.noRate}</span>`
        : pct.format(value)
    } <span class="${c.rateCounts}">${fill(m.rateOf, { part: String(part), whole: String(whole) })}</span></td>`;
  const row = (r: Conversion, name: string) =>
    html`<tr><th scope="row">${name}</th>${cell(m.consentRate, r.consentRate, r.webConsents, r.views)}${cell(m.verifiedRate, r.verifiedRate, r.webVerified, r.webConsents)}</tr>`;
  return html`<div class="${c.tableWrap}" role="region" aria-labelledby="${t.id}-caption" tabindex="0">
<table class="${c.table} ${c.stackTable} ${c.rates}" id="${t.id}">
<caption id="${t.id}-caption">${t.caption}</caption>
<thead><tr><th scope="col">${t.head}</th><th scope="col" class="${c.num}">${m.consentRate}</th><th scope="col" class="${c.num}">${m.verifiedRate}</th></tr></thead>
<tbody>${t.rows.map((r) => row(r, t.label(r.key)))}</tbody>
${t.total ? html`<tfoot>${row(t.total, m.total)}</tfoot>` : ''}
</table>
</div>`;
}

/**
 * Conversion per mechanism with views (with the total) and, when any web consent or view carried
 * one, per campaign. SMS, first-message and API consents are in the funnel table, not here.
 */
export function conversionTables(ctx: SettingsCtx, rows: FunnelRow[], period: string): Html {
  const { m } = ctx;
  const byVia = conversions(rows, (r) => r.via);
  const byCampaign = conversions(rows, (r) => r.campaign);
  // Only SMS, first-message or API consents in the period: no conversion to show.
  if (byVia.length === 0) return html``;
  const total: Conversion = { key: '', ...conversionOf(rows) };
  return html`${conversionTable(ctx, {
    id: 'rates-via',
    caption: fill(m.ratesViaTitle, { period }),
    head: m.colMechanism,
    rows: byVia,
    label: (k) => viaLabel(ctx, k),
    total,
  })}${
    byCampaign.some((r) => r.key !== '')
      ? conversionTable(ctx, {
          id: 'rates-campaign',
          caption: fill(m.ratesCampaignTitle, { period }),
          head: m.colCampaign,
          rows: byCampaign,
          label: (k) => campaignLabel(ctx, k),
        })
      : ''
  }`;
}

/** Verified web consents against all web consents of the rows, or null when there are none. */
export function verifiedShare(rows: FunnelRow[]): { verified: number; consents: number; percent: number } | null {
  const web = rows.filter((r) => isWebVia(r.via));
  const consents = web.reduce((n, r) => n + r.consents, 0);
  if (consents === 0) return null;
  const verified = Math.min(
    consents,
    web.reduce((n, r) => n + r.verified, 0),
  );
  return { verified, consents, percent: Math.round((verified / consents) * 100) };
}

/** The funnel screen: period switch, the chart, its legend and the same numbers as a table. */
export function funnelPage(ctx: SettingsCtx, p: { days: 7 | 30; rows: FunnelRow[] }): Html {
  const { m } = ctx;
  const c = ctx.a.cls;
  const period = p.days === 7 ? m.last7 : m.last30;
  const seriesCls: Record<Metric, string> = {
    views: c.s1,
    consents: c.s2,
    redirects: c.s3,
    verified: c.s4,
    optOuts: c.s5,
  };
  const totals = Object.fromEntries(METRICS.map((k) => [k, p.rows.reduce((n, r) => n + r[k], 0)])) as Record<
    Metric,
    number
  >;
  const share = verifiedShare(p.rows);
  return settingsLayout(ctx, {
    title: m.funnelTitle,
    section: 'funnel',
    body: html`<section class="${c.section}">
<nav aria-label="${m.period}"><ul class="${c.legend}">
${([7, 30] as const).map((d) => html`<li><a href="/settings/funnel?days=${d}"${d === p.days ? html` aria-current="page"` : ''}>${d === 7 ? m.last7 : m.last30}</a></li>`)}
</ul></nav>
${
  p.rows.length
    ? html`${
        share
          ? html`<p id="verified-share">${fill(m.verifiedShare, {
              percent: new Intl.NumberFormat(ctx.lang, { style: 'percent' }).format(share.percent / 100),
              verified: String(share.verified),
              consents: String(share.consents),
            })}</p>`
          : ''
      }${conversionTables(ctx, p.rows, period.toLowerCase())}<figure>
${funnelChart(ctx, p.rows, fill(m.chartTitle, { period: period.toLowerCase() }))}
<figcaption><ul class="${c.legend}">${METRICS.map((k) => html`<li><span class="${c.swatch} ${seriesCls[k]}" aria-hidden="true"></span>${m[`metric_${k}`]}</li>`)}</ul></figcaption>
</figure>
<div class="${c.tableWrap}" role="region" aria-labelledby="funnel-caption" tabindex="0">
<table class="${c.table}">
<caption id="funnel-caption">${fill(m.chartTitle, { period: period.toLowerCase() })}</caption>
<thead><tr><th scope="col">${m.colSource}</th>${METRICS.map((k) => html`<th scope="col" class="${c.num}">${m[`metric_${k}`]}</th>`)}</tr></thead>
<tbody>${p.rows.map((r) => html`<tr><th scope="row">${sourceLabel(ctx, r)}</th>${METRICS.map((k) => html`<td class="${c.num}">${r[k]}</td>`)}</tr>`)}</tbody>
<tfoot><tr><th scope="row">${m.total}</th>${METRICS.map((k) => html`<td class="${c.num}">${totals[k]}</td>`)}</tr></tfoot>
</table>
</div>`
    : html`<p>${m.funnelEmpty}</p>`
}
<p class="${c.muted}">${m.funnelNote}</p>
</section>`,
  });
}
