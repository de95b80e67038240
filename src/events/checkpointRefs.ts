/*
 * Compact checkpoints in durable event logs.
 *
 * A `checkpoint` event holds the whole text so far, so a log that wrote each one in full would hold
 * a long answer many times over (checkpoints every 10 tokens: about tokens / 20 copies, quadratic
 * in its length). When the recorder can tell, in O(1), that a checkpoint's content is a prefix of
 * the attempt text of the events it recorded before it, it marks the envelope; the JSONL and Redis
 * stores then write `{type: 'checkpoint', contentLength, tokenCount}` in place of the content, and
 * rebuild the content when they read, from the tokens logged before it, in O(delta) per envelope.
 * Envelopes are never changed: the memory store and stores of your own keep them whole.
 *
 * The proof is the attempt text's identity: `checkpointEvery` notes each checkpoint it emits with
 * the version of its attempt text (see AttemptText), and the recorder, following the version of the
 * events it records (`followVersion`), has the same one only when it saw the very same events since
 * the attempt began (versions are shared by instances that apply the same event to the same text,
 * never by comparing strings). An operator between the two that changes, adds or drops tokens
 * gives the recorder another version: the checkpoint is written whole. The proof ends where the
 * bytes are written: a store of your own between the recorder and the durable store may forward
 * only some envelopes, so the durable store writes a marked checkpoint compact only when it wrote
 * every envelope of its attempt itself (CheckpointEncoder).
 *
 * A compact checkpoint is part of log format version 1 (`v: 1`, EVENT_LOG_VERSION): every reader
 * of a durable log (the decoder below, so the stores' `read` and `follow`, and `replayEvents`)
 * rejects an envelope of another version with `INVALID_LOG` naming it, never reads it as version 1.
 * @internal
 */
import type { CheckpointEvent, L0Event } from './eventTypes.js';
import { EVENT_LOG_VERSION, type EventEnvelope } from './eventStore.js';
import { attemptTextChange } from '../attempt/attemptText.js';
import { EventLogError } from './EventLogError.js';
import { globalSlot } from '../internal/globalSlot.js';
import { readCutField } from '../internal/limitCut.js';

/** A checkpoint as a durable store writes it when the content is a prefix of the attempt's logged text. */
export interface CompactCheckpoint {
  readonly type: 'checkpoint';
  /** The content is the first `contentLength` UTF-16 code units of the attempt's text at this point of the log. */
  readonly contentLength: number;
  readonly tokenCount: number;
}

interface Shared {
  /** The checkpoint event `checkpointEvery` emitted last (anywhere), and the id of its attempt text then. */
  event: object | undefined;
  textId: number;
}
const KEY = /*#__PURE__*/ Symbol.for('l0-rx.eventLog.checkpointRefs.v1');
/** The mark on an envelope whose checkpoint content the recorder proved a prefix of the logged attempt text (non-enumerable: no user sees it). */
const PREFIX = /*#__PURE__*/ Symbol.for('l0-rx.eventLog.prefixCheckpoint.v1');
/** Shared through `globalThis`, as the attempt text's last change is, so the ESM and CJS copies agree. */
const REFS: Shared = /*#__PURE__*/ globalSlot(KEY, { event: undefined, textId: -1 });

/** `checkpointEvery`: `event` (about to be emitted) holds a prefix of the attempt text whose id is `textId`. */
export function noteCheckpoint(event: CheckpointEvent, textId: number): void {
  const r = REFS;
  r.event = event;
  r.textId = textId;
}

/**
 * The recorder: marks `envelope` when its `event` is a checkpoint `checkpointEvery` noted for the
 * text version `textId` (the recorder's own), so a durable store may write it compact.
 */
export function markIfPrefix(envelope: EventEnvelope, event: L0Event, textId: number): void {
  const r = REFS;
  // a hidden own property, not a WeakSet: a log of many checkpoints kept in memory would make every
  // major garbage collection walk a WeakSet entry per checkpoint (measured: 2-3% of the full stack)
  if (r.event === event && r.textId === textId) Object.defineProperty(envelope, PREFIX, { value: true });
}

/** True when the recorder marked `envelope` (see markIfPrefix); the store that writes it finishes the proof (CheckpointEncoder). */
export function isPrefixMarked(envelope: EventEnvelope): boolean {
  return (envelope as unknown as Record<symbol, unknown>)[PREFIX] === true;
}

/**
 * The check of every envelope a durable store reads, parsed from its JSON (so changed in place):
 * throws an `INVALID_LOG` {@link EventLogError} naming the version when it is not of log format
 * version 1 (a later format may store events differently, other compact forms, and a reader that
 * does not know it must not read it as this one); turns a budget's cut, stored as
 * `"limitCut": true` on its `complete` (asStored), back into the mark, and throws `INVALID_LOG`
 * for a `limitCut` of another value or on another event.
 */
