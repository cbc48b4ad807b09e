/**
 * Runs `work` over items in lanes: items with the same key one after another, in their order, and
 * up to `limit` lanes at once. A provider's batch holds many people's messages; one person's must be
 * handled in order (a START then a STOP), but different people's can share a commit (SQLite groups
 * the transactions of one event-loop turn into one fsync).
 *
 * `work` returning `'stop'` ends every lane before its next item (the store is down: the rest would
 * fail the same way).
 *
 * @example
 * await inLanes(messages, (m) => m.from, 16, async (m) => (await handle(m)) ? 'next' : 'stop');
 */
export async function inLanes<T>(
  items: readonly T[],
  key: (item: T) => string,
  limit: number,
  work: (item: T) => Promise<'next' | 'stop'>,
): Promise<void> {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const lane = lanes.get(k);
    if (lane) lane.push(item);
    else lanes.set(k, [item]);
  }
  const queue = [...lanes.values()];
  let stopped = false;
  const runner = async () => {
    for (let lane = queue.shift(); lane && !stopped; lane = queue.shift())
      for (const item of lane) {
        if (stopped) return;
        if ((await work(item)) === 'stop') stopped = true;
      }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, runner));
}
