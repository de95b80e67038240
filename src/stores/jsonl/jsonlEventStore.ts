import { isUtf8 } from 'node:buffer';
import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { EventEnvelope, EventStore, SeqRange } from '../../events/eventStore.js';
import { checkEnvelopes, checkRange, checkStreamId, rejecting } from '../storeInputs.js';
import { CheckpointDecoder } from '../../events/checkpointRefs.js';
import { CheckpointEncoder } from '../../events/checkpointEncoder.js';
import { asStored } from '../../events/runTag.js';
import { EventLogError } from '../../events/EventLogError.js';
import { withCutField } from '../../internal/limitCut.js';
import { RunLedger } from './runLedger.js';
import { eachLine, ofAnother, startsWith, syncFolder } from './jsonlFile.js';

/** Options of {@link createJsonlEventStore}. */
export interface JsonlEventStoreOptions {
  /** `fsync` the file after every append (and its folder after the first), so an append that resolved survives a power loss. @default false */
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
 * 4. `read`, `streams` and `has` read the whole file, 1 MiB at a time (a file of any size, in
 *    memory bounded by what they return: `streams` keeps the ids only, `read` and `has` skip other
 *    streams' lines undecoded): each call costs a pass over the file, so rotate files (one per day or per
 *    service) once that is too slow. A byte order mark before the first line (an editor's) is
 *    skipped.
 * 5. A `checkpoint` that `recordEvents` proved a prefix of the attempt's recorded text is written as
 *    `{type: 'checkpoint', contentLength, tokenCount}` and rebuilt from the tokens before it when
 *    read: a run with continuation writes its answer about once, not once per checkpoint. Only
 *    when this store wrote every envelope of that attempt itself (a store of your own around it
 *    that forwards only some, a failed append, a `delete` meanwhile: the checkpoint is written
 *    whole). `read` fails with `INVALID_LOG` for an envelope of another log format version (`v`),
 *    a `limitCut` but the `true` a `budget()` cut's `complete` is written with (read back as its mark),
 *    or a line of its log (since its last `delete`) with bytes that are not UTF-8 (never replayed as U+FFFD, text the run did not produce).
 * 6. A log belongs to the run whose `seq` 0 made it (its run tag, `run`, written on that line
 *    only) until it is deleted: `append` rejects with an `EventLogError` `RUN_MISMATCH` (after
 *    writing the envelopes before it) an envelope of another run: a `seq` above 0 of a run whose
 *    `seq` 0 this store did not write, or whose stream was deleted or taken by a new run since,
 *    and a `seq` 0 of a stream whose run records, or ended, through this store and was not deleted
 *    since. The file is not read to append, so the store knows the runs that went through it (this
 *    object; the last 10,000 ended ones, a run whose append failed counting as ended: its recorder
 *    stops there, so its entry is never kept for good): give each run its own stream id when several processes
 *    record one file. Envelopes without a run tag are written as given.
 *
 * Node only (`node:fs`); import it from `l0-rx/stores/jsonl`.
 *
 * @example
 * import { l0 } from 'l0-rx';
 * import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
 * const store = createJsonlEventStore('./logs/l0-events.jsonl');
 * l0({ stream, record: store }).subscribe();
 * @param path The file; it and its folder are created on the first append. A relative path is
 *   resolved against the working directory when the store is created.
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
  const file = resolve(path); // now: a process.chdir later must not move the log
  let folder: Promise<unknown> | undefined;
  let entrySynced = false;
  /** The bytes of the next write (the appends that arrived while a write was in flight), and their callers. */
  let pending = new PendingBytes();
  let waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let writing = false;
  /** What this store wrote of each open stream: a checkpoint is written compact only over text it wrote. */
  const encoder = new CheckpointEncoder();
  /** The run of each stream it writes (see 6). */
  const runs = new RunLedger();

  const writeOnce = async (buffer: Buffer): Promise<void> => {
    // a failed mkdir is not kept: the next write tries again (the obstacle may be gone)
    await (folder ??= mkdir(dirname(file), { recursive: true }).catch((e: unknown) => {
      folder = undefined;
      throw e;
    }));
    const handle = await open(file, 'a');
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
    // the file's entry in its folder too, once: a file created since the last power loss is otherwise not sure to survive the next
    if (fsync && !entrySynced) {
      await syncFolder(dirname(file));
      entrySynced = true;
    }
  };
  /** One open/write/close for everything queued since the last write (many streams share one file). */
  const flush = (): void => {
    writing = true;
    const bytes = pending.take();
    const settle = waiters;
    pending = new PendingBytes();
    waiters = [];
    writeOnce(bytes).then(
      () => settle.forEach((w) => w.resolve()),
      (e: unknown) => settle.forEach((w) => w.reject(e)),
    ).finally(() => {
      if (waiters.length > 0) flush();
      else writing = false;
    });
  };
  const write = (add: (to: LineSink) => void): Promise<void> =>
    rejecting(() => {
      // all of a batch's lines or none: an envelope that cannot be written fails its append alone
      const lines: string[] = [];
      add({ line: (line) => void lines.push(line) });
      for (const line of lines) pending.line(line);
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      if (!writing) flush();
      return done;
    });

  return {
    append: (envelopes) =>
      rejecting(() => {
        checkEnvelopes(NAME, envelopes); // a bad batch writes nothing
        if (envelopes.length === 0) return Promise.resolve();
        const { admitted, refused } = runs.admit(envelopes); // (in call order, which is the order of the lines)
        const written =
          admitted.length === 0
            ? Promise.resolve()
            : write((to) => serialize(admitted, to, encoder)).catch((e: unknown) => {
                encoder.lost(admitted);
                runs.lost(admitted);
                throw e;
              });
        return refused === undefined ? written : written.then(() => Promise.reject(refused));
      }),
    async read(streamId: string, range?: SeqRange) {
      checkStreamId(NAME, 'read', streamId);
      checkRange(NAME, range);
      const from = range?.fromSeq ?? 0;
      const to = range?.toSeq ?? Number.POSITIVE_INFINITY;
      const decoder = new CheckpointDecoder(streamId);
      let log: EventEnvelope[] = [];
      let bad: EventEnvelope | undefined; // the log's first line that is not UTF-8 (a deleted run's lines are no part of it)
      await scan(file, streamId, (record, utf8) => ('deleted' in record ? ((log = []), (bad = undefined)) : (log.push(record), utf8 || (bad ??= record))), true);
      if (bad) throw new EventLogError('INVALID_LOG', streamId, `Stream ${streamId} is not a valid event log: the envelope at seq ${String(bad.seq)} holds bytes that are not UTF-8 (a file saved in another encoding?)`);
      return log.map((e) => decoder.decode(e)).filter((e) => e.seq >= from && e.seq <= to);
    },
    async streams() {
      // the ids only: a listing holds no envelope (replayEvents lists the streams to name an unknown one)
      const ids = new Set<string>();
      await scan(file, undefined, (record) => ('deleted' in record ? ids.delete(record.streamId) : ids.add(record.streamId)));
      return [...ids];
    },
    async has(streamId: string) {
      checkStreamId(NAME, 'has', streamId);
      // as streams() would say, holding no id of another stream (their lines are skipped undecoded)
      let known = false;
      await scan(file, streamId, (record) => (known = !('deleted' in record)));
      return known;
    },
    delete: (streamId: string) =>
      rejecting(() => {
        checkStreamId(NAME, 'delete', streamId);
        encoder.forget(streamId); // what it writes of the stream from now on follows the marker
        runs.forget(streamId); // a run still writing it is refused; a new run may start it
        return write((to) => to.line(JSON.stringify({ v: 1, streamId, deleted: true } satisfies Tombstone)));
      }),
  };
}

/** How the store names itself in its TypeErrors. */
const NAME = 'createJsonlEventStore()';

/** How this store starts every line; lines of other streams are skipped without parsing. */
const LINE_HEAD = '{"v":1,"streamId":';

/**
 * One line per envelope, byte for byte what `JSON.stringify(asStored(envelope))` gives, built by
 * hand for the common shape (a token event in a version-1 envelope): about half the cost of the
 * generic serializer, which dominated recording (and its per-token growth) in the benchmark.
 */
function serialize(envelopes: readonly EventEnvelope[], to: LineSink, encoder: CheckpointEncoder): void {
  let streamId: unknown;
  let head = '';
  let ts: unknown;
  let tsText = '';
  for (let i = 0; i < envelopes.length; i++) {
    const e = envelopes[i]!;
    const event = encoder.encode(e); // every envelope: the encoder follows what is written
    if (!isPlainEnvelope(e)) {
      to.line(JSON.stringify(asStored(e)));
      continue;
    }
    if (e.streamId !== streamId) {
      streamId = e.streamId;
      head = `${LINE_HEAD}${JSON.stringify(e.streamId)},"seq":`;
    }
    if (e.ts !== ts) {
      ts = e.ts;
      tsText = JSON.stringify(e.ts);
    }
    const run = e.seq === 0 && e.run !== undefined ? `"run":${JSON.stringify(e.run)},` : '';
    to.line(`${head}${e.seq},"ts":${tsText},${run}"event":${isPlainToken(event) ? `{"type":"token","value":${JSON.stringify(event.value)}}` : JSON.stringify(withCutField(event))}}`);
  }
}

/**
 * The bytes of one write: a newline (a line torn by a crash is never glued to this write's
 * first line), then one line per envelope. Text moves to an off-heap buffer every 64 KiB, so a
 * large batch never holds one short-lived string per envelope or one giant string.
 */
/** Where serialized lines go. */
interface LineSink {
  line(line: string): void;
}

class PendingBytes implements LineSink {
  private readonly chunks: Buffer[] = [];
  private text = '\n';

