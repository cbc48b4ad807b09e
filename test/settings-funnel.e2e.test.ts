/**
 * Issue 13's funnel in Debian's Chromium, against the real server on loopback: the pasted snippet on
 * a site the app allows counts each opening of the panel, the Settings page's own preview counts
 * nothing, and the Funnel screen shows consents per view per mechanism and campaign (axe-clean, no
 * sideways scrolling at 320 px). On a site the app does not allow, the panel shows the hosted
 * consent link as it opens, with no form, and the Settings page lists the site. Needs
 * `npm run build` first (`npm test` does it).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { chromeSkip, launchChrome } from './support/chrome.js';
import { startTestServer, type TestServer } from './support/server.js';
import { axe, fitsWidth, newPage, signIn } from './support/settings-browser.js';
import { consentsFor } from '../server/store/ledger.js';

let s: TestServer;
let browser: Browser;
/** Two marketers' sites on two loopback origins: the app allows the first only. */
const sites: { server: Server; origin: string }[] = [];

/** A shop page with the one line a marketer pastes: `/<app>?c=<campaign>`. */
async function site(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const app = u.pathname.slice(1);
    const c = u.searchParams.get('c');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Funnel Shop</title></head><body><h1>Shoes</h1>
<script src="${s.url}/widget.js" data-app="${app}"${c ? ` data-campaign="${c}"` : ''} async></script></body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

before(async () => {
  if (chromeSkip) return;
  s = await startTestServer('sqlite');
  sites.push(await site(), await site());
  browser = await launchChrome();
});

after(async () => {
  await browser?.close();
  for (const x of sites) await new Promise<void>((r) => x.server.close(() => r()));
  await s?.close();
});

const deep = (sel: string) => `whatsapp-optin >>> ${sel}`;

/**
 * Clicks the floating button and waits for the answer to the open it sends. The loader's light
 * button gives way to the panel's when the panel loads; a click may land on either.
 */
async function openAndCount(page: Page, scope = ''): Promise<number> {
  const button = `${scope}${deep('[part=button]')}`;
  await page.waitForSelector(button, { visible: true });
  const answered = page.waitForResponse((r) => r.url().endsWith('/opens') && r.request().method() === 'POST');
  await page.click(button).catch(() => page.click(button));
  return (await answered).status();
}

/** A conversion table's body rows as their cells' text. */
function rows(page: Page, id: string): Promise<string[][]> {
  return page.$$eval(`#${id} tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

describe('the funnel counts widget opens and shows conversion rates (issue 13)', { skip: chromeSkip }, () => {
  it('Should count each opening on an allowed site, not the preview, and show consents per view per mechanism and campaign', async () => {
    const allowed = sites[0]!.origin;
    const made = await s.makeApp({
      displayName: 'Funnel Shop',
      phone: '14155550123',
      live: true,
      settings: { allowedOrigins: [allowed] },
    });

    // A visitor opens the panel, consents, closes it, and opens it once more: two opens, one consent.
    const shop = await newPage(browser, 'desktop');
    await shop.goto(`${allowed}/${made.name}?c=spring`);
    assert.equal(await openAndCount(shop), 204);
    await shop.waitForSelector(deep('form'), { visible: true });
    await shop.type(deep('input[type=tel]'), '+14155550177');
    await shop.click(deep('input[type=checkbox]'));
    await shop.click(deep('[part=submit]'));
    await shop.waitForSelector(deep('svg[role=img]'), { visible: true }); // the QR code: recorded
    assert.equal((await s.store.read(consentsFor, made.app.id, '14155550177')).length, 1);
    await shop.keyboard.press('Escape');
    await shop.waitForSelector(deep('dialog:not([open])'));
    assert.equal(await openAndCount(shop), 204);
    assert.deepEqual(shop.errors, []);
    await shop.close();

    // The marketer opens the preview on the Settings page: answered, never counted.
    const page = await newPage(browser, 'desktop');
    await page.setBypassCSP(true); // only to inject axe
    await signIn(page, s.url, made.apiKey);
    await page.goto(`${s.url}/settings?c=spring`);
    assert.equal(await openAndCount(page, '#widget-preview '), 204);
    await page.waitForSelector(`#widget-preview ${deep('form')}`, { visible: true });

    await page.goto(`${s.url}/settings/funnel?days=7`);
    assert.deepEqual(await rows(page, 'rates-via'), [['Widget', '50% 1 of 2', '0% 0 of 1']]);
    assert.deepEqual(await rows(page, 'rates-campaign'), [['spring', '50% 1 of 2', '0% 0 of 1']]);
    assert.deepEqual(await page.$$eval('#rates-via thead th', (ths) => ths.map((th) => th.textContent)), [
      'Mechanism',
      'Consents per view',
      'Verified per consent',
    ]);
    await axe(page, 'funnel with rates at 1280 px');
    assert.deepEqual(page.errors, []);
    await page.close();

    const phone = await newPage(browser, 'phone');
    await phone.setBypassCSP(true);
    await signIn(phone, s.url, made.apiKey);
    await phone.goto(`${s.url}/settings/funnel?days=7`);
    assert.ok(await fitsWidth(phone), 'no sideways scrolling at 320 px');
    // The rate tables fit the screen themselves: nothing to scroll inside them either.
    for (const id of ['rates-via', 'rates-campaign'])
      assert.ok(
        await phone.$eval(`#${id}`, (t) => t.scrollWidth <= (t.parentElement as HTMLElement).clientWidth),
        `${id} fits 320 px`,
      );
    await axe(phone, 'funnel with rates at 320 px');
    assert.deepEqual(phone.errors, []);
    await phone.close();
  });

  it('Should show the hosted consent link as the panel opens on a site the app does not allow, with no form, and list the site on the Settings page', async () => {
    const [allowed, refused] = [sites[0]!.origin, sites[1]!.origin];
    const made = await s.makeApp({ displayName: 'Elsewhere Shop', settings: { allowedOrigins: [allowed] } });
    const shop = await newPage(browser, 'phone');
    const warnings: string[] = [];
    shop.on('console', (m) => void (m.type() === 'warn' && warnings.push(m.text())));
    await shop.goto(`${refused}/${made.name}`);
    assert.equal(await openAndCount(shop), 403);
    const link = await shop.waitForSelector(deep('a[part=submit]'), { visible: true });
    assert.equal(await shop.$(deep('form')), null, 'nothing to type into');
    const href = new URL(await link!.evaluate((a) => (a as HTMLAnchorElement).href));
    assert.equal(`${href.origin}${href.pathname}`, `${s.url}/o/${made.name}`);
    assert.equal(href.searchParams.get('via'), 'widget');
    assert.deepEqual(warnings.filter((w) => w.includes('is not an allowed origin')).length, 1);
    assert.deepEqual(shop.errors, []);
    await shop.close();

    const page = await newPage(browser, 'desktop');
    await signIn(page, s.url, made.apiKey);
    await page.goto(`${s.url}/settings/options`);
    assert.deepEqual(await page.$$eval('#refused li code', (els) => els.map((el) => el.textContent)), [refused]);
    // The refused open counted nothing.
    await page.goto(`${s.url}/settings/funnel?days=7`);
    assert.equal(await page.$('#rates-via'), null);
    await page.close();
  });
});
