/** What the hook tests look at after a request: the outbox, the message history, the ledger. */
import type { TestHarness } from './support/server.js';
import { all, get } from '../server/store/driver.js';
import { messagesOf } from '../server/store/messages.js';
import type { AppRecord } from '../server/store/index.js';
import type { AppSecrets } from '../server/app-settings.js';
import { patchApp } from './support/ledger.js';

type Row = Record<string, unknown>;

export interface OutboxRow {
  id: string;
  kind: 'event' | 'message';
  type: string;
  phone: string;
  body: Record<string, unknown>;
}

export async function outboxOf(h: Pick<TestHarness, 'store'>, appId: string): Promise<OutboxRow[]> {
  const rows = await h.store.read(() => all<Row>('SELECT * FROM outbox WHERE app_id = ? ORDER BY seq', [appId]));
  return rows.map((r) => ({
    id: r.id as string,
    kind: r.kind as OutboxRow['kind'],
    type: r.type as string,
    phone: r.phone as string,
    body: JSON.parse(r.body as string) as Record<string, unknown>,
  }));
}

export const events = async (h: Pick<TestHarness, 'store'>, appId: string) =>
  (await outboxOf(h, appId)).filter((o) => o.kind === 'event');
export const sent = async (h: Pick<TestHarness, 'store'>, appId: string) =>
  (await outboxOf(h, appId)).filter((o) => o.kind === 'message');

export function history(h: Pick<TestHarness, 'store'>, appId: string, phone: string) {
  return h.store.read(() => messagesOf(appId, phone));
}

export async function flagged(h: Pick<TestHarness, 'store'>, appId: string, phone: string): Promise<boolean> {
  const r = await h.store.read(() =>
    get<Row>('SELECT flagged FROM users WHERE app_id = ? AND phone = ?', [appId, phone]),
  );
  return Number(r?.flagged ?? 0) === 1;
}

export async function count(
  h: Pick<TestHarness, 'store'>,
  table: 'inbound' | 'prompts' | 'messages' | 'consents' | 'outbox',
  appId: string,
): Promise<number> {
  const r = await h.store.read(() => get<Row>(`SELECT COUNT(*) AS n FROM ${table} WHERE app_id = ?`, [appId]));
  return Number(r?.n ?? 0);
}

/** Sets provider credentials the way PATCH /api/v1/apps/:app will. */
export async function withSecrets(
  h: Pick<TestHarness, 'store'>,
  app: AppRecord,
  s: Partial<AppSecrets>,
): Promise<AppRecord> {
  return patchApp(h.store, app.id, { secrets: { ...app.secrets, ...s } }, Date.now());
}

export const CALLBACK = 'https://business.example/optin-events';
