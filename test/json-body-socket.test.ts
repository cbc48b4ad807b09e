import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startTestServer, type TestServer } from './support/server.js';

// Found by the property fuzz (test/openapi-fuzz.test.ts): in-memory app.request() tests passed while
// a real socket answered 500 to every JSON body of the business API.
describe('the JSON API on a real socket', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite');
  });
  after(() => s.close());

  it('Should read a JSON body once and hand it to the route (201, not 500)', async () => {
    const res = await s.request('/api/v1/apps', {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'SocketShop', displayName: 'Socket Shop', phone: '+14155550123' }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const patch = await s.request('/api/v1/apps/SocketShop', {
      method: 'PATCH',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ prefill: 'Hello' }),
    });
    assert.equal(patch.status, 200, await patch.clone().text());
    assert.equal(((await patch.json()) as { prefill: string }).prefill, 'Hello');
  });
});
