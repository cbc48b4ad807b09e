import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outbound HTTP for URLs that customers give us (callback URLs). It refuses private, loopback,
 * link-local and other non-public addresses unless allowed, checks the address it actually connects
 * to (so DNS rebinding cannot slip past), never follows redirects, and gives up after a time-out.
 */
export interface SafeRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

export type SafeResponse =
  { ok: true; status: number; body: string; ms: number } | { ok: false; error: string; ms: number };

/**
 * Whether an IP address is one the public internet can route to, in any of its spellings
 * (`::ffff:7f00:1` is 127.0.0.1). ipaddr.js classifies; only plain unicast passes, and IPv6 forms
 * that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by it or refused.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6') {
    const v6 = a as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) a = v6.toIPv4Address();
    else if (v6.parts.slice(0, 6).every((p) => p === 0)) return false; // ::/96, IPv4-compatible
  }
  return a.range() === 'unicast';
}

/** Why a URL may not be called, or null when it may (before resolving its host). */
export function urlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'only http and https are allowed';
  if (u.username || u.password) return 'credentials in the URL are not allowed';
  return null;
}

/**
 * Why a callback URL may not be saved, or null when it may: what urlProblem refuses, and a host that
 * is plainly not public without asking DNS (a literal private or loopback IP, `localhost`,
 * `*.localhost`). A name that resolves to a private address is still refused at delivery.
 */
export function callbackUrlProblem(raw: string): string | null {
  const problem = urlProblem(raw);
  if (problem) return problem;
  const host = new URL(raw).hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(host) && !isPublicAddress(host)) return `${host} is not a public address`;
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is not a public address`;
  return null;
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
      if (bad)
        return callback(
          Object.assign(new Error(`refused: ${hostname} resolves to a non-public address (${bad.address})`), {
            code: 'EPRIVATE',
          }),
          '',
          0,
        );
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export function safePost(r: SafeRequest): Promise<SafeResponse> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const problem = urlProblem(r.url);
  if (problem) return Promise.resolve({ ok: false, error: `refused: ${problem}`, ms: 0 });
  const u = new URL(r.url);
  // A literal IP skips DNS, so check it here.
  const literal = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !r.allowPrivate && !isPublicAddress(literal))
    return Promise.resolve({ ok: false, error: `refused: ${literal} is not a public address`, ms: 0 });
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: SafeResponse) => {
      if (!done) {
        done = true;
        resolve(v);
      }
    };
    const req = send(
      u,
      {
        method: r.method,
        headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
        lookup: guardedLookup(r.allowPrivate),
        timeout: r.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Only the first few KB of an answer are kept, for the attempts log.
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          finish({
            ok: true,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 4096),
            ms: ms(),
          }),
        );
        res.on('error', (e) => finish({ ok: false, error: e.message, ms: ms() }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${r.timeoutMs} ms`));
    }, r.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`timed out after ${r.timeoutMs} ms`)));
    req.on('error', (e) => finish({ ok: false, error: e.message, ms: ms() }));
    req.on('close', () => clearTimeout(timer));
    req.end(r.body);
  });
}