export function checkLogFormat(envelope: EventEnvelope, streamId: string): void {
  const { v } = envelope as { v?: unknown };
  const invalid = (why: string) => new EventLogError('INVALID_LOG', streamId, `Stream ${streamId} is not a valid event log: the envelope at seq ${String(envelope.seq)} ${why}`);
  if (v !== EVENT_LOG_VERSION) throw invalid(`has log format version ${typeof v === 'number' ? String(v) : v === undefined ? 'none' : JSON.stringify(v)}, and this l0-rx reads version ${EVENT_LOG_VERSION}`);
  const problem = readCutField(envelope.event);
  if (problem !== undefined) throw invalid(`holds an invalid event (${problem})`);
}

/** True for an envelope read from a store whose checkpoint was written compact. */
export function isCompact(envelope: EventEnvelope): boolean {
  const event = envelope.event as unknown as Record<string, unknown> | null;
  return typeof event === 'object' && event !== null && event.type === 'checkpoint' && !('content' in event) && 'contentLength' in event;
}

/**
 * Rebuilds the compact checkpoints of one stream's envelopes, fed in `seq` order from its first
 * (`seq` 0). It keeps the attempt's text as the last rebuilt checkpoint (or resumed one) plus the
 * tokens since: a rebuilt content is that prefix and the tokens it reaches, O(delta), never a copy
 * of the whole text. A `seq` 0 begins a run (a log may hold two under one id); after a missing
 * `seq` (a trimmed head, a stream deleted while it was recorded) the text is unknown until the next
 * attempt begins, and a compact checkpoint then is `INVALID_LOG`, never a text rebuilt from part of it.
 */
export class CheckpointDecoder {
  /** A prefix of the attempt text known as one string. */
  private prefix = '';
  /** The token values after `prefix`, from `first`. */
  private pieces: string[] = [];
  private first = 0;
  /** The attempt text's length. */
  private length = 0;
  /** The `seq` that follows the last envelope fed, and whether every envelope since the attempt began was fed. */
  private next = 0;
  private whole = true;

  constructor(private readonly streamId: string) {}

  /**
   * The envelope with its checkpoint rebuilt (the same object otherwise).
   * @throws EventLogError `INVALID_LOG` for a compact checkpoint the log cannot account for, or an envelope of another log format version.
   */
  decode(envelope: EventEnvelope): EventEnvelope {
    checkLogFormat(envelope, this.streamId);
    const event = envelope.event as L0Event;
    if (envelope.seq === 0) this.restart('', envelope);
    else if (envelope.seq !== this.next) this.whole = false;
    this.next = envelope.seq + 1;
    if (typeof event !== 'object' || event === null) return envelope; // a damaged envelope: replayEvents names it
    switch (attemptTextChange(event)) {
      case 'token': {
        const { value } = event as { value: unknown };
        if (typeof value === 'string') {
          this.pieces.push(value);
          this.length += value.length;
        }
        return envelope;
      }
      case 'reset':
        return this.restart('', envelope);
      case 'resume': {
        const { checkpoint } = event as { checkpoint: unknown };
        return this.restart(typeof checkpoint === 'string' ? checkpoint : '', envelope);
      }
      default:
        if (!isCompact(envelope)) return envelope;
    }
    const { contentLength, tokenCount } = event as unknown as CompactCheckpoint;
    if (!this.whole) {
      throw new EventLogError('INVALID_LOG', this.streamId, `Stream ${this.streamId} is not a valid event log: the checkpoint at seq ${envelope.seq} is stored as a length into its attempt's text, and envelopes of that attempt are missing`);
    }
    if (!Number.isSafeInteger(contentLength) || contentLength < 0 || contentLength > this.length) {
      throw new EventLogError(
        'INVALID_LOG',
        this.streamId,
        `Stream ${this.streamId} is not a valid event log: the checkpoint at seq ${envelope.seq} refers to the first ${String(contentLength)} characters of an attempt text of ${this.length}`,
      );
    }
    const content = this.take(contentLength);
    return { v: envelope.v, streamId: envelope.streamId, seq: envelope.seq, ts: envelope.ts, event: { type: 'checkpoint', content, tokenCount } };
  }

  private restart(prefix: string, envelope: EventEnvelope): EventEnvelope {
    this.prefix = prefix;
    this.pieces = [];
    this.first = 0;
    this.length = prefix.length;
    this.whole = true;
    return envelope;
  }

  /** The attempt text's first `n` characters; it becomes the known prefix when it extends it. */
  private take(n: number): string {
    const { prefix, pieces } = this;
    if (n <= prefix.length) return n === prefix.length ? prefix : prefix.slice(0, n); // (checkpoints only grow: not met in a recorded log)
    let need = n - prefix.length;
    let added = '';
    let i = this.first;
    while (need > 0) {
      const piece = pieces[i]!;
      if (piece.length <= need) {
        added += piece;
        need -= piece.length;
        i++;
      } else {
        added += piece.slice(0, need); // the half of an emoji a checkpoint leaves out
        pieces[i] = piece.slice(need);
        need = 0;
      }
    }
    this.prefix = prefix + added;
    // the consumed pieces go; the array is compacted when they are most of it (O(1) amortised)
    this.first = i;
    if (i > 32 && i * 2 > pieces.length) {
      this.pieces = pieces.slice(i);
      this.first = 0;
    }
    return this.prefix;
  }
}
