import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureGate, ipBucket, MemoryBuckets } from './rate-limit.js';

describe('ipBucket', () => {
  const cases: [string, string][] = [
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ];
  for (const [ip, bucket] of cases) it(`Should put ${ip} under ${bucket}`, () => assert.equal(ipBucket(ip), bucket));

  it('Should give every address of one /64 the same bucket, and the next /64 another', () => {
    assert.equal(ipBucket('2001:db8:1:2::a'), ipBucket('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    assert.notEqual(ipBucket('2001:db8:1:2::a'), ipBucket('2001:db8:1:3::a'));
  });
});

describe('FailureGate', () => {
  it('Should refuse an address after its failures, until the window ends, and no other address', async () => {
    let now = 1_000_000;
    const gate = new FailureGate(3, () => now, new MemoryBuckets(), 'auth');
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await gate.fail('2001:db8::1'));
    assert.deepEqual(waits.slice(0, 3), [0, 0, 0]);
    assert.ok(waits[3]! > 0);
    // Another address of the same /64 is the same client; another network is not.
    assert.ok(gate.blocked('2001:db8::2') > 0);
    assert.equal(gate.blocked('2001:db8:0:1::1'), 0);
    assert.equal(gate.blocked('203.0.113.1'), 0);
    now += 61_000;
    assert.equal(gate.blocked('2001:db8::1'), 0);
  });
});
