/**
 * A property-based fuzz of every route, generated from the OpenAPI document (`GET /openapi.json`) and
 * from the consent page's HTML form, against a listening server on each store. Each request is
 * schema-valid or carries hostile input (lone surrogates, NUL, bidi and control characters, huge
 * strings, wrong types, malformed percent-escapes, wrong content types, oversized bodies, forged and
 * real provider signatures). Every answer must be below 500, on an open connection, with a status
 * the document lists for that operation and, when JSON, a body its schema accepts; and every
 * schema-valid body for creating or changing an app must be accepted.
 *
 * FUZZ_SECONDS (default 60) bounds each store's run; FUZZ_SEED replays a run.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureJson, signMeta, signTwilio } from './fixtures/index.js';
import { matchOperation, openApiAjv, operations, type OpenApiDoc, type Operation } from './support/openapi.js';
import {
  hostileRawBody,
  hostileString,
  hostileUrlString,
  mutateJson,
  phoneArb,
  schemaArb,
  wrongType,
} from './support/schema-arbitrary.js';
import { ADMIN, startTestServer, type TestServer } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);
const SANDBOX_TOKEN = 'sandbox-token-for-the-fuzz-0123';

/** What a generated request asks for; names (`main`, `key`) are resolved against the state when sent. */
interface Plan {
  op: Operation;
  params: Record<string, { value: string; raw: boolean }>;
  query: [string, string, boolean][];
  auth: 'key' | 'admin' | 'other' | 'none' | 'garbage';
  contentType: string | null;
  body:
    { kind: 'none' } | { kind: 'json'; value: unknown; valid: boolean } | { kind: 'raw'; bytes: Uint8Array | string };
  sign: boolean;
  headers: Record<string, string>;
}

interface State {
  main: string;
  other: string;
  key: string;
  otherKey: string;
  phones: string[];
  eventIds: string[];
  secrets: { twilio: string | null; meta: string | null; gupshup: string | null; verify: string | null };
}

interface Problem {
  what: string;
  request: string;
  status?: number;
  detail?: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Every string in a JSON value is well-formed Unicode without NUL (what the server asks of any text). */
const wellFormed = (v: unknown): boolean =>
  typeof v === 'string'
    ? !LONE_SURROGATE.test(v) && !v.includes('\u0000')
    : Array.isArray(v)
      ? v.every(wellFormed)
      : v !== null && typeof v === 'object'
        ? Object.entries(v).every(([k, x]) => wellFormed(k) && wellFormed(x))
        : true;

const latin1 = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');

/** The fields of the first POST form of an HTML page: name, type and value, as a browser would send them. */
function formFields(html: string): { action: string; fields: { name: string; type: string; value: string }[] } {
  const form = /<form\b[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  assert.ok(form, 'the page has a POST form');
  const action = /action="([^"]*)"/.exec(form[0])?.[1] ?? '';
  const fields = [...form[1]!.matchAll(/<input\b([^>]*)>/gi)].map((m) => {
    const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(m[1]!)?.[1] ?? '';
    return { name: attr('name'), type: attr('type') || 'text', value: attr('value') };
  });
  return { action, fields: fields.filter((f) => f.name) };
}

function bodyText(b: Plan['body']): Uint8Array | string | undefined {
  if (b.kind === 'none') return undefined;
  if (b.kind === 'raw') return b.bytes;
  return JSON.stringify(b.value) ?? 'null';
}

