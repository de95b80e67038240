import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventEnvelope, EventStore, SeqRange } from '../../events/eventStore.js';

/** Options of {@link createJsonlEventStore}. */
export interface JsonlEventStoreOptions {
  /** `fsync` the file after every append, so an append that resolved survives a power loss. @default false */
  readonly fsync?: boolean;
}

/** A deletion marker: the stream's envelopes before it are gone. */
interface Tombstone {
  readonly v: 1;
  readonly streamId: string;
  readonly deleted: true;
}

/**
 * An {@link EventStore} in one append-only JSONL file: one line per envelope, for every stream.
 *
 *   append([e0, e1])   file: \n{e0}\n{e1}\n        (one write call per batch, O_APPEND)
 *   read(id)           the stream's envelopes, in file order
 *
 * 1. Appends never rewrite the file: each batch is one `write` on a file opened with `O_APPEND`,
 *    so many writers (stores, processes) on one file lose nothing and never interleave lines.
 * 2. Each batch starts with a newline: a line torn by a crash mid-write is never glued to the
 *    next writer's line. Readers skip blank lines and lines that are not JSON (a torn tail).
 * 3. `delete(id)` appends a deletion marker; the stream's earlier envelopes are no longer read.
 * 4. `read` and `streams` read the whole file: fine for logs of a few hundred MB; rotate files
 *    (one per day or per service) beyond that.
 *
 * Node only (`node:fs`); import it from `l0-rx/stores/jsonl`.
 *
 * @example
 * import { l0 } from 'l0-rx';
 * import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
 * const store = createJsonlEventStore('./logs/l0-events.jsonl');
 * l0({ stream, record: store }).subscribe();
 * @param path The file; it and its folder are created on the first append.
 * @param options See {@link JsonlEventStoreOptions}.
 */
export function createJsonlEventStore(path: string, options: JsonlEventStoreOptions = {}): EventStore {
  if (typeof path !== 'string' || path === '') throw new TypeError(`createJsonlEventStore(path) must be a non-empty string, got ${typeof path === 'string' ? '""' : typeof path}`);
  if (typeof options !== 'object' || options === null) throw new TypeError('createJsonlEventStore(path, options) must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'fsync') throw new TypeError(`createJsonlEventStore(path, options): unknown option \`${key}\`; the options are \`fsync\``);
  }
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') throw new TypeError(`createJsonlEventStore(path, {fsync}) must be a boolean, got ${typeof options.fsync}`);
  const fsync = options.fsync ?? false;
  let folder: Promise<unknown> | undefined;

  const write = async (lines: readonly string[]): Promise<void> => {
    if (lines.length === 0) return;
    await (folder ??= mkdir(dirname(path), { recursive: true }));
    const buffer = Buffer.from(`\n${lines.join('\n')}\n`, 'utf8');
    const handle = await open(path, 'a');
    try {
      let offset = 0;
      while (offset < buffer.length) {
        const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
        offset += bytesWritten;
      }
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
  };

  return {
    append: (envelopes) => write(envelopes.map((e) => JSON.stringify(e))),
    async read(streamId: string, range?: SeqRange) {
      const from = range?.fromSeq ?? 0;
      const to = range?.toSeq ?? Number.POSITIVE_INFINITY;
      return ((await scan(path, streamId)).get(streamId) ?? []).filter((e) => e.seq >= from && e.seq <= to);
    },
    async streams() {
      return [...(await scan(path)).keys()];
    },
    delete: (streamId: string) => write([JSON.stringify({ v: 1, streamId, deleted: true } satisfies Tombstone)]),
  };
}

/** How this store starts every line; lines of other streams are skipped without parsing. */
const LINE_HEAD = '{"v":1,"streamId":';

/** Every live stream's envelopes (or only `only`'s), in file order; torn and blank lines skipped. */
async function scan(path: string, only?: string): Promise<Map<string, EventEnvelope[]>> {
  const head = only === undefined ? undefined : `${LINE_HEAD}${JSON.stringify(only)},`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return new Map();
    throw e;
  }
  const streams = new Map<string, EventEnvelope[]>();
  for (const line of text.split('\n')) {
    if (line === '' || (head !== undefined && line.startsWith(LINE_HEAD) && !line.startsWith(head))) continue;
    let record: EventEnvelope | Tombstone;
    try {
      record = JSON.parse(line) as EventEnvelope | Tombstone;
    } catch {
      continue; // a line torn by a crash mid-write
    }
    if (typeof record !== 'object' || record === null || typeof record.streamId !== 'string' || (only !== undefined && record.streamId !== only)) continue;
    if ('deleted' in record) {
      streams.delete(record.streamId);
      continue;
    }
    let log = streams.get(record.streamId);
    if (!log) streams.set(record.streamId, (log = []));
    log.push(record);
  }
  return streams;
}
