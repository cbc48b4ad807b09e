/**
 * fast-check arbitraries from the OpenAPI document's JSON Schemas (2020-12 as OpenAPI 3.1 uses), and
 * the hostile values a fuzz mixes into them. Generation is approximate (`if`/`then` and lengths are
 * left to a filter with ajv): `valid()` keeps only what the document itself accepts.
 */
import fc from 'fast-check';
import { getCountries, getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';

type Schema = Record<string, unknown>;

/** Real numbers, from libphonenumber's examples for every country it knows, with or without +. */
export const phoneArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...(getCountries() as CountryCode[])), fc.boolean())
  .map(([cc, plus]) => {
    const n = getExampleNumber(cc, examples);
    if (!n) return '+14155550123';
    return plus ? n.formatInternational() : n.number.slice(1);
  });

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  phone: phoneArb,
  'date-time': fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  date: fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
};

const codePoints = (s: string) => [...s].length;

/** An arbitrary of values of `schema`; `$ref`s are resolved in `root` (the OpenAPI document). */
export function schemaArb(
  schema: unknown,
  root: { components: { schemas: Record<string, unknown> } },
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = (schema ?? {}) as Schema;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.replace('#/components/schemas/', '');
    return schemaArb(root.components.schemas[name], root, depth + 1);
  }
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alts) return fc.oneof(...alts.map((a) => schemaArb(a, root, depth + 1)));
  const type = s.type;
  if (Array.isArray(type))
    return fc.oneof(...type.map((t) => (t === 'null' ? fc.constant(null) : schemaArb({ ...s, type: t }, root, depth))));
  switch (type) {
    case 'string':
      return stringArb(s);
    case 'integer':
      return fc.integer({ min: (s.minimum as number) ?? -1000, max: (s.maximum as number) ?? 100_000 });
    case 'number':
      return fc.double({ min: (s.minimum as number) ?? -1e6, max: (s.maximum as number) ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(depth > 4 ? fc.constant(null) : schemaArb(s.items, root, depth + 1), {
        minLength: (s.minItems as number) ?? 0,
        maxLength: Math.min((s.maxItems as number) ?? 4, 4),
      });
    case 'object':
    case undefined: {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const keys = Object.keys(props);
      if (keys.length === 0) {
        if (type === undefined) return fc.jsonValue({ maxDepth: 2 });
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      }
      const shape = Object.fromEntries(
        keys.map((k) => [k, depth > 6 ? fc.constant(null) : schemaArb(props[k], root, depth + 1)]),
      );
      return fc.record(shape, { requiredKeys: (s.required as string[] | undefined) ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = (s.minLength as number) ?? 0;
  const max = (s.maxLength as number) ?? 200;
  const fits = (v: string) => codePoints(v) >= min && codePoints(v) <= max;
  const format = FORMATS[s.format as string];
  if (format) return format;
  if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  return fc.string({ minLength: min, maxLength: Math.min(max, 60), unit: 'grapheme' });
}

/** Strings that have broken servers: the hostile half of every generator. */
export const HOSTILE_STRINGS = [
  '\ud800', // a lone surrogate
  'a\udc00b',
  'a\u0000b', // NUL
  'Acme\u202eevil', // a bidi override
  '\u2066x\u2069',
  'line\u0007bell',
  'tab\tand\nnewline',
  '%25',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '..',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '=HYPERLINK("http://x")',
  '😀'.repeat(61),
  '\uFEFF',
  ' ',
  '',
  '0',
  '-1',
  '1e309',
  '+',
  '+0000000000000000000000000000000000',
  'Infinity',
  '__proto__',
  'constructor',
] as const;

/**
 * A hostile string for a URL: one of the above, a long one, or random code points (surrogates
 * included). Node answers 431 itself to request headers over 16 KB, before any route: the huge ones
 * go in bodies.
 */
export const hostileUrlString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom('9'.repeat(2_000), '\u0000'.repeat(500)) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** A hostile string for a body: the same, and huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 9, arbitrary: hostileUrlString },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(70_000), '\u0000'.repeat(10_000), '😀'.repeat(20_000)) },
);

/** A value of the wrong type. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constant([[[[[[[[[[]]]]]]]]]]),
  fc.constant({ $ne: 1 }),
);

/** The paths to every leaf of a JSON value. */
function leaves(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...at, i])) : [at];
  if (v && typeof v === 'object') {
    const ks = Object.keys(v);
    return ks.length ? ks.flatMap((k) => leaves((v as Record<string, unknown>)[k], [...at, k])) : [at];
  }
  return [at];
}

function setAt(v: unknown, path: (string | number)[], x: unknown): unknown {
  if (path.length === 0) return x;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), x);
  return copy;
}

/** A JSON value with one leaf replaced by something hostile, a key added, or a key removed. */
export function mutateJson(v: unknown): fc.Arbitrary<unknown> {
  const paths = leaves(v);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...paths), hostileString).map(([p, x]) => setAt(v, p, x)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...paths), wrongType).map(([p, x]) => setAt(v, p, x)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('extra', '__proto__', 'constructor', ''), hostileString)
        .map(([k, x]) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, [k]: x } : v)),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...paths).map((p) => {
        if (p.length === 0 || !v || typeof v !== 'object') return v;
        const copy = structuredClone(v) as Record<string | number, unknown>;
        let o = copy;
        for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
        delete o[p[p.length - 1]!];
        return copy;
      }),
    },
  );
}

/** Bodies no schema describes: broken JSON, invalid UTF-8, deep nesting, the wrong top-level type. */
export const hostileRawBody: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    'null',
    '[]',
    '"\\ud800"',
    '{"a":"\\u0000"}',
    '['.repeat(5000) + ']'.repeat(5000),
    '{"__proto__":{"polluted":true}}',
    'a=1&b=%zz&c=%E0%A4%A&d=%',
    '\u0000',
  ),
  fc.constantFrom(
    new Uint8Array([0xff, 0xfe, 0x00, 0x7b]),
    new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // {"a":"<CESU surrogate>"}
    new Uint8Array([0xc3, 0x28]),
  ),
);