async function fuzz(kind: 'sqlite' | 'postgres', seed: number) {
  const h: TestServer = await startTestServer(kind, { config: { sandboxWebhookToken: SANDBOX_TOKEN } });
  const problems: Problem[] = [];
  const figures = { requests: 0, fiveXx: 0, undocumented: 0, schemaMismatches: 0, validRefused: 0, connection: 0 };
  const perOp = new Map<string, Map<number, number>>();
  const opMs = new Map<string, number>();
  try {
    const doc = (await (await h.request('/openapi.json')).json()) as OpenApiDoc;
    const ops = operations(doc);
    const ajv = openApiAjv(doc);

    // The world the requests act on: an app with every provider credential, another app, a few users.
    const secrets = {
      twilio: 'twilio-token-0123456789',
      meta: 'meta-secret-0123456789',
      gupshup: 'gupshup-token-0123456789',
      verify: 'meta-verify-0123456789',
    };
    const create = async (name: string) => {
      const res = await h.request('/api/v1/apps', {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          displayName: `${name} Shop`,
          phone: '+14155550123',
          live: true,
          callbackUrl: 'https://receiver.example.com/hooks',
          secrets: {
            twilioAuthToken: secrets.twilio,
            metaAppSecret: secrets.meta,
            gupshupToken: secrets.gupshup,
            metaVerifyToken: secrets.verify,
          },
        }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { apiKey: string }).apiKey;
    };
    const st: State = {
      main: 'FuzzShop',
      other: 'OtherShop',
      key: await create('FuzzShop'),
      otherKey: await create('OtherShop'),
      phones: ['14155550123', '447700900123', '5215512345678'],
      eventIds: [],
      secrets,
    };
    for (const p of st.phones)
      await h.request(`/api/v1/apps/${st.main}/users/${p}/optin`, { method: 'PUT', headers: ADMIN });
    const evs = (await (await h.request(`/api/v1/apps/${st.main}/events`, { headers: ADMIN })).json()) as {
      events: { id: string }[];
    };
    st.eventIds = evs.events.map((e) => e.id);
    const page = formFields(await (await h.request(`/o/${st.main}?c=spring&lang=es`)).text());

    const planArb = (op: Operation): fc.Arbitrary<Plan> => {
      const params = op.operation.parameters ?? [];
      const pathArbs: Record<string, fc.Arbitrary<{ value: string; raw: boolean }>> = {};
      for (const p of params.filter((x) => x.in === 'path')) {
        const good =
          p.name === 'app'
            ? fc.constantFrom('@main', '@main', '@main', '@main', '@other', 'NoSuchApp', 'fuzzshop')
            : p.name === 'phone'
              ? fc.oneof(fc.constant('@phone'), phoneArb)
              : p.name === 'id'
                ? fc.oneof(fc.constant('@event'), fc.uuid())
                : fc.string({ minLength: 1, maxLength: 10 });
        pathArbs[p.name] = fc.oneof(
          { weight: 8, arbitrary: good.map((value) => ({ value, raw: false })) },
          {
            weight: 2,
            arbitrary: fc.record({ value: hostileUrlString.filter((s) => s.length > 0), raw: fc.boolean() }),
          },
        );
      }
      const queryArb = fc.array(
        fc.oneof(
          ...params
            .filter((p) => p.in === 'query')
            .map((p) =>
              fc.tuple(
                fc.constant(p.name),
                fc.oneof(
                  { weight: 4, arbitrary: schemaArb(p.schema, doc).map((v) => String(v)) },
                  { weight: 1, arbitrary: hostileUrlString },
                ),
                fc.boolean(),
              ),
            ),
          fc.tuple(fc.constantFrom('x', 'c', '__proto__'), hostileUrlString, fc.boolean()),
        ),
        { maxLength: 3 },
      );
      const bodyMedia = Object.entries(op.operation.requestBody?.content ?? {});
      const mediaType = bodyMedia[0]?.[0] ?? null;
      const schema = bodyMedia[0]?.[1].schema;
      const validate = schema ? ajv.compile(schema as object) : null;

      let bodyArb: fc.Arbitrary<Plan['body']> = fc.constant({ kind: 'none' as const });
      if (op.id === 'submitConsentPage') bodyArb = consentFormArb();
      else if (op.id === 'receiveSms') bodyArb = smsArb();
      else if (op.id === 'receiveWhatsApp' || op.id === 'receiveSandboxWhatsApp') bodyArb = whatsappArb();
      else if (schema && (mediaType === 'application/json' || mediaType === 'text/plain')) {
        // JSON Schema cannot say "well-formed Unicode": the document says it in words, the filter here.
        const valid = schemaArb(schema, doc).filter((v) => validate!(v) && wellFormed(v));
        bodyArb = fc.oneof(
          { weight: 5, arbitrary: valid.map((value) => ({ kind: 'json' as const, value, valid: true })) },
          {
            weight: 4,
            arbitrary: valid.chain(mutateJson).map((value) => ({ kind: 'json' as const, value, valid: false })),
          },
          { weight: 1, arbitrary: hostileRawBody.map((bytes) => ({ kind: 'raw' as const, bytes })) },
          {
            weight: 1,
            arbitrary: fc.constant({ kind: 'raw' as const, bytes: JSON.stringify({ pad: 'x'.repeat(300_000) }) }),
          },
        );
      } else if (op.method !== 'get' && op.method !== 'options')
        // No documented body: some requests carry one anyway.
        bodyArb = fc.oneof(
          { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
          {
            weight: 1,
            arbitrary: fc
              .oneof(wrongType, hostileString)
              .map((value) => ({ kind: 'json' as const, value, valid: false })),
          },
          { weight: 1, arbitrary: hostileRawBody.map((bytes) => ({ kind: 'raw' as const, bytes })) },
        );
      const business = (op.operation.security ?? doc.security ?? []).length > 0;
      const authArb: fc.Arbitrary<Plan['auth']> = business
        ? fc.constantFrom('key', 'key', 'key', 'key', 'key', 'admin', 'admin', 'other', 'none', 'garbage')
        : fc.constantFrom('none', 'none', 'none', 'garbage');
      const ctArb = fc.oneof(
        { weight: 8, arbitrary: fc.constant(mediaType ?? (op.method === 'get' ? null : 'application/json')) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            null,
            'text/plain',
            'application/xml',
            'application/json; charset=utf-16',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'application/json',
          ),
        },
      );
      const headersArb = fc.record(
        {
          'accept-language': fc.constantFrom('es', 'pt-BR,pt;q=0.9', 'xx', '*;q=0', 'en;q=abc'),
          'if-none-match': fc.constantFrom('"x"', '*', 'W/"abc"'),
          origin: fc.constantFrom('https://evil.example', 'null', '@self', 'http://localhost'),
          'accept-encoding': fc.constantFrom('gzip', 'br', 'gzip;q=0', 'identity'),
          'x-forwarded-for': fc.constantFrom('1.2.3.4', '::1, 2001:db8::1', 'garbage'),
        },
        { requiredKeys: [] },
      );
      return fc.record({
        op: fc.constant(op),
        params: fc.record(pathArbs),
        query: queryArb,
        auth: authArb,
        contentType: ctArb,
        body: bodyArb,
        sign: fc.boolean(),
        headers: headersArb,
      });
    };

    /** The consent form as the page's HTML gives it, with its fields kept, filled or made hostile. */
    function consentFormArb(): fc.Arbitrary<Plan['body']> {
      const field = (f: { name: string; type: string; value: string }): fc.Arbitrary<string | null> => {
        const hostile = { weight: 1, arbitrary: hostileString };
        if (f.type === 'tel')
          return fc.oneof({ weight: 6, arbitrary: phoneArb }, { weight: 1, arbitrary: fc.constant(null) }, hostile);
        if (f.type === 'checkbox')
          return fc.oneof(
            { weight: 6, arbitrary: fc.constant(f.value) },
            { weight: 2, arbitrary: fc.constant(null) },
            hostile,
          );
        if (f.name === 'website')
          return fc.oneof(
            { weight: 6, arbitrary: fc.constant('') },
            { weight: 1, arbitrary: fc.constant('http://spam') },
            hostile,
          );
        return fc.oneof(
          { weight: 5, arbitrary: fc.constant(f.value) },
          { weight: 1, arbitrary: fc.constant(null) },
          hostile,
        );
      };
      const fields = fc.tuple(...page.fields.map((f) => field(f).map((v) => [f.name, v] as const)));
      return fc.oneof(
        {
          weight: 9,
          arbitrary: fields.map((kv) => ({
            kind: 'raw' as const,
            bytes: new URLSearchParams(kv.filter((x): x is [string, string] => x[1] !== null)).toString(),
          })),
        },
        { weight: 1, arbitrary: hostileRawBody.map((bytes) => ({ kind: 'raw' as const, bytes })) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              'consent=yes&phone=%E0%A4%A',
              'consent=yes&phone=%zz&lang=%',
              'consent=yes&phone=' + 'x'.repeat(20_000),
            )
            .map((bytes) => ({ kind: 'raw' as const, bytes })),
        },
      );
    }

    /** Twilio's inbound SMS form, from the docs' fixture, with generated or hostile values. */
    function smsArb(): fc.Arbitrary<Plan['body']> {
      const base = fixtureJson<Record<string, string>>('twilio/inbound-sms.json');
      return fc
        .record({
          MessageSid: fc.oneof(fc.stringMatching(/^SM[0-9a-f]{32}$/), hostileString),
          From: fc.oneof(
            phoneArb.map((p) => (p.startsWith('+') ? p.replace(/\s/g, '') : `+${p}`)),
            hostileString,
          ),
          Body: fc.oneof(fc.constantFrom('STOP', 'HELP', 'YES', 'hola', 'SAIR', 'start'), hostileString),
        })
        .map((f) => ({
          kind: 'raw' as const,
          bytes: new URLSearchParams({ ...base, ...f, SmsMessageSid: f.MessageSid }).toString(),
        }));
    }

    /** Meta and Gupshup bodies from the docs' fixtures, with generated or hostile values. */
    function whatsappArb(): fc.Arbitrary<Plan['body']> {
      const files = [
        'meta/text-message.json',
        'meta/button-reply.json',
        'meta/status-update.json',
        'gupshup/text-message.json',
        'gupshup/message-event.json',
      ].map((f) => fixtureJson<unknown>(f));
      const fixture = fc.constantFrom(...files);
      return fc.oneof(
        { weight: 3, arbitrary: fixture.map((value) => ({ kind: 'json' as const, value, valid: true })) },
        {
          weight: 6,
          arbitrary: fixture.chain(mutateJson).map((value) => ({ kind: 'json' as const, value, valid: false })),
        },
        { weight: 1, arbitrary: hostileRawBody.map((bytes) => ({ kind: 'raw' as const, bytes })) },
      );
    }

    const resolve = (v: string): string =>
      v === '@main'
        ? st.main
        : v === '@other'
          ? st.other
          : v === '@phone'
            ? st.phones[Math.floor(Math.random() * st.phones.length)]!
            : v === '@event'
              ? (st.eventIds[0] ?? 'none')
              : v;

    const encode = (v: string, raw: boolean) => {
      if (raw) return v;
      try {
        return encodeURIComponent(v);
      } catch {
        return v; // a lone surrogate: sent as is (the URL parser makes it U+FFFD)
      }
    };

    async function send(plan: Plan): Promise<void> {
      const { op } = plan;
      let path = op.path.replace(/\{([^}]+)\}/g, (_m, n: string) => {
        const p = plan.params[n]!;
        return encode(resolve(p.value), p.raw);
      });
      const qs = plan.query.map(([k, v, raw]) => `${encode(k, false)}=${encode(v, raw)}`).join('&');
      if (qs) path += `?${qs}`;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(plan.headers)) headers[k] = v === '@self' ? h.url : v;
      if (plan.auth === 'key') headers.authorization = `Bearer ${st.key}`;
      if (plan.auth === 'admin') headers.authorization = ADMIN.authorization;
      if (plan.auth === 'other') headers.authorization = `Bearer ${st.otherKey}`;
      if (plan.auth === 'garbage') headers.authorization = 'Bearer okk_notakey_x';
      let body = bodyText(plan.body);
      if (plan.contentType && body !== undefined) headers['content-type'] = plan.contentType;
      if (plan.contentType && body === undefined && Math.random() < 0.1) headers['content-type'] = plan.contentType;
      if (plan.sign && body !== undefined) {
        const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
        if (op.id === 'receiveSms' && st.secrets.twilio) {
          const url = h.config.publicUrl + new URL(path, h.url).pathname + new URL(path, h.url).search;
          const params = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
          headers['x-twilio-signature'] = signTwilio(st.secrets.twilio, url, params);
        } else if (op.id === 'receiveWhatsApp' && st.secrets.meta && Math.random() < 0.5)
          headers['x-hub-signature-256'] = signMeta(st.secrets.meta, raw);
        else if (op.id === 'receiveWhatsApp' && st.secrets.gupshup) headers.authorization = st.secrets.gupshup;
        else if (op.id === 'receiveSandboxWhatsApp') headers['x-hub-signature-256'] = signMeta(SANDBOX_TOKEN, raw);
        body = raw;
      }
      if (op.id === 'verifyWhatsAppHook' && plan.sign)
        path = `/hooks/${resolve(plan.params.app!.value)}/whatsapp?hub.mode=subscribe&hub.verify_token=${st.secrets.verify}&hub.challenge=${encode(plan.query[0]?.[1] ?? '42', false)}`;
      for (const k of Object.keys(headers)) headers[k] = latin1(headers[k]!);

      const label = `${op.method.toUpperCase()} ${path.slice(0, 160)}${body !== undefined ? ` [${headers['content-type'] ?? 'no type'}] ${String(typeof body === 'string' ? body : `${body.byteLength} bytes`).slice(0, 160)}` : ''}`;
      figures.requests++;
      const t0 = Date.now();
      let res: Response;
      const send = () =>
        fetch(new URL(path, h.url), {
          method: op.method.toUpperCase(),
          headers,
          body: body as BodyInit | undefined,
          redirect: 'manual',
          signal: AbortSignal.timeout(20_000),
        });
      try {
        try {
          res = await send();
        } catch (e) {
          // A kept-alive connection the server closed as idle just as this request went out: the
          // client's race, not the server's answer. A GET or HEAD is sent once more; a second failure counts.
          const closed = /other side closed/.test(String((e as Error).cause ?? e));
          if (!closed || !['get', 'head'].includes(op.method)) throw e;
          res = await send();
        }
      } catch (e) {
        figures.connection++;
        problems.push({ what: 'no answer', request: label, detail: String((e as Error).cause ?? e) });
        return;
      }
      const buf = Buffer.from(await res.arrayBuffer());
      const ms = Date.now() - t0;
      opMs.set(op.id, (opMs.get(op.id) ?? 0) + ms);
      if (process.env.FUZZ_VERBOSE && ms > 200) console.log(`slow ${ms} ms: ${label.slice(0, 200)} -> ${res.status}`);
      const counts = perOp.get(op.id) ?? new Map<number, number>();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      perOp.set(op.id, counts);
      if (res.status >= 500) {
        figures.fiveXx++;
        problems.push({ what: '5xx', request: label, status: res.status, detail: buf.toString('utf8').slice(0, 300) });
      }
      const pathname = new URL(path, h.url).pathname;
      const match = matchOperation(ops, op.method, pathname);
      if (match) {
        const documented = match.responses[String(res.status)] ?? match.responses.default;
        if (!documented && res.status < 500) {
          figures.undocumented++;
          problems.push({
            what: `undocumented status for ${match.id}`,
            request: label,
            status: res.status,
            detail: buf.toString('utf8').slice(0, 200),
          });
        } else if (documented?.content) {
          const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
          const media = documented.content[type];
          if (!media) {
            figures.schemaMismatches++;
            problems.push({
              what: `undocumented content type ${type} for ${match.id}`,
              request: label,
              status: res.status,
            });
          } else if (type === 'application/json' && media.schema) {
            const text = res.headers.get('content-encoding') === 'gzip' ? null : buf.toString('utf8');
            let value: unknown;
            try {
              value = text === null ? undefined : JSON.parse(text);
            } catch {
              value = Symbol('not JSON');
            }
            const validate = ajv.compile(media.schema as object);
            if (value !== undefined && !validate(value)) {
              figures.schemaMismatches++;
              problems.push({
                what: `body does not match the schema of ${match.id} ${res.status}`,
                request: label,
                status: res.status,
                detail: JSON.stringify(validate.errors?.slice(0, 3)),
              });
            }
          }
        }
      }
      // A hostile value can change which route a path reaches (a `/` in it): then only the status is checked.

      // Schema-valid bodies for creating and changing an app are accepted.
      const wellFormed =
        plan.body.kind === 'json' &&
        plan.body.valid &&
        headers['content-type'] === 'application/json' &&
        plan.query.length === 0 &&
        Object.values(plan.params).every((p) => p.value === '@main');
      if (wellFormed && op.id === 'createApp' && plan.auth === 'admin' && ![201, 409, 429].includes(res.status)) {
        figures.validRefused++;
        problems.push({
          what: 'a schema-valid new app was refused',
          request: label,
          status: res.status,
          detail: buf.toString('utf8').slice(0, 300),
        });
      }
      if (
        wellFormed &&
        op.id === 'updateApp' &&
        (plan.auth === 'admin' || plan.auth === 'key') &&
        ![200, 429].includes(res.status)
      ) {
        figures.validRefused++;
        problems.push({
          what: 'a schema-valid change was refused',
          request: label,
          status: res.status,
          detail: buf.toString('utf8').slice(0, 300),
        });
      }

      // Follow the state the requests change: a rotated key, changed provider credentials.
      if (
        res.status === 200 &&
        op.id === 'rotateApiKey' &&
        pathname.toLowerCase() === `/api/v1/apps/${st.main.toLowerCase()}/keys/rotate`
      )
        st.key = (JSON.parse(buf.toString('utf8')) as { apiKey: string }).apiKey;
      if (
        res.status === 200 &&
        op.id === 'rotateApiKey' &&
        pathname.toLowerCase() === `/api/v1/apps/${st.other.toLowerCase()}/keys/rotate`
      )
        st.otherKey = (JSON.parse(buf.toString('utf8')) as { apiKey: string }).apiKey;
      if (
        res.status === 200 &&
        op.id === 'updateApp' &&
        plan.body.kind === 'json' &&
        pathname.toLowerCase() === `/api/v1/apps/${st.main.toLowerCase()}`
      ) {
        const s = (plan.body.value as { secrets?: Record<string, string | null> }).secrets;
        if (s && 'twilioAuthToken' in s) st.secrets.twilio = s.twilioAuthToken ?? null;
        if (s && 'metaAppSecret' in s) st.secrets.meta = s.metaAppSecret ?? null;
        if (s && 'gupshupToken' in s) st.secrets.gupshup = s.gupshupToken ?? null;
        if (s && 'metaVerifyToken' in s) st.secrets.verify = s.metaVerifyToken ?? null;
      }
    }

    const anyPlan = fc.oneof(...ops.map(planArb));
    const started = Date.now();
    let sendMs = 0;
    await fc.assert(
      fc.asyncProperty(anyPlan, async (plan) => {
        const t = Date.now();
        await send(plan);
        sendMs += Date.now() - t;
      }),
      {
        numRuns: 10_000_000,
        interruptAfterTimeLimit: SECONDS * 1000,
        markInterruptAsFailure: false,
        seed,
        endOnFailure: true,
      },
    );
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify([...opMs].sort((a, b) => b[1] - a[1])));
    if (process.env.FUZZ_VERBOSE) console.log(`sending took ${sendMs} ms of ${Date.now() - started}`);
    const alive = await h.request('/healthz');
    assert.equal(alive.status, 200, 'the server still answers after the fuzz');
    return {
      figures: {
        ...figures,
        operations: perOp.size,
        documentedOperations: ops.length,
        seconds: Math.round((Date.now() - started) / 1000),
      },
      missing: ops.map((o) => o.id).filter((id) => !perOp.has(id)),
      problems,
      perOp,
    };
  } finally {
    await h.close();
  }
}

for (const kind of STORE_KINDS) {
  describe(
    `property fuzz of every route from the OpenAPI document and the forms (${kind})`,
    { skip: await skipUnless(kind) },
    () => {
      it('Should answer every request below 500, with a documented status and a body matching its schema', async () => {
        const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
        const r = await fuzz(kind, seed);
        console.log(`fuzz (${kind}, seed ${seed}): ${JSON.stringify(r.figures)}`);
        const byKind = new Map<string, Problem[]>();
        for (const p of r.problems) byKind.set(p.what, [...(byKind.get(p.what) ?? []), p]);
        const report = [...byKind].map(
          ([what, ps]) => `${ps.length} × ${what}; e.g. ${JSON.stringify(ps.slice(0, 2))}`,
        );
        if (process.env.FUZZ_VERBOSE)
          for (const [id, counts] of r.perOp) console.log(id, JSON.stringify(Object.fromEntries(counts)));
        assert.deepEqual(report, [], `problems found (replay with FUZZ_SEED=${seed})`);
        assert.deepEqual(r.missing, [], 'every documented operation was exercised');
        assert.ok(r.figures.requests > 100, `${r.figures.requests} requests`);
      });
    },
  );
}
