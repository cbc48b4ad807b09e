import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Assets } from '../assets.js';
import type { Locale } from '../../core/locale.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The WhatsApp mark, drawn inline so the page needs no extra request. */
export const waLogo = (cls: string) =>
  raw(
    `<svg class="${cls}" viewBox="0 0 32 32" aria-hidden="true" focusable="false"><path fill="#25D366" d="M16 3a13 13 0 0 0-11.2 19.6L3 29l6.6-1.7A13 13 0 1 0 16 3z"/><path fill="#fff" d="M23.1 19.3c-.4-.2-2.3-1.1-2.6-1.2-.4-.1-.6-.2-.9.2l-1.2 1.5c-.2.2-.4.3-.8.1a10.6 10.6 0 0 1-5.3-4.6c-.4-.7.4-.6 1.1-2.1.1-.2 0-.5 0-.7l-1.2-2.8c-.3-.7-.6-.6-.9-.6h-.7c-.3 0-.7.1-1 .5-.4.4-1.4 1.3-1.4 3.2s1.4 3.7 1.6 4c.2.2 2.8 4.3 6.8 6 2.5 1.1 3.5 1.2 4.8 1 .8-.1 2.3-1 2.7-1.9.3-.9.3-1.7.2-1.9l-.7-.4z"/></svg>`,
  );

/**
 * The shell of every hosted page: no script at all, the built styles inlined under a CSP hash.
 * Everything interpolated with `html` is escaped.
 */
export function layout(a: Assets, p: { lang: Locale; title: string; body: Html; script?: string }): Html {
  return html`<!doctype html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${p.title}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${raw(a.css)}</style>
</head>
<body><main class="${a.cls.page}"><div class="${a.cls.card}">${p.body}</div></main>${p.script ? html`<script>${raw(p.script)}</script>` : ''}</body>
</html>`;
}

/** The page CSP: nothing runs (but the challenge script, by hash, when the app asks for one), styles only by hash, and the form may go only here or to WhatsApp. */
export function pageCsp(a: Assets, scriptHash?: string): string {
  return [
    "default-src 'none'",
    `style-src ${a.cssHash}`,
    // Only for an app that asks for a proof of work: its one inline script, by hash, and its fetch.
    ...(scriptHash ? [`script-src ${scriptHash}`, "connect-src 'self'"] : []),
    "img-src 'self' data:",
    // Chrome applies form-action to the redirect after the POST as well.
    "form-action 'self' https://wa.me https://api.whatsapp.com",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
