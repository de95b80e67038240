import { Observable } from 'rxjs';
import { checkFromSeq, EVENT_LOG_VERSION, inRange, isTerminalEnvelope, type EventEnvelope, type EventStore, type RecordedEvent, type SeqRange } from '../events/eventStore.js';
import { EventLogError } from '../events/EventLogError.js';
import { runOf, runRefusal } from '../events/runTag.js';
import { checkEnvelopes, checkRange, checkStreamId } from './storeInputs.js';

/**
 * An {@link EventStore} in memory, answering synchronously: for tests, for replays under a
 * TestScheduler, and for one process that needs no durability. Events are kept as given
 * (immutable plain data), the envelopes' other fields column by column; `read` returns fresh
 * envelopes in a fresh array (a run's first envelope, which holds its tag, and an envelope of
 * another log format version are kept, and given, whole).
 *
 *   --s-a---b-x|     recordEvents(store)      (s start, x complete)
 *   (sabx|)          replayEvents(store, id)
 *   ----(sa)b-(x|)   store.follow(id), subscribed at frame 4: what was recorded, then live to the end
 *
 * `follow` delivers synchronously inside `append`; an `append` made by a follower (or by a
 * recorder whose source a follower feeds) is delivered after the envelopes being delivered, so
 * every follower sees each stream in `seq` order. Deleting a followed stream errors its
 * followers with an `EventLogError` `STREAM_NOT_FOUND`.
 *
 * A log belongs to the run whose `seq` 0 made it (its run tag, `run`, kept once per log) until
 * it is deleted: `append` throws an `EventLogError` `RUN_MISMATCH` for an envelope of another run
 * (after appending, and delivering, the envelopes before it): a `seq` above 0 whose stream has no
 * log (deleted) or another run's, and a `seq` 0 whose stream has a log. So a run still recording
 * after its stream was deleted and recorded again writes nothing into the new run's log.
 * Envelopes without a run tag are appended as given.
 *
 * `append` throws a TypeError naming the envelope and its field, appending nothing of the batch,
 * for an envelope that is no object or has no string `streamId`, integer `seq` >= 0 or `event`
 * object, as the JSONL and Redis stores reject it; `read`, `has`, `follow` and `delete` throw one for a
 * `streamId` that is not a string, and `read` for a range bound that is not an integer or ±Infinity.
 *
 * A log recorded as `seq` 0, 1, 2... (as `recordEvents` writes it) is found by `seq` at once: a
 * `follow` or `read` from `seq` n costs what it gives, not the whole log before n.
 *
 * @example
 * import { lastValueFrom } from 'rxjs';
 * import { accumulate, createMemoryEventStore, l0, replayEvents } from 'l0-rx';
 * const store = createMemoryEventStore();
 * await lastValueFrom(l0({ stream, record: { store, streamId: 'run-1' } }));
 * replayEvents(store, 'run-1').pipe(accumulate()).subscribe((s) => console.log(s.content));
 * @returns A new, empty store.
 */
