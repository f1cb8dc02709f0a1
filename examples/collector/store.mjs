import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Opens the event store: `<dataDir>/events.ndjson`, one stored event per line, plus an in-memory
 * copy and the set of seen ids. The ids are reloaded from the file, so a restarted collector still
 * drops repeats (the SDK's delivery is at-least-once; dedupe by id makes it effectively once).
 * @param {string} dataDir
 */
export async function openStore(dataDir) {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'events.ndjson');
  const { events: stored, torn } = await load(file);
  // Ends the torn line, or the next append would join it and be lost with it at the next start.
  if (torn) await appendFile(file, '\n');
  const seen = new Set(stored.map((e) => e.id));
  // Appends run one after another so lines keep arrival order and never interleave.
  let writes = Promise.resolve();
  const enqueue = (job) => (writes = writes.then(job, job));
  // Bumped by reset(), so a write that finishes after a reset does not resurrect its events.
  let generation = 0;

  return {
    file,
    /**
     * Stores the events whose ids are new. Ids are claimed before the write starts, so two
     * concurrent copies of one batch store each event once. Resolves when the lines are on disk.
     * @returns {Promise<{ added: object[], duplicates: number }>}
     */
    async add(events, receivedAt = Date.now()) {
      const added = [];
      const gen = generation;
      for (const e of events) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        added.push({ ...e, receivedAt });
      }
      if (added.length > 0) {
        try {
          await enqueue(() => appendFile(file, added.map((e) => JSON.stringify(e) + '\n').join('')));
        } catch (err) {
          // Not stored: release the ids so the client's retry is not mistaken for a repeat.
          for (const e of added) seen.delete(e.id);
          throw err;
        }
        if (gen === generation) stored.push(...added);
      }
      return { added, duplicates: events.length - added.length };
    },
    /**
     * Stored events in arrival order. `since` compares with `receivedAt` (collector clock, epoch ms).
     * @param {{ anonymousId?: string, type?: string, since?: number }} [filter]
     */
    events(filter = {}) {
      return stored.filter(
        (e) =>
          (filter.anonymousId === undefined || e.anonymousId === filter.anonymousId) &&
          (filter.type === undefined || e.type === filter.type) &&
          (filter.since === undefined || e.receivedAt >= filter.since),
      );
    },
    /** Forgets every event, on disk too, so the next test starts empty. */
    reset() {
      generation++;
      stored.length = 0;
      seen.clear();
      return enqueue(() => writeFile(file, ''));
    },
    /** Resolves when pending writes are done. */
    settled() {
      return enqueue(() => undefined);
    },
  };
}

async function load(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return { events: [], torn: false };
    throw err;
  }
  const events = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    // A crash mid-append can leave a torn last line: skip it rather than refuse to start.
    try {
      events.push(JSON.parse(line));
    } catch {
      continue;
    }
  }
  return { events, torn: text !== '' && !text.endsWith('\n') };
}
