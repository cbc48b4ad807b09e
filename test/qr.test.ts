import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { harness, type TestHarness } from './support/server.js';

// jsqr ships CommonJS whose typings declare an ES default export.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
  jsQRModule) as unknown as typeof jsQRModule.default;

/** Decodes a PNG QR code with a real decoder, as a phone's camera would. */
function decode(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

describe('QR codes', () => {
  let h: TestHarness;
  before(async () => {
    h = await harness('sqlite', { config: { publicUrl: 'https://optin.example.com' } });
    await h.makeApp({ name: 'QrShop' });
  });
  after(() => h.close());

  it('Should encode the consent page URL with via=qr in a PNG that a decoder reads', async () => {
    const res = await h.request('/o/QrShop/qr.png?size=256');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await res.arrayBuffer());
    assert.equal(PNG.sync.read(png).width, 256);
    assert.equal(decode(png), 'https://optin.example.com/o/QrShop?via=qr');
  });

  it('Should add the campaign when asked, and use the canonical name', async () => {
    const png = Buffer.from(await (await h.request('/o/qrshop/qr.png?size=1024&c=spring-sale')).arrayBuffer());
    assert.equal(decode(png), 'https://optin.example.com/o/QrShop?via=qr&c=spring-sale');
  });

  it('Should serve an SVG of the same code', async () => {
    const res = await h.request('/o/QrShop/qr.svg?c=flyer');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml');
    const svg = await res.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(svg, /<script/);
  });

  it('Should carry an ETag and caching headers, and answer 304 to a matching If-None-Match', async () => {
    const first = await h.request('/o/QrShop/qr.svg');
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]+"$/);
    assert.match(first.headers.get('cache-control')!, /public, max-age=\d+/);
    const again = await h.request('/o/QrShop/qr.svg', { headers: { 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    const other = await h.request('/o/QrShop/qr.svg?c=x');
    assert.notEqual(other.headers.get('etag'), etag);
  });

  it('Should offer a download with a file name', async () => {
    const res = await h.request('/o/QrShop/qr.png?size=1024&download');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="QrShop-qr.png"');
  });

  for (const q of ['size=127', 'size=2049', 'size=abc', 'size=512.5', 'size=-1', 'c=bad%20tag']) {
    it(`Should refuse ${q} with a 400 in the error shape`, async () => {
      const res = await h.request(`/o/QrShop/qr.png?${q}`);
      assert.equal(res.status, 400);
      const body = await res.json();
      assert.match(body.error.code, /^invalid_/);
      assert.equal(typeof body.error.message, 'string');
    });
  }

  it('Should rate-limit new renders per IP, but not cached codes', async () => {
    const limited = await harness('sqlite', { config: { qrRateLimit: 2, trustProxy: true } });
    try {
      await limited.makeApp({ name: 'QrLimited' });
      const get = (q: string) =>
        limited.request(`/o/QrLimited/qr.png?size=128${q}`, { headers: { 'x-forwarded-for': '198.51.100.20' } });
      assert.equal((await get('&c=a')).status, 200);
      assert.equal((await get('&c=b')).status, 200);
      const third = await get('&c=c');
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) >= 1);
      assert.equal((await get('&c=a')).status, 200, 'a cached code is always served');
    } finally {
      await limited.close();
    }
  });

  it('Should answer an unknown app with 404', async () => {
    assert.equal((await h.request('/o/Nope1/qr.svg')).status, 404);
  });
});
