import { formHasNul } from '../../core/text.js';
import { createHash } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { isValidCampaign } from '../../core/app-name.js';
import { isLocale, negotiateLocale, type Locale } from '../../core/locale.js';
import type { SettingsAssets } from '../assets.js';
import type { Deps } from '../deps.js';
import { logFailure, STORE_RETRY_AFTER_S } from '../errors.js';
import { BadText, StoreUnavailable } from '../store/driver.js';
import { clientIp, mediaType, readText } from '../http.js';
import { RateLimiter } from '../rate-limit.js';
import { isSettingsForm, saveSettingsForm } from './forms.js';
import { normalizeOrigin } from '../../core/origin.js';
import { updateApp } from '../services/apps.js';
import { csrfOk, loadSession, refreshAccess, SESSION_COOKIE, SESSION_MAX_MS, signIn, signOut } from './session.js';
import { optionsPage } from './views/options.js';
import { messagesFor, settingsMessagePage } from './views/layout.js';
import { POSTER_PAGE_CSS, posterPage, signInPage, toolsPage } from './views/tools.js';
import { refuse, sendPage, type SettingsEnv } from './http.js';
import { settingsEventRoutes } from './events-routes.js';
import { settingsUserRoutes } from './users-routes.js';

const LANG_COOKIE = 'optin_lang';
/** Settings forms are small: three wordings and three prompts of 1000 characters at most. */
const MAX_SETTINGS_FORM = 64 * 1024;
/** Wrong API keys allowed per IP per minute before sign-in answers 429. */
const SIGN_IN_FAILURES_PER_MINUTE = 10;

