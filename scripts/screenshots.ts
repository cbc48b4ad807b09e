/**
 * Takes the README's and docs/widget.md's screenshots, in Chromium: the consent page at phone width,
 * the Settings page's main screens at phone and desktop width, and the widget on a sample host page
 * (its button with a greeting bubble, the consent panel, the hosted-page fallback on a site missing
 * from the allowed origins). Needs `npm run build` first (the widget is the built `widget.js`).
 * `npx tsx scripts/screenshots.ts [consent|settings|widget]` (all without an argument).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { evidence, commitChange } from '../server/services/consent.js';
import type { AppRecord } from '../server/store/index.js';
import { launchChrome } from '../test/support/chrome.js';
import { startTestServer, type TestServer } from '../test/support/server.js';

const only = process.argv[2];

async function consentShots(s: TestServer, browser: Browser): Promise<void> {
  const page = await browser.newPage();
  await page.setViewport({ width: 360, height: 720, deviceScaleFactor: 1, isMobile: true });
  await page.goto(`${s.url}/o/Acme?via=qr`);
  await page.screenshot({ path: 'docs/consent-page.png' });
  await page.type('#phone', '12');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.screenshot({ path: 'docs/consent-page-error.png' });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await page.goto(`${s.url}/o/Acme?lang=es`);
  await page.screenshot({ path: 'docs/consent-page-dark-es.png' });
  await page.close();
}

async function settingsShots(s: TestServer, browser: Browser, apiKey: string, app: AppRecord): Promise<void> {
  const appId = app.id;
  // A few weeks of a small campaign, so that the screens show something real.
  const now = Date.now();
  const vias = ['qr', 'qr', 'url', 'widget', 'sms', 'first_message'] as const;
  for (let i = 0; i < 18; i++) {
    const via = vias[i % vias.length]!;
    const at = now - (18 - i) * 3 * 3600_000;
    const action = i === 7 ? 'opt_out' : 'opt_in';
    await commitChange(s.store, {
      app,
      record: evidence({
        appId: app.id,
        phone: `1415555${String(1200 + i * 37).padStart(4, '0')}`,
        action,
        via,
        locale: 'en',
        at,
        campaign: via === 'qr' ? 'spring-menu' : null,
      }),
      shown: null,
      move:
        action === 'opt_out'
          ? { type: 'opt_out', via, at }
          : { type: 'opt_in', via, at, verified: via === 'sms' || via === 'first_message' },
    });
  }
  s.deps.funnel.add(appId, now, 'qr', 'spring-menu', 'view', 64);
  s.deps.funnel.add(appId, now, 'qr', 'spring-menu', 'redirect', 21);
  s.deps.funnel.add(appId, now, 'url', null, 'view', 30);
  s.deps.funnel.add(appId, now, 'url', null, 'redirect', 4);
  s.deps.funnel.add(appId, now, 'widget', null, 'view', 41);
  s.deps.funnel.add(appId, now, 'widget', null, 'redirect', 3);

  for (const [width, viewport] of [
    ['phone', { width: 360, height: 780, deviceScaleFactor: 1, isMobile: true }],
    ['desktop', { width: 1280, height: 900, deviceScaleFactor: 1 }],
  ] as const) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    await page.goto(`${s.url}/settings`);
    if (width === 'phone') await page.screenshot({ path: 'docs/settings-signin-phone.png' });
    await page.type('#api-key', apiKey);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.goto(`${s.url}/settings?c=spring-menu`);
    await page.waitForSelector('#widget-preview whatsapp-optin >>> [part=button]', { visible: true });
    await page.screenshot({ path: `docs/settings-tools-${width}.png`, fullPage: width === 'desktop' });
    await page.goto(`${s.url}/settings/options`);
    await page.screenshot({ path: `docs/settings-options-${width}.png` });
    if (width === 'desktop') {
      // The sites the widget API refused lately with their Allow button, and the widget's behaviour form.
      const refused = await page.$('#refused');
      if (refused) await refused.screenshot({ path: 'docs/settings-refused-origins.png' });
      const widget = await page.$('#form-widget');
      if (widget) await widget.screenshot({ path: 'docs/settings-widget-behaviour.png' });
    }
    await page.goto(`${s.url}/settings/users`);
    await page.screenshot({ path: `docs/settings-users-${width}.png` });
    await page.goto(`${s.url}/settings/funnel?days=7`);
    await page.screenshot({ path: `docs/settings-funnel-${width}.png`, fullPage: width === 'desktop' });
    await context.close();
  }
}

/** A sample shop page on its own loopback origin, with the one line a marketer pastes. */
async function hostSite(s: TestServer, app: string, extra = ''): Promise<{ url: string; close: () => void }> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Red shoes | Acme Shoes</title><style>body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222}
header{background:#2d2a26;color:#fff;padding:14px 20px;font-weight:700}main{padding:20px;max-width:720px}
.hero{height:180px;border-radius:12px;background:linear-gradient(135deg,#c0392b,#e67e22)}</style></head>
<body><header>Acme Shoes</header><main><div class="hero"></div><h1>Red running shoes</h1>
<p>Light, soft and made to last. Free returns within 30 days.</p><p>€89</p></main>
<script src="${s.url}/widget.js" data-app="${app}" ${extra} async></script></body></html>`;
  const host = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(host.address() as AddressInfo).port}/shoes`, close: () => host.close() };
}

/** Waits until the widget's open panel has drawn its form (or `selector` inside it). */
async function openPanel(page: Page, selector = 'input[type=checkbox]'): Promise<void> {
  await page.waitForSelector('whatsapp-optin >>> [part=button]', { visible: true });
  await page.click('whatsapp-optin >>> [part=button]');
  await page.waitForSelector(`whatsapp-optin >>> ${selector}`, { visible: true });
  // The panel's entrance animation.
  await new Promise((r) => setTimeout(r, 400));
}

async function widgetShots(s: TestServer, browser: Browser, appName: string, apiKey: string): Promise<void> {
  const site = await hostSite(s, appName);
  const origin = new URL(site.url).origin;
  const patch = await fetch(`${s.url}/api/v1/apps/${appName}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      allowedOrigins: [origin],
      widget: { greeting: { text: { en: 'Questions about sizes? Ask us on WhatsApp.' }, oncePerVisitor: false } },
    }),
  });
  if (!patch.ok) throw new Error(`PATCH app: ${patch.status} ${await patch.text()}`);
  const refused = await hostSite(s, appName);
  try {
    for (const [width, viewport] of [
      ['phone', { width: 360, height: 720, deviceScaleFactor: 1, isMobile: true, hasTouch: true }],
      ['desktop', { width: 1280, height: 800, deviceScaleFactor: 1 }],
    ] as const) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport(viewport);
      await page.goto(site.url);
      await page.waitForSelector('whatsapp-optin-bubble >>> [part=bubble]', { visible: true });
      await page.screenshot({ path: `docs/widget-bubble-${width}.png` });
      await openPanel(page);
      await page.screenshot({ path: `docs/widget-panel-${width}.png` });
      await context.close();
    }
    // A site the marketer forgot in "Allowed origins": the visitor is handed to the hosted page.
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 360, height: 720, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    await page.goto(refused.url);
    await page.waitForSelector('whatsapp-optin >>> [part=button]', { visible: true });
    await page.click('whatsapp-optin >>> [part=button]');
    // The refusal comes with the opening (POST …/opens answers 403): the hosted link replaces the form.
    await page.waitForSelector('whatsapp-optin >>> a[part=submit]', { visible: true });
    await page.waitForSelector('whatsapp-optin >>> [role=alert]', { visible: true });
    await new Promise((r) => setTimeout(r, 400));
    await page.screenshot({ path: 'docs/widget-refused-origin-phone.png' });
    await context.close();
  } finally {
    site.close();
    refused.close();
  }
}

const s = await startTestServer('sqlite');
const acme = await s.makeApp({
  name: 'Acme',
  displayName: 'Acme Shoes',
  phone: '+14155550123',
  live: true,
  settings: { privacyUrl: 'https://acme.example/privacy' },
});
const browser = await launchChrome();
try {
  if (!only || only === 'consent') await consentShots(s, browser);
  // The widget first: its refused site then shows on the Settings page's list.
  if (!only || only === 'widget') await widgetShots(s, browser, acme.name, acme.apiKey);
  if (!only || only === 'settings') await settingsShots(s, browser, acme.apiKey, acme.app);
} finally {
  await browser.close();
  await s.close();
}
