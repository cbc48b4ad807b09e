import { csvRow } from '../csv.js';
import type { AppRecord, Store, UserRecord } from '../store/index.js';
import { listUsers } from '../store/users.js';
import { userView } from './user-view.js';

export const USER_CSV_COLUMNS = [
  'phone',
  'optin',
  'activity',
  'via',
  'verified',
  'flagged',
  'optin_at',
  'last_inbound_at',
  'created_at',
  'updated_at',
  // Last, so that readers of the columns before it are undisturbed: other spellings, space-separated.
  'aliases',
  // Added after the first columns: existing readers keep their column positions.
  'marketing',
  'moved_to',
];

/** Every user, page by page, so that an export of a million rows holds one page in memory. */
export async function* eachUser(store: Store, appId: string, pageSize = 2000): AsyncGenerator<UserRecord[]> {
  let after: { createdAt: number; phone: string } | null = null;
  for (;;) {
    const page: { users: UserRecord[]; next: string | null } = await store.read(
      listUsers,
      appId,
      {},
      { after, limit: pageSize, now: 0 },
    );
    if (page.users.length) yield page.users;
    if (!page.next) return;
    const last: UserRecord = page.users[page.users.length - 1]!;
    after = { createdAt: last.createdAt, phone: last.phone };
  }
}

/**
 * Every user of an app as CSV, one chunk (a page of users) at a time, header first: the HTTP export,
 * the Settings page and `optin-kit users export` all stream this, in constant memory.
 */
export async function* usersCsv(
  store: Store,
  app: AppRecord,
  now: number,
  onRows?: (n: number) => void,
): AsyncGenerator<string> {
  yield csvRow(USER_CSV_COLUMNS);
  let n = 0;
  for await (const page of eachUser(store, app.id)) {
    let chunk = '';
    for (const u of page) {
      const v = userView(u, now, app.settings.unverifiedCountsAsOptin);
      chunk += csvRow([
        v.phone,
        v.optin,
        v.activity,
        v.via,
        v.verified,
        v.flagged,
        v.optinAt,
        v.lastInboundAt,
        v.createdAt,
        v.updatedAt,
        v.aliases.join(' '),
        v.purposes.marketing,
        v.movedTo,
      ]);
    }
    n += page.length;
    onRows?.(n);
    yield chunk;
  }
}

/** The same, as a web stream of bytes for an HTTP response; a client that goes away stops the reads. */
export function usersCsvStream(store: Store, app: AppRecord, now: number): ReadableStream<Uint8Array> {
  const chunks = usersCsv(store, app, now);
  const enc = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      const next = await chunks.next();
      if (next.done) ctl.close();
      else ctl.enqueue(enc.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
