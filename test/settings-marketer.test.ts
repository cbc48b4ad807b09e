/** The Settings page's one-click "Allow" of a refused origin: a CSRF-protected form POST. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type TestHarness } from './support/server.js';
import { csrfOf, get, post, signIn } from './support/settings.js';
import { appByName } from '../server/store/apps.js';

describe('allowing a refused origin from the Settings page', () => {
  let h: TestHarness;
  before(async () => {
    h = await harness('sqlite');
  });
  after(() => h.close());

  it('Should allow it only with the session’s CSRF token and from our own origin, then stop listing it', async () => {
    const made = await h.makeApp({ displayName: 'Allow Shop' });
    h.deps.refusedOrigins.add(made.app.id, 'https://new.example.com');
    const { cookie } = await signIn(h, made.apiKey);
    const csrf = await csrfOf(h, cookie!);
    assert.match(
      await (await get(h, '/settings/options', cookie)).text(),
      /<code[^>]*>https:\/\/new\.example\.com<\/code>/,
    );

    const forged = await post(
      h,
      '/settings/origins/allow',
      { csrf: 'nope', origin: 'https://new.example.com' },
      cookie,
    );
    assert.equal(forged.status, 403);
    const elsewhere = await post(h, '/settings/origins/allow', { csrf, origin: 'https://new.example.com' }, cookie, {
      origin: 'https://evil.example',
    });
    assert.equal(elsewhere.status, 403);
    assert.deepEqual((await h.store.read(appByName, made.name))!.settings.allowedOrigins, [], 'nothing changed');

    assert.equal((await post(h, '/settings/origins/allow', { csrf, origin: 'javascript:1' }, cookie)).status, 400);
    const ok = await post(h, '/settings/origins/allow', { csrf, origin: 'https://new.example.com/' }, cookie);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/settings/options?saved=origins');
    assert.deepEqual((await h.store.read(appByName, made.name))!.settings.allowedOrigins, ['https://new.example.com']);
    assert.doesNotMatch(await (await get(h, '/settings/options', cookie)).text(), /id="refused"/);
  });
});
