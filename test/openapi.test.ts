import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, harness, type TestHarness } from './support/server.js';
import { openApiAjv, operations, type OpenApiDoc } from './support/openapi.js';

/**
 * Redocly's recommended rules that this document breaks on purpose, each with its reason. Anything
 * else (every error, and any other warning) fails the test.
 */
const ALLOWED_WARNINGS: Record<string, (pointer: string) => boolean> = {
  // The consent form answers 303 to WhatsApp: a browser form has no 2xx success.
  'operation-2xx-response': (p) => p === '#/paths/~1o~1{app}/post/responses',
};

describe('the OpenAPI document', () => {
  let h: TestHarness;
  let doc: OpenApiDoc;
  before(async () => {
    h = await harness('sqlite');
    doc = (await (await h.request('/openapi.json')).json()) as OpenApiDoc;
  });
  after(() => h.close());

  it('Should be valid OpenAPI 3.1 by swagger-parser', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
    assert.equal(doc.openapi, '3.1.0');
  });

  it('Should pass Redocly’s recommended rules, but for the warnings named above', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const left = problems.filter((p) => {
      const pointer = p.location[0]?.pointer ?? '';
      return !(p.severity === 'warn' && ALLOWED_WARNINGS[p.ruleId]?.(pointer));
    });
    assert.deepEqual(
      left.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`),
      [],
    );
  });

  it('Should compile every schema with ajv (JSON Schema 2020-12)', () => {
    const ajv = openApiAjv(doc);
    for (const op of operations(doc)) {
      for (const [status, r] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(r.content ?? {}))
          assert.doesNotThrow(() => ajv.compile(media.schema as object), `${op.id} ${status} ${type}`);
      }
    }
  });

  it('Should give every operation a unique operationId, and public ones `security: []`', () => {
    const ops = operations(doc);
    assert.ok(ops.length >= 34, `${ops.length} operations`);
    const ids = ops.map((o) => o.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    for (const o of ops) {
      const business = o.path.startsWith('/api/v1/apps') && !/\/(public|optins|opens|challenge)$/.test(o.path);
      assert.deepEqual(o.operation.security, business ? [{ bearer: [] }] : [], `${o.id} security`);
    }
    assert.equal(doc.info.license?.name, 'MIT');
  });

  it('Should document 413, 415, 429 and 503 on the business API, and 404 on every app route', () => {
    for (const o of operations(doc).filter((x) => x.operation.security?.length)) {
      const statuses = Object.keys(o.responses);
      for (const s of ['401', '422', '429', '503']) assert.ok(statuses.includes(s), `${o.id} ${s}`);
      if (o.method !== 'get') for (const s of ['413', '415']) assert.ok(statuses.includes(s), `${o.id} ${s}`);
      if (o.path.includes('{app}')) assert.ok(statuses.includes('404'), `${o.id} 404`);
      assert.ok(o.responses['429']?.headers?.['Retry-After'], `${o.id} Retry-After`);
    }
  });

  it('Should describe the consent page, the QR codes, the provider hooks and the user-events', () => {
    const form = doc.paths['/o/{app}']?.post?.requestBody?.content?.['application/x-www-form-urlencoded'];
    assert.ok(form, 'the consent form');
    for (const p of ['/o/{app}/qr.svg', '/o/{app}/qr.png', '/hooks/{app}/sms', '/hooks/sandbox/whatsapp'])
      assert.ok(doc.paths[p], p);
    assert.ok(doc.paths['/hooks/{app}/whatsapp']?.get && doc.paths['/hooks/{app}/whatsapp']?.post);
    assert.deepEqual(Object.keys(doc.webhooks ?? {}).sort(), ['opted-in', 'opted-out', 'sandbox-start', 'verified']);
    const body = doc.webhooks!['opted-in']!.post!.requestBody!.content!['application/json']!.schema;
    const ajv = openApiAjv(doc);
    const valid = ajv.compile(body as object);
    const event = {
      id: 'evt_1',
      type: 'opted-in',
      app: 'Acme',
      timestamp: '2026-11-21T08:00:00.000Z',
      data: { phone: '14155550123', via: 'qr', optin: 'opted_in', verified: false, seq: 1 },
    };
    assert.ok(valid(event), JSON.stringify(valid.errors));
    assert.equal(valid({ ...event, type: 'opted-out' }), false);
  });

  it('Should describe what is stored, not what a request may send, in its answers', async () => {
    // An operator may allow private callbacks: the answer then holds a URL a request is told to avoid.
    const p = await harness('sqlite', { config: { allowPrivateCallbacks: true } });
    try {
      const res = await p.request('/api/v1/apps', {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'LocalHook', displayName: 'Local', callbackUrl: 'http://localhost:9/hook' }),
      });
      assert.equal(res.status, 201);
      const created = openApiAjv(doc).compile(
        doc.paths['/api/v1/apps']!.post!.responses['201']!.content!['application/json']!.schema as object,
      );
      assert.ok(created(await res.json()), JSON.stringify(created.errors));
    } finally {
      await p.close();
    }
  });

  it('Should serve the same document every time, built once', async () => {
    const a = await (await h.request('/openapi.json')).text();
    assert.equal(await (await h.request('/openapi.json')).text(), a);
  });

  it('Should carry the constraints the server enforces on app settings', () => {
    const create = openApiAjv(doc).compile({ $ref: '#/components/schemas/AppCreate' });
    const ok = { name: 'Acme', displayName: 'Acme Shoes', phone: '+14155550123', live: true };
    assert.ok(create(ok), JSON.stringify(create.errors));
    // Each of these is refused by the server with 422, and by the document.
    for (const bad of [
      { ...ok, phone: '+1 000 000 0000' }, // not a real number
      { ...ok, phone: undefined }, // live needs a phone
      { ...ok, displayName: '   ' },
      { ...ok, displayName: 'Acme\u202eShoes' }, // bidi override
      { ...ok, name: '1acme' },
      { ...ok, allowedOrigins: ['https://shop.example.com/'] },
      { ...ok, allowedOrigins: ['https://Shop.example.com'] },
      { ...ok, allowedOrigins: ['https://shop'] }, // a host without a dot is a typo (core/origin.ts)
      { ...ok, privacyUrl: 'javascript:alert(1)' },
      { ...ok, callbackUrl: 'http://localhost:8080/hook' },
      { ...ok, callbackUrl: 'http://127.0.0.1/hook' },
      { ...ok, wording: { en: 'I agree to hear from {business}.' } }, // does not say WhatsApp
      { ...ok, wording: { en: 'I agree to messages on WhatsApp.' } }, // does not name the business
      { ...ok, defaultCountry: 'ZZ' },
    ])
      assert.equal(create(JSON.parse(JSON.stringify(bad))), false, JSON.stringify(bad));
  });
});