  line(line: string): void {
    this.text += line;
    this.text += '\n';
    if (this.text.length >= 65_536) {
      this.chunks.push(Buffer.from(this.text, 'utf8'));
      this.text = '';
    }
  }

  take(): Buffer {
    if (this.text !== '') this.chunks.push(Buffer.from(this.text, 'utf8'));
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }
}

/** Exactly the keys v (1), streamId, seq, ts, event in that order (run before event when it has one: a string), with JSON-exact numbers. */
function isPlainEnvelope(e: EventEnvelope): boolean {
  if (e.v !== 1 || typeof e.streamId !== 'string' || !Number.isSafeInteger(e.seq) || !Number.isFinite(e.ts) || typeof e.event !== 'object' || e.event === null) return false;
  const keys = e.run === undefined ? ENVELOPE_KEYS : TAGGED_KEYS;
  let i = 0;
  for (const key in e) {
    if (key !== keys[i++]) return false;
  }
  return i === keys.length && Object.getPrototypeOf(e) === Object.prototype;
}
const ENVELOPE_KEYS = ['v', 'streamId', 'seq', 'ts', 'event'] as const;
const TAGGED_KEYS = ['v', 'streamId', 'seq', 'ts', 'run', 'event'] as const;

/** `{type: 'token', value}` and nothing else, keys in that order, a plain object. */
function isPlainToken(event: { readonly type: string }): event is { type: 'token'; value: string } {
  if (event.type !== 'token' || typeof (event as { value?: unknown }).value !== 'string') return false;
  let i = 0;
  for (const key in event) {
    if (key !== (i === 0 ? 'type' : 'value') || ++i > 2) return false;
  }
  return i === 2 && Object.getPrototypeOf(event) === Object.prototype;
}

/** Passes each record (an envelope or a deletion marker) of every stream (or only `only`'s, with whether its line is UTF-8) to `each`, in file order; torn and blank lines skipped (and a byte order mark before the first). */
async function scan(path: string, only: string | undefined, each: (record: EventEnvelope | Tombstone, utf8: boolean) => void, checkUtf8 = false): Promise<void> {
  // lines of other streams are skipped by their first bytes, without decoding them
  const own = only === undefined ? undefined : Buffer.from(LINE_HEAD + JSON.stringify(only));
  let first = true;
  await eachLine(path, (bytes, start, end) => {
    if (first && (first = false, startsWith(bytes, start, end, BOM))) start += BOM.length; // a file saved by an editor
    if (start === end || (own !== undefined && ofAnother(bytes, start, end, HEAD, own))) return;
    let record: EventEnvelope | Tombstone;
    try {
      record = JSON.parse(bytes.toString('utf8', start, end)) as EventEnvelope | Tombstone;
    } catch {
      return; // a line torn by a crash mid-write
    }
    if (typeof record !== 'object' || record === null || typeof record.streamId !== 'string' || (only !== undefined && record.streamId !== only)) return;
    each(record, !checkUtf8 || isUtf8(bytes.subarray(start, end))); // (only `read` asks: `has` and `streams` need no decoding check)
  });
}

const HEAD = /*#__PURE__*/ Buffer.from(LINE_HEAD);
const BOM = /*#__PURE__*/ Buffer.from([0xef, 0xbb, 0xbf]);
