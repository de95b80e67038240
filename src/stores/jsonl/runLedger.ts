/* What one JSONL store knows of the runs it writes: the file itself is never read to append. @internal */
import { isTerminalEnvelope, type EventEnvelope } from '../../events/eventStore.js';
import { runOf, runRefusal } from '../../events/runTag.js';

/** Stream ids whose run ended that a ledger remembers at most (the oldest is forgotten first). */
const MAX_ENDED = 10_000;

/** The envelopes of an append that may be written, and why the next one may not (none: all may). */
export interface Admission {
  readonly admitted: readonly EventEnvelope[];
  readonly refused: Error | undefined;
}

/**
 * The runs of one JSONL store, kept as it appends: a file many writers append to cannot be
 * asked, atomically, whose log a stream holds, so the store answers from what went through it.
 *
 * 1. A run's `seq` 0 opens its stream for that run, unless the stream is open for another run or
 *    its run ended here and it was not deleted since (a log holds one run).
 * 2. A run's later envelopes are admitted only while their stream is open for that run: a run
 *    whose stream was deleted, or taken by a new run, is refused (`RUN_MISMATCH`), as is one whose
 *    `seq` 0 this store did not write.
 * 3. A run's terminal envelope closes its stream (the stream id is remembered as ended, the last
 *    {@link MAX_ENDED} of them); `delete` forgets the stream, so a new run may open it.
 * 4. A run whose append failed after its `seq` 0 was written (a full disk, an event that cannot
 *    be serialised) is closed as if it had ended there: its recorder writes nothing more (it stops
 *    at the first failure), so it would otherwise stay open, one entry per failed run for as long as
 *    the store lives. Its log is a prefix of that run, so the stream is still its until it is
 *    deleted or forgotten among the last {@link MAX_ENDED}; a run whose `seq` 0 was not written
 *    opened nothing and is forgotten.
 * 5. An envelope without a run tag is admitted as it is and changes nothing.
 *
 * O(1) per envelope: two map lookups. The ledger holds the runs recording through the store and at
 * most {@link MAX_ENDED} others.
 */
export class RunLedger {
  /** The run recording each stream, by stream id. */
  private readonly open = new Map<string, string>();
  /** Stream ids whose run ended here, and that run, oldest first. */
  private readonly ended = new Map<string, string>();

  /** Admits the envelopes of an append from the first, up to the first one refused (the state follows the admitted ones). */
  admit(envelopes: readonly EventEnvelope[]): Admission {
    for (let i = 0; i < envelopes.length; i++) {
      let refused: Error | undefined;
      try {
        refused = this.take(envelopes[i]!);
      } catch (e) {
        refused = e as Error; // a malformed run tag
      }
      if (refused !== undefined) return { admitted: i === 0 ? [] : envelopes.slice(0, i), refused };
    }
    return { admitted: envelopes, refused: undefined };
  }

  /**
   * The appended `envelopes` were not written: a run whose `seq` 0 was among them opened nothing;
   * a run whose later envelopes were lost ends there (see 4).
   */
  lost(envelopes: readonly EventEnvelope[]): void {
    for (const e of envelopes) {
      if (e.run === undefined) continue;
      if (e.seq === 0) {
        if (this.open.get(e.streamId) === e.run) this.open.delete(e.streamId);
        if (this.ended.get(e.streamId) === e.run) this.ended.delete(e.streamId);
      } else if (this.open.get(e.streamId) === e.run) this.close(e.streamId, e.run);
    }
  }

  /** The stream is deleted: a new run may open it; the runs that wrote it are refused. */
  forget(streamId: string): void {
    this.open.delete(streamId);
    this.ended.delete(streamId);
  }

  /** Takes one envelope into the state, or returns its refusal. */
  private take(envelope: EventEnvelope): Error | undefined {
    const run = runOf(envelope);
    if (run === undefined) return undefined;
    const { streamId, seq } = envelope;
    // the log's run, recording or ended (its envelopes after its terminal one, an error after its `complete`, are still its own)
    const owner = this.open.get(streamId) ?? this.ended.get(streamId);
    const refused = runRefusal(streamId, seq, run, owner);
    if (refused) return refused;
    if (seq === 0) this.open.set(streamId, run);
    if (typeof envelope.event === 'object' && envelope.event !== null && isTerminalEnvelope(envelope)) this.close(streamId, run);
    return undefined;
  }

  /** The run of `streamId` ended (or failed): remembered among the last {@link MAX_ENDED} ended runs. */
  private close(streamId: string, run: string): void {
    this.open.delete(streamId);
    this.ended.delete(streamId); // (re-inserted: the newest)
    if (this.ended.size >= MAX_ENDED) this.ended.delete(this.ended.keys().next().value!);
    this.ended.set(streamId, run);
  }
}