export function createMemoryEventStore(): EventStore {
  const logs = new Map<string, Log>();
  // each stream's followers, copied on change, so a delivery walks the array it started with
  const followers = new Map<string, readonly Follower[]>();
  // envelopes for the followers (and the log each went to), `queuedCount` of them: only the outermost
  // append serves them; the arrays are reused (emptying one with `length = 0` frees its storage)
  const queued: (EventEnvelope | undefined)[] = [];
  const queuedLogs: (Log | undefined)[] = [];
  let queuedCount = 0;
  let serving = false;
  return {
    append(envelopes) {
      checkEnvelopes(NAME, envelopes); // a bad batch appends nothing
      try {
        for (const envelope of envelopes) {
          const run = runOf(envelope);
          let log = logs.get(envelope.streamId);
          // a run's envelope goes only into the log its seq 0 made (see above); a refused one ends the batch
          const refused = run === undefined ? undefined : runRefusal(envelope.streamId, envelope.seq, run, log && (log.run ?? ''));
          if (refused) throw refused;
          if (!log) logs.set(envelope.streamId, (log = new Log(envelope.streamId, run)));
          log.push(envelope);
          if (followers.has(envelope.streamId)) {
            queued[queuedCount] = envelope;
            queuedLogs[queuedCount++] = log;
          }
        }
      } finally {
        // what was appended before a refused envelope is delivered too; while serving: appended by a
        // follower, served after the envelopes being served, in order
        if (!serving && queuedCount > 0) {
          serving = true;
          try {
            for (let i = 0; i < queuedCount; i++) {
              const envelope = queued[i]!;
              const log = queuedLogs[i];
              queued[i] = queuedLogs[i] = undefined;
              const live = followers.get(envelope.streamId);
              // not for a stream deleted meanwhile; a follower added meanwhile has read the log itself
              if (live && logs.get(envelope.streamId) === log) for (let j = 0; j < live.length; j++) live[j]!.next(envelope);
            }
          } finally {
            serving = false;
            queuedCount = 0;
          }
        }
      }
    },
    follow(streamId: string, fromSeq?: number) {
      checkStreamId(NAME, 'follow', streamId);
      const from = checkFromSeq(NAME, fromSeq);
      return new Observable<EventEnvelope>((subscriber) => {
        let next = from;
        const follower: Follower = {
          next(envelope) {
            // (a closed subscriber ignores both calls)
            if (envelope.seq >= next) {
              next = envelope.seq + 1;
              subscriber.next(envelope);
            } else if (envelope.seq >= from) return;
            // its terminal envelope, or one before fromSeq (live, or the backlog's last): nothing more can come
            if (isTerminalEnvelope(envelope)) subscriber.complete();
          },
          deleted: () => subscriber.error(new EventLogError('STREAM_NOT_FOUND', streamId, `the followed stream ${JSON.stringify(streamId)} was deleted`)),
        };
        const log = logs.get(streamId);
        // what was recorded from fromSeq, and its last envelope: a finished run followed from past its end completes at once
        const end = log?.events.length ?? 0;
        // (a dense log is entered at fromSeq, or at its last envelope when fromSeq is past it)
        for (let i = log ? Math.max(0, Math.min(log.first(from), end - 1)) : 0; i < end && !subscriber.closed; i++) if (log!.seqs[i]! >= from || i === end - 1) follower.next(log!.envelope(i));
        if (subscriber.closed) return undefined;
        followers.set(streamId, [...(followers.get(streamId) ?? []), follower]);
        return () => {
          const live = followers.get(streamId);
          if (!live?.includes(follower)) return;
          if (live.length === 1) followers.delete(streamId);
          else followers.set(streamId, live.filter((f) => f !== follower));
        };
      });
    },
    read(streamId: string, range?: SeqRange) {
      checkStreamId(NAME, 'read', streamId);
      checkRange(NAME, range);
      const log = logs.get(streamId);
      const out: EventEnvelope[] = [];
      const end = log ? log.end(range?.toSeq) : 0;
      for (let i = log ? log.first(range?.fromSeq) : 0; i < end; i++) if (range === undefined || inRange(log!.seqs[i]!, range)) out.push(log!.envelope(i));
      return out;
    },
    streams: () => [...logs.keys()],
    has(streamId: string) {
      checkStreamId(NAME, 'has', streamId);
      return logs.has(streamId);
    },
    delete(streamId: string) {
      checkStreamId(NAME, 'delete', streamId);
      logs.delete(streamId);
      const live = followers.get(streamId);
      followers.delete(streamId);
      if (live) for (const follower of live) follower.deleted();
    },
  };
}

/** How the store names itself in its TypeErrors. */
const NAME = 'createMemoryEventStore()';

interface Follower {
  next(envelope: EventEnvelope): void;
  deleted(): void;
}

/**
 * One stream's log, column by column. An envelope object and its boxed `ts` kept per event for as
 * long as the log lives cost about 70 bytes each and, measured, about 0.6 us per recorded token in
 * garbage collection at 100,000 tokens; numbers in arrays are stored unboxed.
 */
class Log {
  readonly seqs: number[] = [];
  readonly times: number[] = [];
  readonly events: RecordedEvent[] = [];
  /** Envelopes kept whole, by index: of another schema version (so a replay can reject them), and a run's first (its tag). */
  private odd: Map<number, EventEnvelope> | undefined;
  /** Whether every envelope's `seq` is its index (0, 1, 2...: a recorded run): then `seq` n is found at index n. */
  private dense = true;

  /** @param run The run tag of the envelope that made the log (its seq 0), if it had one: the log's run. */
  constructor(
    private readonly streamId: string,
    readonly run: string | undefined,
  ) {}

  push(envelope: EventEnvelope): void {
    if (envelope.v !== EVENT_LOG_VERSION || (this.run !== undefined && this.events.length === 0)) (this.odd ??= new Map()).set(this.events.length, envelope);
    if (envelope.seq !== this.seqs.length) this.dense = false;
    this.seqs.push(envelope.seq);
    this.times.push(envelope.ts);
    this.events.push(envelope.event);
  }

  /** The first index whose `seq` can be `fromSeq` or more: `fromSeq` itself in a dense log (at most the length), else 0 (the log is scanned). */
  first(fromSeq = 0): number {
    return this.dense ? Math.min(Math.max(fromSeq, 0), this.seqs.length) : 0;
  }

  /** The index after the last whose `seq` can be `toSeq` or less: `toSeq + 1` in a dense log (at least 0, at most the length), else the length. */
  end(toSeq = Number.POSITIVE_INFINITY): number {
    return this.dense ? Math.max(Math.min(toSeq + 1, this.seqs.length), 0) : this.seqs.length;
  }

  envelope(i: number): EventEnvelope {
    return this.odd?.get(i) ?? { v: EVENT_LOG_VERSION, streamId: this.streamId, seq: this.seqs[i]!, ts: this.times[i]!, event: this.events[i]! };
  }
}
