/** @test {replayEvents} @test {recordEvents}: damaged logs and followers that feed the source. */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, isEventLogError, recordEvents, replayEvents, type EventEnvelope, type EventStore, type L0Event } from 'l0-rx';

const tok = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
const env = (seq: number, event: unknown): EventEnvelope => ({ v: 1, streamId: 's', seq, ts: seq, event }) as EventEnvelope;

/**
 * The error a synchronous replay ends with (undefined when it completes), and what it emitted first.
 * `asGiven`: envelopes the memory store refuses (a TypeError), read as given, as a store of your own,
 * or a JSONL file edited by hand, can hold them.
 */
function replayOf(envelopes: EventEnvelope[], config?: Parameters<typeof replayEvents>[2], asGiven = false) {
  const store: EventStore = asGiven ? { append: () => undefined, read: () => envelopes, streams: () => ['s'], delete: () => undefined } : createMemoryEventStore();
  if (!asGiven) store.append(envelopes);
  const events: L0Event[] = [];
  let error: unknown;
  replayEvents(store, 's', config).subscribe({ next: (e) => events.push(e), error: (e) => (error = e) });
  return { events, error };
}

describe('replayEvents: a damaged log', () => {
  it('should error with INVALID_LOG for a log with a missing seq (a lost event), not replay the rest as if whole', () => {
    // seq 1 (" World") is gone: the replay reads "Hello!" as a complete, successful answer
    const { events, error } = replayOf([env(0, tok('Hello')), env(2, tok('!')), env(3, complete)]);
    expect(isEventLogError(error) && (error as { code: string }).code).toBe('INVALID_LOG');
    expect(events).toEqual([]);
  });

  it('should error with INVALID_LOG for a log whose head is missing (trimmed or expired), not start mid-run', () => {
    const { events, error } = replayOf([env(3, tok('c')), env(4, tok('d')), env(5, complete)]);
    expect(isEventLogError(error) && (error as { code: string }).code).toBe('INVALID_LOG');
    expect(events).toEqual([]);
  });

  it('should error with INVALID_LOG when a ranged replay does not start at fromSeq', () => {
    const { error } = replayOf([env(0, tok('a')), env(4, tok('e')), env(5, complete)], { fromSeq: 1 });
    expect(isEventLogError(error) && (error as { code: string }).code).toBe('INVALID_LOG');
  });

  it('should error with INVALID_LOG (not a raw TypeError) for an envelope without an event', () => {
    const { error } = replayOf([env(0, tok('a')), { v: 1, streamId: 's', seq: 1, ts: 1 } as EventEnvelope, env(2, complete)], {}, true);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(isEventLogError(error) && (error as { code: string }).code).toBe('INVALID_LOG');
  });

  it('should error with INVALID_LOG (not a raw TypeError) for a recorded error envelope without its error', () => {
    const { error } = replayOf([env(0, tok('a')), env(1, { type: 'error' })]);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(isEventLogError(error) && (error as { code: string }).code).toBe('INVALID_LOG');
  });

  it('should error with INVALID_LOG for a seq that is not an integer', () => {
    const { error } = replayOf([env(0, tok('a')), { ...env(1, tok('b')), seq: '1' } as unknown as EventEnvelope, env(2, complete)], {}, true);
    expect(isEventLogError(error) && (error as { code: string }).code).toBe('INVALID_LOG');
  });
});

describe('recordEvents: the live order is the log order', () => {
  it('should pass events on in the order it logs them when a synchronous follower feeds the source from inside append', () => {
    // the memory store delivers follow() synchronously inside append (documented); a follower that
    // reacts to an event by feeding the same source (a tool loop) is re-entered before out.next(a)
    const store = createMemoryEventStore();
    const source = new Subject<L0Event>();
    store.follow!('r').subscribe((e) => {
      if (e.event.type === 'token' && e.event.value === 'a') source.next(tok('b'));
    });
    const live: L0Event[] = [];
    source.pipe(recordEvents(store, { streamId: 'r' })).subscribe((e) => live.push(e));
    source.next(tok('a'));
    source.next(complete);
    const logged = (store.read('r') as EventEnvelope[]).map((e) => e.event);
    expect(logged).toEqual([tok('a'), tok('b'), complete]);
    expect(live).toEqual(logged); // live is [b, a, complete]
  });
});
