import type { Context } from 'hono';
import type { ActiveSession } from './session.js';
import type { Html } from '../views/layout.js';
import { settingsMessagePage, type SettingsCtx } from './views/layout.js';

/** What the Settings middleware puts on every request: the page context, the session, a POST's form. */
export type SettingsEnv = { Variables: { ctx: SettingsCtx; session: ActiveSession | null; form: URLSearchParams } };

/** Renders a page (the middleware adds the security headers). */
export async function sendPage(
  c: Context<SettingsEnv>,
  status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
  page: Html,
) {
  return c.html(await page, status);
}

/** A friendly page for refused input, with its status. */
export function refuse(
  c: Context<SettingsEnv>,
  status: 400 | 403 | 404 | 413 | 415 | 429,
  kind: 'badRequest' | 'forbidden' | 'notFound' | 'tooMany',
) {
  const ctx = c.get('ctx');
  return sendPage(c, status, settingsMessagePage(ctx, ctx.m[`${kind}Title`], ctx.m[`${kind}Body`]));
}
