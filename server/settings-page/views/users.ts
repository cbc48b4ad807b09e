import { html } from 'hono/html';
import type { Locale } from '../../../core/locale.js';
import { fill } from '../../views/messages.js';
import { VIAS } from '../../../core/optin-state.js';
import { maskPhone } from '../../../core/phone.js';
import type { UserHistory } from '../../store/users.js';
import type { Html } from '../../views/layout.js';
import { csrfField, settingsLayout, type SettingsCtx } from './layout.js';

export interface UserRow {
  phone: string;
  optin: 'opted_in' | 'opted_out' | 'none';
  activity: 'active' | 'inactive';
  via: string | null;
  verified: boolean;
  at: number;
  history: UserHistory;
}

export interface UsersFilter {
  optin?: 'opted_in' | 'opted_out' | 'none';
  activity?: 'active' | 'inactive';
  via?: string;
  /** Digits the number contains. */
  q?: string;
}

export interface UsersView {
  rows: UserRow[];
  filter: UsersFilter;
  cursor: string | null;
  next: string | null;
  reveal: boolean;
  notice?: string;
  /** How links and forms name a person: an opaque reference, never the number (see phoneRefs). */
  ref: (phone: string) => string;
}

/** A time as people read it in their language; the page names UTC so that it is unambiguous. */
export function when(t: number, lang: Locale): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(t) + ' UTC';
}

