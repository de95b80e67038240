/*
 * Where the proof of a compact checkpoint is finished: in the durable store, at the bytes it writes.
 * @internal
 */
import type { CheckpointEvent, L0Event, TokenEvent } from './eventTypes.js';
import type { EventEnvelope, RecordedEvent } from './eventStore.js';
import { attemptTextChange } from '../attempt/attemptText.js';
import { isPrefixMarked, type CompactCheckpoint } from './checkpointRefs.js';

/** What a store wrote of one stream, as its reader (CheckpointDecoder) will see it: the same rule, without the text. */
interface Written {
  /** The `seq` that follows the last envelope written, and whether every envelope since the attempt began was written. */
  next: number;
  whole: boolean;
  /** The attempt text's length (a resumed checkpoint and the token values written since), and its tokens written. */
  length: number;
  tokens: number;
}

/** Streams a store follows at most: past it, the one followed longest is forgotten (its checkpoints are written whole until its next attempt). */
const MAX_STREAMS = 10_000;

/**
 * One durable store's writer of compact checkpoints. The recorder marks a checkpoint it proved a
 * prefix of the attempt text of the events it recorded; that text is in the log only if the store
 * wrote every one of them. A store of your own in between may forward only some envelopes (it
 * filters tokens, samples, keeps checkpoints only), an append may fail, a stream may be deleted:
 * so the store keeps, per stream, what it wrote itself, O(1) per envelope, and writes a marked
 * checkpoint as a length only when
 *
 * 1. it wrote every envelope since the checkpoint's attempt began (`seq` 0, or the last `start`,
 *    `retry`, `fallback` or `resume`), with no `seq` missing, as the reader will find them; and
 * 2. the text it wrote for that attempt is at least `contentLength` characters and `tokenCount`
 *    tokens long (a token shortened in place after the recorder saw it fails this; one changed at the
 *    same length does not: events are immutable).
 *
 * Otherwise the checkpoint is written whole. The state of a stream is dropped at its terminal
 * envelope, at a failed append and at `forget` (a delete); a stream first met after its `seq` 0
 * (another process wrote its head, or the state was dropped) has no compact checkpoint until its
 * next attempt begins. A stream that never ends keeps its state until {@link MAX_STREAMS} others
 * are followed.
 */
export class CheckpointEncoder {
  private readonly streams = new Map<string, Written>();
  /** The stream of the last envelope encoded, and its state (a batch is usually one stream's). */
  private lastId: string | undefined = undefined;
  private last: Written | undefined = undefined;

  /** The event to write for `envelope` (its own, or the compact form of a proved checkpoint). Call once per envelope, in the order written. */
  encode(envelope: EventEnvelope): RecordedEvent | CompactCheckpoint {
    const event = envelope.event;
    const s = this.stateOf(envelope.streamId);
    if (envelope.seq === 0) restart(s, 0);
    else if (envelope.seq !== s.next) s.whole = false;
    s.next = envelope.seq + 1;
    if (typeof event !== 'object' || event === null) return event;
    switch (attemptTextChange(event as L0Event)) {
      case 'token': {
        const { value } = event as TokenEvent;
        if (typeof value === 'string') s.length += value.length;
        s.tokens++;
        return event;
      }
      case 'reset':
        restart(s, 0);
        return event;
      case 'resume': {
        const { checkpoint } = event as { checkpoint: unknown };
        restart(s, typeof checkpoint === 'string' ? checkpoint.length : 0);
        if (typeof checkpoint !== 'string') s.whole = false;
        return event;
      }
      default:
    }
    if (event.type === 'checkpoint') {
      const { content, tokenCount } = event as CheckpointEvent;
      if (s.whole && isPrefixMarked(envelope) && typeof content === 'string' && content.length <= s.length && tokenCount <= s.tokens) return { type: 'checkpoint', contentLength: content.length, tokenCount };
    } else if (event.type === 'complete' || event.type === 'error') this.forget(envelope.streamId);
    return event;
  }

  /** The envelope to write for `envelope`: the same object unless its checkpoint is written compact. */
  envelope(envelope: EventEnvelope): EventEnvelope | { readonly [K in keyof EventEnvelope]: K extends 'event' ? CompactCheckpoint : EventEnvelope[K] } {
    const event = this.encode(envelope);
    return event === envelope.event ? envelope : { v: envelope.v, streamId: envelope.streamId, seq: envelope.seq, ts: envelope.ts, event: event as CompactCheckpoint };
  }

  /** Some of `envelopes` may not have been written (a failed append): their streams are unknown until their next attempt. */
  lost(envelopes: readonly EventEnvelope[]): void {
    for (const e of envelopes) if (typeof e === 'object' && e !== null) this.forget(e.streamId);
  }

  /** Drops what was written of `streamId` (it is deleted, or ended). */
  forget(streamId: string): void {
    this.streams.delete(streamId);
    if (this.lastId === streamId) this.lastId = this.last = undefined;
  }

  private stateOf(streamId: string): Written {
    if (streamId === this.lastId) return this.last!;
    let s = this.streams.get(streamId);
    if (s === undefined) {
      if (this.streams.size >= MAX_STREAMS) this.forget(this.streams.keys().next().value!);
      // a stream met first after its seq 0 is not whole (its next is 0) until its next attempt begins
      this.streams.set(streamId, (s = { next: 0, whole: true, length: 0, tokens: 0 }));
    }
    this.lastId = streamId;
    return (this.last = s);
  }
}

/** A new attempt text of `length` characters (a resumed checkpoint's) begins at the envelope just encoded. */
function restart(s: Written, length: number): void {
  s.whole = true;
  s.length = length;
  s.tokens = 0;
}
