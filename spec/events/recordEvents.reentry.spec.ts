/** @test {recordEvents} Events that arrive while one is being logged or passed on (a synchronous follower or the consumer feeding the source). */
import { Subject, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, recordEvents, type EventEnvelope, type EventStore, type L0Event, type RecordedInfo } from 'l0-rx';

const tok = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
const isToken = (e: EventEnvelope | L0Event, value: string) => {
  const event = 'event' in e ? e.event : e;
  return event.type === 'token' && event.value === value;
};

/** A memory store, a source and a recording of it to stream `r`; `react` runs for each envelope the store delivers to its follower, inside append. */
function setup(react: (e: EventEnvelope, source: Subject<L0Event>) => void = () => undefined) {
  const store = createMemoryEventStore();
  const source = new Subject<L0Event>();
  const followed: number[] = [];
  store.follow!('r').subscribe((e) => {
    followed.push(e.seq);
    react(e, source);
  });
  const infos: RecordedInfo[] = [];
  const recorded = source.pipe(recordEvents(store, { streamId: 'r', onRecorded: (info) => infos.push(info) }));
  const logged = () => (store.read('r') as EventEnvelope[]).map((e) => e.event);
  return { store, source, recorded, followed, infos, logged };
}

/** The terminal envelope of a run left before its end. */
const ABORTED = { type: 'error', error: expect.objectContaining({ name: 'StreamAbortedError', code: 'STREAM_ABORTED' }) };

describe('recordEvents with re-entrant events', () => {
  it('should log and pass on, in arrival order, events a follower feeds from inside append, however deep', () => {
    const { source, recorded, followed, logged } = setup((e, s) => {
      if (isToken(e, 'a')) s.next(tok('b'));
      if (isToken(e, 'b')) s.next(tok('c'));
    });
    const live: L0Event[] = [];
    recorded.subscribe((e) => live.push(e));
    source.next(tok('a'));
    source.next(complete);
    expect(logged()).toEqual([tok('a'), tok('b'), tok('c'), complete]);
    expect(live).toEqual(logged());
    expect(followed).toEqual([0, 1, 2, 3]);
  });

  it('should pass an event the consumer feeds from inside its next after that next returns, logged in the same order', () => {
    const { source, recorded, logged } = setup();
    const calls: string[] = [];
    recorded.subscribe((e) => {
      const value = e.type === 'token' ? e.value : e.type;
      calls.push(`enter ${value}`);
      if (value === 'a') source.next(tok('b'));
      calls.push(`leave ${value}`);
    });
    source.next(tok('a'));
    expect(calls).toEqual(['enter a', 'leave a', 'enter b', 'leave b']);
    expect(logged()).toEqual([tok('a'), tok('b')]);
  });

  it('should complete after the events that arrived before the completion inside append, with every one logged once', () => {
    const { source, recorded, infos, logged } = setup((e, s) => {
      if (isToken(e, 'a')) {
        s.next(tok('b'));
        s.complete();
      }
    });
    const seen: string[] = [];
    recorded.subscribe({ next: (e) => seen.push(e.type === 'token' ? e.value : e.type), complete: () => seen.push('|') });
    source.next(tok('a'));
    expect(seen).toEqual(['a', 'b', '|']);
    expect(logged()).toEqual([tok('a'), tok('b')]);
    expect(infos).toEqual([{ streamId: 'r', run: expect.any(String), count: 2, error: undefined }]);
  });

  it('should record and pass on an error that arrived inside append after the event being appended', () => {
    const { source, recorded, infos, logged } = setup((e, s) => {
      if (isToken(e, 'a')) s.error(new Error('boom'));
    });
    const seen: string[] = [];
    recorded.subscribe({ next: (e) => seen.push(e.type), error: (e: Error) => seen.push(`# ${e.message}`) });
    source.next(tok('a'));
    expect(seen).toEqual(['token', '# boom']);
    expect(logged()).toMatchObject([tok('a'), { type: 'error', error: { message: 'boom' } }]);
    expect(infos).toMatchObject([{ count: 2, error: undefined }]);
  });

  it('should neither log nor pass on a waiting event once the consumer has left, and count the append it left in', () => {
    const { source, recorded, infos, logged } = setup((e, s) => {
      if (isToken(e, 'a')) s.next(tok('b'));
    });
    const live: L0Event[] = [];
    recorded.pipe(take(1)).subscribe((e) => live.push(e));
    source.next(tok('a'));
    expect([live, logged()]).toEqual([[tok('a')], [tok('a'), ABORTED]]);
    expect(infos).toEqual([{ streamId: 'r', run: expect.any(String), count: 2, error: undefined }]);
    expect(source.observed).toBe(false);
  });

  it('should call onRecorded once, after the append is counted, when a follower unsubscribes the recording inside append', () => {
    let leave = (): void => undefined;
    const { source, recorded, infos, logged } = setup((e, s) => {
      if (isToken(e, 'a')) {
        s.next(tok('b'));
        leave();
      }
    });
    const live: L0Event[] = [];
    const subscription = recorded.subscribe((e) => live.push(e));
    leave = () => subscription.unsubscribe();
    source.next(tok('a'));
    expect([live, logged()]).toEqual([[], [tok('a'), ABORTED]]); // it left before `a` was passed on; the log holds what was appended, then the abort
    expect(infos).toEqual([{ streamId: 'r', run: expect.any(String), count: 2, error: undefined }]);
  });

  it('should end the log with the source\'s error that arrived inside append when the consumer then leaves, so a follower ends', () => {
    let leave = (): void => undefined;
    const { store, source, recorded, infos, logged } = setup((e, s) => {
      if (isToken(e, 'a')) {
        s.error(new Error('boom'));
        leave();
      }
    });
    const subscription = recorded.subscribe({ error: () => undefined });
    leave = () => subscription.unsubscribe();
    source.next(tok('a'));
    expect(logged()).toMatchObject([tok('a'), { type: 'error', error: { message: 'boom' } }]);
    const ended: string[] = [];
    store.follow!('r').subscribe({ complete: () => ended.push('|') });
    expect(ended).toEqual(['|']);
    expect(infos).toEqual([{ streamId: 'r', run: expect.any(String), count: 2, error: undefined }]);
  });

  it('should keep the live order and the log order for a store whose append itself feeds the source', () => {
    const inner = createMemoryEventStore();
    const source = new Subject<L0Event>();
    const store: EventStore = {
      ...inner,
      append: (envelopes) => {
        inner.append(envelopes);
        if (envelopes.some((e) => isToken(e, 'a'))) source.next(tok('b'));
      },
    };
    const live: L0Event[] = [];
    source.pipe(recordEvents(store, { streamId: 'r' })).subscribe((e) => live.push(e));
    source.next(tok('a'));
    expect(live).toEqual([tok('a'), tok('b')]);
    expect((inner.read('r') as EventEnvelope[]).map((e) => [e.seq, e.event])).toEqual([[0, tok('a')], [1, tok('b')]]);
  });
});
