import { all, get, run, type Body } from './driver.js';
import { toMessage, type Row } from './rows.js';
import { bySpellings } from './spellings.js';
import type { MessageRecord } from './types.js';

/** The message history: what people sent in and what was sent to them, for a user's history. */

/** Adds a message to the history. Idempotent by id (an outbox item delivered twice is one message). */
export function* addMessage(m: MessageRecord): Body<boolean> {
  return (
    (yield* run(
      'INSERT INTO messages (id, app_id, phone, direction, channel, text, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [m.id, m.appId, m.phone, m.direction, m.channel, m.text, m.at],
    )) === 1
  );
}

/**
 * Adds a sent message to the history, unless its outbox item is gone: an erasure that came while
 * the message was on its way must not be undone by the send finishing.
 */
export function* addSentMessage(m: MessageRecord): Body<boolean> {
  return (
    (yield* run(
      `INSERT INTO messages (id, app_id, phone, direction, channel, text, at)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM outbox WHERE id = ?) ON CONFLICT DO NOTHING`,
      [m.id, m.appId, m.phone, m.direction, m.channel, m.text, m.at, m.id],
    )) === 1
  );
}

export function* messageById(id: string): Body<MessageRecord | null> {
  const r = yield* get<Row>('SELECT * FROM messages WHERE id = ?', [id]);
  return r ? toMessage(r) : null;
}

/** A user's message history (under any spelling of their number), oldest first. */
export function* messagesOf(appId: string, phone: string): Body<MessageRecord[]> {
  const s = bySpellings(phone);
  return (yield* all<Row>(`SELECT * FROM messages WHERE app_id = ? AND ${s.sql} ORDER BY seq`, [
    appId,
    ...s.params,
  ])).map(toMessage);
}
