import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { normalizeInternational } from '../../core/phone.js';

/** The parts of an OpenAPI 3.1 document the tests read. */
export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string; license?: { name: string } };
  security?: Record<string, string[]>[];
  paths: Record<string, Partial<Record<Method, OperationObject>>>;
  webhooks?: Record<string, Partial<Record<Method, OperationObject>>>;
  components: { schemas: Record<string, unknown> };
}
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';
export interface MediaObject {
  schema?: unknown;
}
export interface ResponseObject {
  description: string;
  content?: Record<string, MediaObject>;
  headers?: Record<string, unknown>;
}
export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: unknown;
}
export interface OperationObject {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, MediaObject> };
  responses: Record<string, ResponseObject>;
}
export interface Operation {
  id: string;
  method: Method;
  path: string;
  operation: OperationObject;
  responses: Record<string, ResponseObject>;
}

/** Every operation of the document's paths. */
export function operations(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, operation] of Object.entries(item) as [Method, OperationObject][])
      out.push({
        id: operation.operationId ?? `${method} ${path}`,
        method,
        path,
        operation,
        responses: operation.responses,
      });
  return out;
}

/** The document's own `phone` format: what the server accepts as a real number (core/phone.ts). */
export const isRealPhone = (s: string) => normalizeInternational(s).ok;

/**
 * An ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses) that knows the document's components: `compile`
 * takes any schema of the document, `$ref`s included.
 */
export function openApiAjv(doc: OpenApiDoc): { compile: (schema: object) => ValidateFunction } {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addFormat('phone', isRealPhone);
  const rebase = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(rebase)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) => [
              k,
              k === '$ref' && typeof x === 'string' && x.startsWith('#/') ? `openapi.json${x}` : rebase(x),
            ]),
          )
        : v;
  ajv.addSchema({ $id: 'openapi.json', components: rebase(doc.components) });
  const cache = new Map<object, ValidateFunction>();
  return {
    compile(schema) {
      let v = cache.get(schema);
      if (!v) cache.set(schema, (v = ajv.compile(rebase(schema) as object)));
      return v;
    },
  };
}

/** Finds the documented operation a concrete method and path belong to. */
export function matchOperation(ops: Operation[], method: string, pathname: string): Operation | null {
  const m = method.toLowerCase();
  let best: Operation | null = null;
  for (const o of ops) {
    if (o.method !== m) continue;
    const re = new RegExp('^' + o.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$');
    if (!re.test(pathname)) continue;
    // A literal segment beats a parameter: /hooks/sandbox/whatsapp before /hooks/{app}/whatsapp.
    if (!best || (best.path.match(/\{/g)?.length ?? 0) > (o.path.match(/\{/g)?.length ?? 0)) best = o;
  }
  return best;
}