/** A query string for the users screen, leaving out what is unset. */
export function usersQuery(f: UsersFilter & { reveal?: boolean; cursor?: string | null }): string {
  const q = new URLSearchParams();
  if (f.optin) q.set('optin', f.optin);
  if (f.activity) q.set('activity', f.activity);
  if (f.via) q.set('via', f.via);
  if (f.q) q.set('q', f.q);
  if (f.reveal) q.set('reveal', '1');
  if (f.cursor) q.set('cursor', f.cursor);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The opt-ins: filters, a keyset-paged table with a history drawer per person, and the export. */
export function usersPage(ctx: SettingsCtx, v: UsersView): Html {
  const { m, lang } = ctx;
  const c = ctx.a.cls;
  const shown = (p: string) => (v.reveal ? `+${p}` : maskPhone(p));
  const select = (
    id: string,
    name: string,
    label: string,
    current: string | undefined,
    options: [string, string][],
  ) => html`<div class="${c.field}">
<label class="${c.label}" for="${id}">${label}</label>
<select class="${c.select}" id="${id}" name="${name}"><option value="">${m.any}</option>${options.map(([val, text]) => html`<option value="${val}"${current === val ? ' selected' : ''}>${text}</option>`)}</select>
</div>`;
  const viaName = (via: string | null) => (via ? ((m as Record<string, string>)[`via_${via}`] ?? via) : '—');

  const history = (r: UserRow) => {
    const items = [
      ...r.history.consents.map((h) => ({
        at: h.at,
        text: [
          m[`action_${h.action}`],
          viaName(h.via),
          h.wordingVersion !== null ? fill(m.wordingShown, { version: String(h.wordingVersion) }) : '',
          h.campaign ? fill(m.campaignIs, { campaign: h.campaign }) : '',
          h.ref ? `ref ${h.ref}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
      })),
      ...r.history.messages.map((msg) => ({
        at: msg.at,
        text: `${msg.direction === 'in' ? m.message_in : m.message_out} (${msg.channel}): ${msg.text.slice(0, 200)}`,
      })),
    ].sort((a, b) => a.at - b.at);
    // Only the most recent records are read for the drawer; say so when older ones were left out.
    const total = r.history.totalConsents + r.history.totalMessages;
    const more =
      total > items.length
        ? html`<p class="${c.muted}">${fill(m.historyMore, { shown: String(items.length), total: String(total) })}</p>`
        : '';
    return html`<details class="${c.details}"><summary>${m.history}<span class="${c.visuallyHidden}"> ${shown(r.phone)}</span></summary>
${items.length ? html`<ol class="${c.historyList}">${items.map((i) => html`<li><time datetime="${new Date(i.at).toISOString()}">${when(i.at, lang)}</time>: ${i.text}</li>`)}</ol>` : html`<p>${m.historyEmpty}</p>`}
${more}</details>`;
  };

  const confirmHref = (action: 'optout' | 'erase', phone: string) =>
    `/settings/users/confirm?action=${action}&p=${v.ref(phone)}${v.reveal ? '&reveal=1' : ''}`;

  return settingsLayout(ctx, {
    title: m.usersTitle,
    section: 'users',
    body: html`${v.notice ? html`<p class="${c.notice}" role="status" tabindex="-1" autofocus>${v.notice}</p>` : ''}
<section class="${c.section}" aria-labelledby="filters-title">
<h2 class="${c.h2}" id="filters-title">${m.filters}</h2>
<form method="get" action="/settings/users">
<div class="${c.filters}">
<div class="${c.field}"><label class="${c.label}" for="f-q">${m.searchLabel}</label>
<span class="${c.hint}" id="f-q-hint">${m.searchHint}</span>
<input class="${c.input}" type="search" id="f-q" name="q" inputmode="tel" maxlength="20" autocomplete="off" value="${v.filter.q ?? ''}" aria-describedby="f-q-hint"></div>
${select(
  'f-optin',
  'optin',
  m.filterStatus,
  v.filter.optin,
  (['opted_in', 'opted_out', 'none'] as const).map((s) => [s, m[`status_${s}`]]),
)}
${select(
  'f-activity',
  'activity',
  m.filterActivity,
  v.filter.activity,
  (['active', 'inactive'] as const).map((s) => [s, m[`activity_${s}`]]),
)}
${select(
  'f-via',
  'via',
  m.filterVia,
  v.filter.via,
  VIAS.map((s) => [s, viaName(s)]),
)}
</div>
${v.reveal ? html`<input type="hidden" name="reveal" value="1">` : ''}
<div class="${c.actions}"><button class="${c.button}" type="submit">${m.filterButton}</button> <a href="/settings/users${v.reveal ? '?reveal=1' : ''}">${m.clearFilters}</a></div>
</form>
</section>
<section class="${c.section}" aria-labelledby="list-title">
<h2 class="${c.h2} ${c.visuallyHidden}" id="list-title">${m.usersCaption}</h2>
<div class="${c.actions}">
<a class="${c.buttonSecondary}" href="/settings/users${usersQuery({ ...v.filter, cursor: v.cursor, reveal: !v.reveal })}">${v.reveal ? m.hideNumbers : m.showNumbers}</a>
<a class="${c.buttonSecondary}" href="/settings/users.csv" download>${m.exportCsv}</a>
</div>
${
  v.rows.length
    ? html`<div class="${c.tableWrap}" role="region" aria-label="${m.usersTableLabel}" tabindex="0">
<table class="${c.table} ${c.stackTable}">
<caption>${m.usersCaption} <span class="${c.muted}">${m.newestFirst}</span></caption>
<thead><tr><th scope="col">${m.colPhone}</th><th scope="col">${m.colStatus}</th><th scope="col">${m.colVia}</th><th scope="col">${m.colVerified}</th><th scope="col">${m.colActivity}</th><th scope="col">${m.colWhen}</th><th scope="col">${m.history}</th><th scope="col">${m.colActions}</th></tr></thead>
<tbody>
${v.rows.map(
  (r) => html`<tr>
<th scope="row" class="${c.mono}">${shown(r.phone)}</th>
<td data-label="${m.colStatus}">${m[`status_${r.optin}`]}</td>
<td data-label="${m.colVia}">${viaName(r.via)}</td>
<td data-label="${m.colVerified}">${r.verified ? m.yes : m.no}</td>
<td data-label="${m.colActivity}">${m[`activity_${r.activity}`]}</td>
<td data-label="${m.colWhen}"><time datetime="${new Date(r.at).toISOString()}">${when(r.at, lang)}</time></td>
<td data-label="${m.history}">${history(r)}</td>
<td data-label="${m.colActions}"><div class="${c.actions}">${r.optin !== 'opted_out' ? html`<a href="${confirmHref('optout', r.phone)}">${m.optOut}<span class="${c.visuallyHidden}"> ${shown(r.phone)}</span></a>` : ''}
<a href="${confirmHref('erase', r.phone)}">${m.erase}<span class="${c.visuallyHidden}"> ${shown(r.phone)}</span></a></div></td>
</tr>`,
)}
</tbody>
</table>
</div>`
    : html`<p>${m.noUsers}</p>`
}
<nav class="${c.pager}" aria-label="${m.usersPagerLabel}">
${v.cursor ? html`<a href="/settings/users${usersQuery({ ...v.filter, reveal: v.reveal })}">${m.firstPage}</a>` : ''}
${v.next ? html`<a href="/settings/users${usersQuery({ ...v.filter, reveal: v.reveal, cursor: v.next })}" rel="next">${m.nextPage}</a>` : ''}
</nav>
</section>`,
  });
}

/** The confirmation step of an opt-out or an erasure: a plain form, so it works without JavaScript. */
export function confirmPage(
  ctx: SettingsCtx,
  p: { action: 'optout' | 'erase'; phone: string; reveal: boolean; ref: (phone: string) => string },
): Html {
  const { m } = ctx;
  const c = ctx.a.cls;
  const shown = p.reveal ? `+${p.phone}` : maskPhone(p.phone);
  const optout = p.action === 'optout';
  return settingsLayout(ctx, {
    title: fill(optout ? m.confirmOptOutTitle : m.confirmEraseTitle, { phone: shown }),
    section: 'users',
    body: html`<section class="${c.section}">
<p>${optout ? m.confirmOptOutBody : m.confirmEraseBody}</p>
<form method="post" action="/settings/users/${p.action}">
${csrfField(ctx)}
<input type="hidden" name="p" value="${p.ref(p.phone)}">
<input type="hidden" name="confirm" value="yes">
${p.reveal ? html`<input type="hidden" name="reveal" value="1">` : ''}
<div class="${c.actions}"><button class="${optout ? c.button : c.buttonDanger}" type="submit">${optout ? m.confirmOptOutButton : m.confirmEraseButton}</button>
<a href="/settings/users${p.reveal ? '?reveal=1' : ''}">${m.cancel}</a></div>
</form>
</section>`,
  });
}
