import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { appByName } from '../server/store/apps.js';
import { consentsFor } from '../server/store/ledger.js';
import { chromeSkip, launchChrome } from './support/chrome.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Answers wa.me locally and keeps everything else on loopback. */
async function interceptWhatsApp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('https://wa.me/')) {
      seen.push(url);
      void req.respond({ status: 200, contentType: 'text/html', body: '<title>WhatsApp</title>' });
    } else if (url.startsWith('http://127.0.0.1')) void req.continue();
    else void req.abort();
  });
  return seen;
}

describe('the consent page’s proof of work in Chromium', { skip: chromeSkip }, () => {
  let s: TestServer;
  let browser: Browser;
  before(async () => {
    // The default difficulty, as a business gets it.
    s = await startTestServer('sqlite');
    await s.makeApp({
      name: 'PowPoster',
      displayName: 'Pow Poster',
      phone: '+14155550123',
      live: true,
      settings: { challenge: 'proof-of-work' },
    });
    browser = await launchChrome();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('Should solve the check with Web Crypto under the strict CSP, then record the consent and reach WhatsApp', async (t) => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/.test(m.text())) violations.push(m.text());
    });
    const wa = await interceptWhatsApp(page);
    await page.goto(`${s.url}/o/PowPoster?via=qr`);
    await page.type('#phone', '+1 415 555 7020');
    await page.click('label[for=consent]');
    const started = Date.now();
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    t.diagnostic(`solved and submitted in ${Date.now() - started} ms (maxnumber ${s.config.challengeMaxNumber})`);
    assert.equal(wa.length, 1, 'reached WhatsApp');
    assert.deepEqual(violations, []);
    const app = (await s.store.read(appByName, 'PowPoster'))!;
    assert.equal((await s.store.read(consentsFor, app.id, '14155557020')).length, 1);
    await page.close();
  });

  it('Should explain the check with JavaScript off, and record nothing', async () => {
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    const wa = await interceptWhatsApp(page);
    await page.goto(`${s.url}/o/PowPoster`);
    assert.match(await page.$eval('body', (b) => b.innerText), /asks your browser for a quick automatic check/);
    await page.type('#phone', '+1 415 555 7021');
    await page.click('label[for=consent]');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.equal(wa.length, 0);
    assert.match(await page.title(), /^There is a problem/);
    assert.equal(await page.$eval('#phone', (el) => (el as HTMLInputElement).value), '+1 415 555 7021');
    const app = (await s.store.read(appByName, 'PowPoster'))!;
    assert.equal((await s.store.read(consentsFor, app.id, '14155557021')).length, 0);
    await page.close();
  });
});