const hashOf = (css: string) => `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
const POSTER_HASHES = Object.values(POSTER_PAGE_CSS).map(hashOf).join(' ');

/**
 * The Settings page's CSP: styles and script only from this origin (no inline script, no
 * unsafe-inline), the poster's @page rule by hash, forms only to this origin, never framed.
 */
export const SETTINGS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${POSTER_HASHES}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `/settings`: the marketer's page, signed in with the app's API key (exchanged for an HttpOnly,
 * SameSite=Strict session cookie). Every action is a plain form (POST, then 303 to a GET); forms
 * carry a per-session CSRF token and must come from PUBLIC_URL's origin.
 */
export function settingsPageRoutes(deps: Deps): Hono<SettingsEnv> {
  const r = new Hono<SettingsEnv>();
  const origin = new URL(deps.config.publicUrl).origin;
  const failures = new RateLimiter(SIGN_IN_FAILURES_PER_MINUTE, () => deps.clock.now(), deps.rateLimits, 'signin');
  const blocked = new Map<string, number>();

  const guard: MiddlewareHandler<SettingsEnv> = async (c, next) => {
    const assets = deps.assets.settings;
    if (!assets) {
      c.header('Cache-Control', 'no-store');
      return c.text('The Settings page is not built: run "npm run build".', 503);
    }
    // Language: ?lang= (remembered in a cookie), then the cookie, then Accept-Language.
    const q = c.req.query('lang');
    if (q && isLocale(q))
      setCookie(c, LANG_COOKIE, q, { prefix: 'host', path: '/', secure: true, sameSite: 'Lax', maxAge: 365 * 86_400 });
    const remembered = getCookie(c, LANG_COOKIE, 'host');
    const lang: Locale = negotiateLocale(
      q && isLocale(q) ? q : remembered && isLocale(remembered) ? remembered : undefined,
      c.req.header('accept-language'),
    );
    const session = await loadSession(deps, getCookie(c, SESSION_COOKIE, 'host'));
    const url = new URL(c.req.url);
    c.set('session', session);
    c.set('ctx', {
      a: assets as SettingsAssets,
      lang,
      m: messagesFor(lang),
      langHref: (l) => {
        const u = new URLSearchParams(url.search);
        u.set('lang', l);
        return `${url.pathname}?${u}`;
      },
      app: session?.app ?? null,
      csrf: session?.session.csrf ?? null,
      publicUrl: deps.config.publicUrl,
    });

    if (c.req.method === 'POST') {
      // Forms come only from our own pages: the Origin (or, failing that, the Referer) must be PUBLIC_URL's.
      const from = c.req.header('origin') ?? refererOrigin(c.req.header('referer'));
      if (from !== origin) return finish(c, await refuse(c, 403, 'forbidden'));
      if (mediaType(c) !== 'application/x-www-form-urlencoded') return finish(c, await refuse(c, 415, 'badRequest'));
      const text = await readText(c, MAX_SETTINGS_FORM);
      if (text === null) return finish(c, await refuse(c, 413, 'badRequest'));
      // NUL is no part of any setting, and PostgreSQL refuses it.
      if (formHasNul(text)) return finish(c, await refuse(c, 400, 'badRequest'));
      const form = new URLSearchParams(text);
      c.set('form', form);
      if (c.req.path !== '/settings/session') {
        if (!session) return finish(c, c.redirect('/settings?done=ended', 303));
        if (!csrfOk(session, form.get('csrf') ?? undefined)) return finish(c, await refuse(c, 403, 'forbidden'));
      }
    } else if (c.req.path !== '/settings' && !session) {
      return finish(c, c.redirect(getCookie(c, SESSION_COOKIE, 'host') ? '/settings?done=ended' : '/settings', 303));
    }
    await next();
    finish(c, c.res);
  };

  // Once: in Hono `/settings/*` also matches `/settings` itself.
  r.use('/settings/*', guard);

  r.get('/settings', async (c) => {
    const ctx = c.get('ctx');
    const s = c.get('session');
    const { m } = ctx;
    const done = c.req.query('done');
    if (!s) {
      const notice =
        done === 'signedout'
          ? m.signedOut
          : done === 'ended'
            ? m.sessionEnded
            : done === 'refreshed'
              ? m.refreshed
              : undefined;
      return sendPage(c, 200, signInPage(ctx, { notice }));
    }
    const raw = (c.req.query('c') ?? '').trim();
    const ok = raw === '' || isValidCampaign(raw);
    return sendPage(
      c,
      ok ? 200 : 422,
      toolsPage(ctx, {
        app: s.app,
        campaign: ok && raw ? raw : null,
        campaignInput: raw.slice(0, 64),
        campaignError: ok ? undefined : m.errCampaign,
        sandboxNumber: deps.config.sandboxNumber,
        notice: done === 'verify' ? m.saved : undefined,
      }),
    );
  });

  r.post('/settings/session', async (c) => {
    const ctx = c.get('ctx');
    const ip = clientIp(c, deps.config.trustProxy) ?? 'unknown';
    const now = deps.clock.now();
    const until = blocked.get(ip) ?? 0;
    if (until > now) {
      c.header('Retry-After', String(Math.ceil((until - now) / 1000)));
      return refuse(c, 429, 'tooMany');
    }
    const key = (c.get('form').get('key') ?? '').slice(0, 200);
    if (!key.trim()) return sendPage(c, 401, signInPage(ctx, { error: ctx.m.errKeyEmpty }));
    const result = await signIn(deps, key, getCookie(c, SESSION_COOKIE, 'host'));
    if (!result.ok) {
      const wait = await failures.take(ip);
      if (wait > 0) {
        if (blocked.size > 10_000) blocked.clear();
        blocked.set(ip, now + wait * 1000);
        c.header('Retry-After', String(wait));
        return refuse(c, 429, 'tooMany');
      }
      return sendPage(
        c,
        401,
        signInPage(ctx, { error: result.reason === 'revoked_key' ? ctx.m.errKeyRevoked : ctx.m.errKey }),
      );
    }
    setCookie(c, SESSION_COOKIE, result.cookie, {
      prefix: 'host',
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
      maxAge: Math.floor(SESSION_MAX_MS / 1000),
    });
    return c.redirect('/settings', 303);
  });

  r.post('/settings/signout', async (c) => {
    await signOut(deps, c.get('session')!);
    deleteCookie(c, SESSION_COOKIE, { prefix: 'host', path: '/', secure: true });
    return c.redirect('/settings?done=signedout', 303);
  });

  r.post('/settings/refresh', async (c) => {
    await refreshAccess(deps, c.get('session')!);
    deleteCookie(c, SESSION_COOKIE, { prefix: 'host', path: '/', secure: true });
    return c.redirect('/settings?done=refreshed', 303);
  });

  r.get('/settings/options', async (c) => {
    const ctx = c.get('ctx');
    const app = c.get('session')!.app;
    const saved = c.req.query('saved') ?? '';
    return sendPage(
      c,
      200,
      optionsPage(ctx, {
        app,
        wordings: await deps.apps.wordings(app.id),
        saved: isSettingsForm(saved) ? saved : null,
        failed: null,
        errors: {},
        values: {},
        refused: deps.refusedOrigins.list(app.id, app.settings.allowedOrigins),
      }),
    );
  });

  r.post('/settings/options/:form', async (c) => {
    const ctx = c.get('ctx');
    const form = c.req.param('form');
    if (!isSettingsForm(form)) return refuse(c, 404, 'notFound');
    const app = c.get('session')!.app;
    const out = await saveSettingsForm(deps, app, form, c.get('form'), ctx.m);
    // No fragment after a save: a fragment would stop the browser from focusing the "Saved." notice
    // (autofocus), which scrolls it into view anyway.
    if (out.ok)
      return c.redirect(
        form === 'verify' ? '/settings?done=verify#hooks-title' : `/settings/options?saved=${form}`,
        303,
      );
    if (form === 'verify') {
      return sendPage(
        c,
        422,
        toolsPage(
          { ...ctx, app: out.app },
          {
            app: out.app,
            campaign: null,
            campaignInput: '',
            sandboxNumber: deps.config.sandboxNumber,
            verifyError: out.errors['verify-token'],
          },
        ),
      );
    }
    return sendPage(
      c,
      422,
      optionsPage(ctx, {
        app: out.app,
        wordings: await deps.apps.wordings(app.id),
        saved: null,
        failed: form,
        errors: out.errors,
        values: out.values,
        refused: deps.refusedOrigins.list(app.id, out.app.settings.allowedOrigins),
      }),
    );
  });

  // One click on a refused origin: it joins the allowed origins (the same updateApp as the form).
  r.post('/settings/origins/allow', async (c) => {
    const app = c.get('session')!.app;
    const origin = normalizeOrigin(c.get('form').get('origin') ?? '');
    if (!origin) return refuse(c, 400, 'badRequest');
    if (!app.settings.allowedOrigins.includes(origin)) {
      if (app.settings.allowedOrigins.length >= 50) return refuse(c, 400, 'badRequest');
      await updateApp(
        deps.store,
        app,
        { settings: { allowedOrigins: [...app.settings.allowedOrigins, origin] } },
        deps.clock.now(),
      );
    }
    deps.refusedOrigins.forget(app.id, origin);
    return c.redirect('/settings/options?saved=origins', 303);
  });

  r.get('/settings/poster', async (c) => {
    const ctx = c.get('ctx');
    const paper = c.req.query('paper') ?? 'a4';
    const campaign = c.req.query('c') ?? null;
    if ((paper !== 'a4' && paper !== 'letter') || (campaign !== null && !isValidCampaign(campaign)))
      return refuse(c, 400, 'badRequest');
    return sendPage(c, 200, posterPage(ctx, { app: c.get('session')!.app, paper, campaign }));
  });

  settingsUserRoutes(deps, r);
  settingsEventRoutes(deps, r);

  r.all('/settings/*', (c) => refuse(c, 404, 'notFound'));

  // Anything thrown in here becomes a friendly page, never a bare 500 with a stack: an outage is a 503
  // that says nothing was changed, a bug a 500 that does not pretend it was not.
  r.onError(async (err, c) => {
    const down = err instanceof StoreUnavailable;
    const status = down
      ? 503
      : err instanceof BadText
        ? 400
        : err instanceof HTTPException && err.status < 500
          ? err.status
          : 500;
    if (status >= 500) logFailure(err, c);
    if (down) c.header('Retry-After', String(STORE_RETRY_AFTER_S));
    const ctx = c.get('ctx');
    if (!ctx)
      return finish(
        c,
        c.text(down ? 'The database is not answering; nothing was changed.' : 'Something went wrong.', status as 500),
      );
    const m = ctx.m;
    const [title, body] = down
      ? [m.unavailableTitle, m.unavailableBody]
      : status === 500
        ? [m.serverErrorTitle, m.serverErrorBody]
        : [m.badRequestTitle, m.badRequestBody];
    const res = c.html(await settingsMessagePage(ctx, title, body), status as 400);
    return finish(c, res);
  });

  return r;
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/** The headers of every Settings answer: never cached, strict CSP, never framed, same-origin only. */
function finish(_c: Context, res: Response): Response {
  res.headers.set('Cache-Control', 'no-store');
  res.headers.set('Content-Security-Policy', SETTINGS_CSP);
  res.headers.set('X-Frame-Options', 'DENY');
  res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  res.headers.set('Referrer-Policy', 'same-origin');
  return res;
}
