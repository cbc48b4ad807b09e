import { html } from 'hono/html';
import { maskPhone } from '../../../core/phone.js';
import { deliveryState, nextAttemptAt } from '../../services/event-view.js';
import type { OutboxItem } from '../../store/index.js';
import { fill } from '../../views/messages.js';
import type { Html } from '../../views/layout.js';
import { csrfField, settingsLayout, type SettingsCtx } from './layout.js';
import { when } from './users.js';

/** How far back "recover" reaches, as the form offers it. */
export const RECOVER_SINCE = ['1h', '6h', '24h', '3d', '7d'] as const;

/**
 * The user-events screen: the latest events with their delivery state said plainly (due, waiting for
 * a retry, held by a worker until a time, delivered, failed), a "Retry now" button on each, and
 * "Recover everything that failed or waits since…" for after an outage of the business's receiver.
 */
export function eventsPage(
  ctx: SettingsCtx,
  p: { items: OutboxItem[]; now: number; notice?: string; error?: string },
): Html {
  const { m, lang } = ctx;
  const c = ctx.a.cls;
  const since = (v: (typeof RECOVER_SINCE)[number]) => m[`since_${v}`];
  return settingsLayout(ctx, {
    title: m.eventsTitle,
    section: 'events',
    body: html`${p.notice ? html`<p class="${c.notice}" role="status" tabindex="-1" autofocus>${p.notice}</p>` : ''}${
      p.error ? html`<p class="${c.notice}" role="alert" tabindex="-1" autofocus>${p.error}</p>` : ''
    }
<section class="${c.section}" aria-labelledby="recover-title">
<h2 class="${c.h2}" id="recover-title">${m.recoverTitle}</h2>
<p class="${c.muted}">${m.recoverIntro}</p>
<form method="post" action="/settings/events/recover">${csrfField(ctx)}
<div class="${c.field}">
<label class="${c.label}" for="recover-since">${m.recoverLabel}</label>
<select class="${c.select}" id="recover-since" name="since">${RECOVER_SINCE.map((v) => html`<option value="${v}"${v === '24h' ? ' selected' : ''}>${since(v)}</option>`)}</select>
</div>
<div class="${c.actions}"><button class="${c.button}" type="submit">${m.recoverSubmit}</button></div>
</form>
</section>
<section class="${c.section}" aria-labelledby="events-title">
<h2 class="${c.h2}" id="events-title">${m.eventsLatest}</h2>
<p class="${c.muted}">${m.eventsIntro}</p>
${
  p.items.length
    ? html`<div class="${c.tableWrap}" role="region" aria-label="${m.eventsTitle}" tabindex="0">
<table class="${c.table}">
<thead><tr><th scope="col">${m.colEvent}</th><th scope="col">${m.colPhone}</th><th scope="col">${m.colState}</th><th scope="col" class="${c.num}">${m.colAttempts}</th><th scope="col">${m.colNext}</th><th scope="col">${m.colError}</th><th scope="col">${m.colActions}</th></tr></thead>
<tbody>
${p.items.map((e) => {
  const state = deliveryState(e, p.now);
  const next = nextAttemptAt(e, p.now);
  return html`<tr>
<th scope="row"><span class="${c.mono}">${e.type}</span> <span class="${c.muted}">${when(e.createdAt, lang)}</span></th>
<td class="${c.mono}">${e.phone ? maskPhone(e.phone) : '—'}</td>
<td>${m[`state_${state}`]}${state === 'claimed' ? html` <span class="${c.muted}">${fill(m.claimedUntil, { until: when(e.lockedUntil, lang) })}</span>` : ''}</td>
<td class="${c.num}">${e.attempts}</td>
<td>${next === null ? '—' : html`<time datetime="${new Date(next).toISOString()}">${when(next, lang)}</time>`}</td>
<td>${e.lastError ?? '—'}</td>
<td>${
    state === 'claimed' || state === 'due'
      ? '—'
      : html`<form method="post" action="/settings/events/retry" class="${c.inlineForm}">${csrfField(ctx)}<input type="hidden" name="id" value="${e.id}"><button class="${c.buttonSecondary}" type="submit">${m.retryNow}<span class="${c.visuallyHidden}"> ${e.type} ${when(e.createdAt, lang)}</span></button></form>`
  }</td>
</tr>`;
})}
</tbody>
</table>
</div>`
    : html`<p>${m.eventsEmpty}</p>`
}
</section>`,
  });
}
