import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from './support/server.js';
import { appByName } from '../server/store/apps.js';
import { getUser } from '../server/store/users.js';

/** A raw HTTP/1.1 request, so that bodies can be chunked and headers exactly what a test says. */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  chunks: string[],
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('over a real socket', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite');
    await s.makeApp({ name: 'Socket1', phone: '+14155550123', live: true });
  });
  after(() => s.close());

  it('Should take a chunked form without Content-Length', async () => {
    const r = await raw(
      `${s.url}/o/Socket1`,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
      ['consent=yes&', 'phone=%2B14155550201'],
    );
    assert.equal(r.status, 303);
    assert.match(String(r.headers.location), /^https:\/\/wa\.me\/14155550123\?text=/);
  });

  it('Should refuse an oversized chunked body with 413 and record nothing', async () => {
    const big = Array.from({ length: 40 }, () => 'x'.repeat(1024));
    const r = await raw(
      `${s.url}/o/Socket1`,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
      ['consent=yes&phone=%2B14155550202&pad=', ...big],
    );
    assert.equal(r.status, 413);
    const app = (await s.store.read(appByName, 'Socket1'))!;
    assert.equal(await s.store.read(getUser, app.id, '14155550202'), null);
  });

  it('Should refuse a declared oversized body with 413 before reading it', async () => {
    const r = await raw(
      `${s.url}/o/Socket1`,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '100000' },
      ['consent=yes'],
    );
    assert.equal(r.status, 413);
  });

  it('Should take body-less DELETE, PUT and POST calls of the business API, as curl sends them', async () => {
    const { apiKey } = await s.makeApp({ name: 'SocketApi', phone: '+14155550123', live: true });
    const auth = { authorization: `Bearer ${apiKey}` };
    const put = await raw(`${s.url}/api/v1/apps/SocketApi/users/14155550250/optin`, 'PUT', auth, []);
    assert.equal(put.status, 200, put.body.toString());
    const del = await raw(`${s.url}/api/v1/apps/SocketApi/users/14155550250`, 'DELETE', auth, []);
    assert.equal(del.status, 200, del.body.toString());
    const rotate = await raw(`${s.url}/api/v1/apps/SocketApi/keys/rotate`, 'POST', auth, []);
    assert.equal(rotate.status, 200, rotate.body.toString());
    const wrong = await raw(
      `${s.url}/api/v1/apps/SocketApi/eligibility`,
      'POST',
      { ...auth, 'content-type': 'text/plain' },
      ['{}'],
    );
    assert.equal(wrong.status, 401, 'the old key was revoked by the rotation');
  });

  it("Should ask for a key on every route under an app but the widget's two calls", async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/apps/Socket1/users/public'],
      ['GET', '/api/v1/apps/Socket1/events/public'],
      ['GET', '/api/v1/apps/Socket1/users/optins'],
      ['POST', '/api/v1/apps/Socket1/public'],
      ['GET', '/api/v1/apps/Socket1/optins'],
    ] as const) {
      const r = await raw(`${s.url}${path}`, method, {}, []);
      assert.ok(r.status === 401 || r.status === 404, `${method} ${path}: ${r.status}`);
    }
    assert.equal((await raw(`${s.url}/api/v1/apps/Socket1/public`, 'GET', {}, [])).status, 200);
  });

  it('Should serve the page gzip-compressed to clients that ask, identical once decoded', async () => {
    const plain = await raw(`${s.url}/o/Socket1`, 'GET', {}, []);
    const gz = await raw(`${s.url}/o/Socket1`, 'GET', { 'accept-encoding': 'gzip, br' }, []);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers.vary), /Accept-Encoding/);
    assert.ok(gz.body.length < plain.body.length / 2);
    assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  });
});
