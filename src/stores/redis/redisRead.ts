/* The Redis event store's `read`: XRANGE page by page, so no reply holds more than a page of entries. @internal */
import type { EventEnvelope } from '../../events/eventStore.js';
import { EventLogError } from '../../events/EventLogError.js';
import { CheckpointDecoder, isCompact } from '../../events/checkpointRefs.js';
import { envelopeOf, fieldOf } from './redisTail.js';

/** Entries per `XRANGE` of `read` (the live tail's `XREAD` takes as many per call). */
export const READ_PAGE = 1000;

/** How `read` sends a command: the store's client's `sendCommand`. */
type Send = (args: readonly string[]) => Promise<unknown>;
type Entry = readonly [string, readonly string[]];

/**
 * The envelopes of stream `key` (of `streamId`) from `seq` `fromSeq` to entry id `to` (inclusive,
 * or `'+'`), in order, decoded (compact checkpoints rebuilt), read {@link READ_PAGE} entries per
 * `XRANGE`: a log of any length is never one unbounded reply, and no more than the answer and one
 * page is held at once.
 *
 * 1. A compact checkpoint is rebuilt from the tokens before it: a window from past `seq` 0 that
 *    holds one is read again from the run's start (the window read stops at that checkpoint).
 * 2. Each page after the first starts at the previous page's last entry, read again: when that
 *    entry is gone or holds another envelope, the stream was deleted (perhaps recorded again by
 *    another run) between two pages, and the read starts over, so it gives one run's log (or none),
 *    never two runs spliced, as one `XRANGE` did. A stream replaced under {@link READ_ATTEMPTS}
 *    reads in a row fails it with an `EventLogError` `STREAM_NOT_FOUND`.
 * 3. A delete marker is left out; an entry that is no envelope is `INVALID_LOG` (see `envelopeOf`).
 */
export async function readRange(send: Send, key: string, streamId: string, fromSeq: number, to: string): Promise<EventEnvelope[]> {
  for (let attempt = 1; ; attempt++) {
    const out = await readOnce(send, key, streamId, fromSeq, to);
    if (out !== undefined) return out;
    if (attempt === READ_ATTEMPTS) throw new EventLogError('STREAM_NOT_FOUND', streamId, `Stream ${streamId} was deleted while it was read, ${READ_ATTEMPTS} times in a row`);
  }
}

/** How many reads in a row a stream replaced meanwhile may cost `read` (see {@link readRange}'s 2). */
const READ_ATTEMPTS = 3;

/** {@link readRange} once: undefined when the stream was deleted between two pages. */
async function readOnce(send: Send, key: string, streamId: string, fromSeq: number, to: string): Promise<EventEnvelope[] | undefined> {
  let decoder = new CheckpointDecoder(streamId);
  const out: EventEnvelope[] = [];
  if (fromSeq > 0) {
    const read = await pages(send, key, `0-${fromSeq + 1}`, to, streamId, (e) => !isCompact(e) && out.push(decoder.decode(e)) > 0);
    if (read !== 'stopped') return read === 'whole' ? out : undefined;
    // the window holds a compact checkpoint (see 1): read from the run's start, keeping what is in the window
    out.length = 0;
    decoder = new CheckpointDecoder(streamId);
  }
  const read = await pages(send, key, '-', to, streamId, (e) => {
    const decoded = decoder.decode(e);
    if (decoded.seq >= fromSeq) out.push(decoded);
    return true;
  });
  return read === 'whole' ? out : undefined;
}

/**
 * Passes the envelopes of `key`'s entries from id `start` to `end` to `each`, in order, a page per
 * `XRANGE` (see {@link readRange}'s 2 and 3): `'whole'` once the range was read, `'stopped'` when
 * `each` returned false, `'replaced'` when the stream was deleted between two pages.
 */
async function pages(send: Send, key: string, start: string, end: string, streamId: string, each: (envelope: EventEnvelope) => boolean): Promise<'whole' | 'stopped' | 'replaced'> {
  let last: Entry | undefined;
  for (let from = start; ; ) {
    const count = last === undefined ? READ_PAGE : READ_PAGE + 1; // (the previous page's last entry again)
    const page = (await send(['XRANGE', key, from, end, 'COUNT', String(count)])) as Entry[];
    if (last !== undefined) {
      const first = page[0];
      if (first === undefined || first[0] !== last[0] || fieldOf(first[1], 'envelope') !== fieldOf(last[1], 'envelope')) return 'replaced';
    }
    for (let i = last === undefined ? 0 : 1; i < page.length; i++) {
      const [id, fields] = page[i]!;
      const entry = envelopeOf(fields, streamId, id);
      if (entry !== undefined && !each(entry.envelope)) return 'stopped';
    }
    if (page.length < count) return 'whole';
    last = page[page.length - 1]!;
    from = last[0];
  }
}
