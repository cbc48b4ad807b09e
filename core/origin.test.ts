import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeOrigin } from './origin.js';

describe('normalizeOrigin', () => {
  const cases: [string, string | null][] = [
    ['https://shop.example.com', 'https://shop.example.com'],
    ['https://shop.example.com/', 'https://shop.example.com'],
    ['https://Shop.Example.COM/cart/checkout?x=1#top', 'https://shop.example.com'],
    ['shop.example.com', 'https://shop.example.com'],
    ['shop.example.com/path/', 'https://shop.example.com'],
    ['  www.example.org  ', 'https://www.example.org'],
    ['127.0.0.1:31201', 'http://127.0.0.1:31201'],
    ['127.0.0.1:31201/', 'http://127.0.0.1:31201'],
    ['http://127.0.0.1:31201/demo.html', 'http://127.0.0.1:31201'],
    ['localhost:3000', 'http://localhost:3000'],
    ['app.localhost:5173', 'http://app.localhost:5173'],
    ['192.168.1.20:8080', 'http://192.168.1.20:8080'],
    ['10.0.0.5', 'http://10.0.0.5'],
    ['[::1]:8080', 'http://[::1]:8080'],
    ['https://shop.example.com:443/', 'https://shop.example.com'],
    ['http://shop.example.com:80', 'http://shop.example.com'],
    ['https://shop.example.com:8443', 'https://shop.example.com:8443'],
    ['shop.example.com:8443', 'https://shop.example.com:8443'],
    ['', null],
    ['   ', null],
    ['shop', null],
    ['ftp://example.com', null],
    ['javascript:alert(1)', null],
    ['mailto:a@example.com', null],
    ['https://user:pw@example.com', null],
    ['https://exa mple.com', null],
    ['https://', null],
    ['x'.repeat(600) + '.com', null],
  ];
  for (const [input, want] of cases)
    it(`Should read "${input.slice(0, 40)}" as ${want ?? 'not an origin'}`, () =>
      assert.equal(normalizeOrigin(input), want));
});
