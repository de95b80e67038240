/** @test {createSseReplayBuffer} */
import { NEVER, of, Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createSseReplayBuffer, L0Error, type L0Event, type SequencedEvent } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const events: Record<string, L0Event> = { a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d') };
/** A run the buffer tagged itself: 64 random bits, as two 32-bit numbers. */
const RANDOM_TAG = /^\d{1,10}\.\d{1,10}$/;
/** `run`: the tag, or by default any random one (an asymmetric matcher, which vitest's equality takes for a string). */
const seqd = (entries: Record<string, [number, string]>, run: string = expect.stringMatching(RANDOM_TAG) as string): Record<string, SequencedEvent> =>
  Object.fromEntries(Object.entries(entries).map(([k, [seq, v]]) => [k, { seq, event: tok(v), run }]));
const notFound = (id: string) => new L0Error(`no stream ${JSON.stringify(id)} to resume (unknown, finished long ago, or aborted)`, { code: 'STREAM_NOT_FOUND', category: 'bad-request', retryable: false });

describe('createSseReplayBuffer', () => {
  it('should replay every event of a stream, numbered from 1, from afterSeq 0', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const buffer = createSseReplayBuffer({ scheduler });
      buffer.add('s', cold('-a-b|', events));
      expectObservable(buffer.replay('s', 0)).toBe('-1-2|', seqd({ 1: [1, 'a'], 2: [2, 'b'] }));
    });
  });

  it('should give a late reconnect the buffered events after its id, then the live ones, from one upstream subscription', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const buffer = createSseReplayBuffer({ scheduler });
      const source = cold('-a-b-c-d|', events);
      buffer.add('s', source);
      expectObservable(buffer.replay('s', 0), '^--!').toBe('-1-', seqd({ 1: [1, 'a'] }));
      expectObservable(buffer.replay('s', 1), '----^').toBe('----23-4|', seqd({ 2: [2, 'b'], 3: [3, 'c'], 4: [4, 'd'] }));
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('should error with STREAM_NOT_FOUND for a stream it never had', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(createSseReplayBuffer({ scheduler }).replay('nope', 0)).toBe('#', undefined, notFound('nope'));
    });
  });

  it('should error with RESUME_GAP rather than skip events it no longer holds', () => {
    const buffer = createSseReplayBuffer({ maxEvents: 2 });
    buffer.add('s', of(tok('a'), tok('b'), tok('c')));
    buffer.replay('s', 0).subscribe(); // runs it: only b and c are kept
    let error: unknown;
    buffer.replay('s', 0).subscribe({ error: (e) => (error = e) });
    expect((error as L0Error).code).toBe('RESUME_GAP');
  });

  describe('a resume across checkpoints (numbered, never sent: toServerSentEvents rule 6)', () => {
    const k: L0Event = { type: 'checkpoint', content: 'a', tokenCount: 1 };
    /** Every run of up to `n` tokens and checkpoints, with the seqs a client is sent (a checkpoint is not). */
    function* everyRun(n: number): Generator<{ run: L0Event[]; sent: number[] }> {
      for (let length = 0; length <= n; length++) {
        for (let mask = 0; mask < 1 << length; mask++) {
          const run = Array.from({ length }, (_, i): L0Event => ((mask >> i) & 1 ? k : tok(`${i}`)));
          yield { run, sent: run.flatMap((e, i) => (e.type === 'checkpoint' ? [] : [i + 1])) };
        }
      }
    }
    /** The run a, k, b, c, d (seq 1 to 5), run to its end in a buffer of `maxEvents`, then resumed after `afterSeq`: what the replay gives. */
    const resumed = (maxEvents: number, afterSeq: number) => {
      const buffer = createSseReplayBuffer({ maxEvents });
      buffer.add('s', of(tok('a'), k, tok('b'), tok('c'), tok('d')), { run: 'r' });
      buffer.replay('s', 0).subscribe();
      const got: { seqs: number[]; error?: string; complete?: true } = { seqs: [] };
      buffer.replay('s', afterSeq).subscribe({ next: (e) => got.seqs.push(e.seq), error: (e: L0Error) => (got.error = e.code), complete: () => (got.complete = true) });
      return got;
    };

    it('should resume a client whose next events are all kept, when only checkpoints were dropped after its id (before: a false RESUME_GAP)', () => {
      expect(resumed(3, 1)).toEqual({ seqs: [3, 4, 5], complete: true });
    });

    it('should still error with RESUME_GAP when an event the client needs was dropped, and count maxEvents in events sent', () => {
      expect(resumed(2, 1)).toEqual({ seqs: [], error: 'RESUME_GAP' }); // b (3) dropped
      expect(resumed(2, 3)).toEqual({ seqs: [4, 5], complete: true });
      expect(resumed(1, 4)).toEqual({ seqs: [5], complete: true });
      expect(resumed(1, 3)).toEqual({ seqs: [], error: 'RESUME_GAP' }); // c (4) dropped
    });

    it('should keep no checkpoint (each holds the whole text so far), so a replay from the start gives the events sent', () => {
      expect(resumed(10, 0)).toEqual({ seqs: [1, 3, 4, 5], complete: true });
    });

    it('should error with RESUME_GAP exactly when an event after the client\'s was dropped, for every run of up to 6 tokens and checkpoints, maxEvents and afterSeq', () => {
      const failed: string[] = [];
      for (const { run, sent } of everyRun(6)) {
        for (let maxEvents = 1; maxEvents <= 3; maxEvents++) {
          const dropped = sent.slice(0, Math.max(0, sent.length - maxEvents));
          for (let afterSeq = 0; afterSeq <= (sent.at(-1) ?? 0); afterSeq++) {
            const buffer = createSseReplayBuffer({ maxEvents });
            buffer.add('s', of(...run));
            buffer.replay('s', 0).subscribe();
            const got: { seqs: number[]; error?: string } = { seqs: [] };
            buffer.replay('s', afterSeq).subscribe({ next: (e) => got.seqs.push(e.seq), error: (e: L0Error) => (got.error = e.code) });
            const expected = dropped.some((seq) => seq > afterSeq) ? { seqs: [], error: 'RESUME_GAP' } : { seqs: sent.filter((seq) => seq > afterSeq) };
            if (JSON.stringify(got) !== JSON.stringify(expected)) failed.push(`${run.map((e) => e.type[0]).join('')} maxEvents ${maxEvents} after ${afterSeq}: ${JSON.stringify(got)}`);
          }
        }
      }
      expect(failed).toEqual([]);
    });

    it('should give a client that arrives mid-run every event after its id, live ones included, or RESUME_GAP exactly when one it needs was dropped by then, whether another client holds the run, left it within keepAliveMs, or none came before', () => {
      const failed: string[] = [];
      for (const { run, sent } of everyRun(5)) {
        for (const before of ['stays', 'left', 'none'] as const) {
          for (let maxEvents = 1; maxEvents <= 3; maxEvents++) {
            for (let at = 0; at <= (before === 'none' ? 0 : run.length); at++) {
              for (let afterSeq = 0; afterSeq <= run.length; afterSeq++) {
                const source = new Subject<L0Event>();
                const buffer = createSseReplayBuffer({ maxEvents, keepAliveMs: 1000, scheduler: testScheduler() }); // (never flushed: the run is kept alive)
                buffer.add('s', source);
                if (before !== 'none') {
                  const first = buffer.replay('s', 0).subscribe();
                  if (before === 'left') first.unsubscribe();
                }
                run.slice(0, at).forEach((e) => source.next(e));
                const got: { seqs: number[]; error?: string; complete?: true } = { seqs: [] };
                buffer.replay('s', afterSeq).subscribe({ next: (e) => got.seqs.push(e.seq), error: (e: L0Error) => (got.error = e.code), complete: () => (got.complete = true) });
                run.slice(at).forEach((e) => source.next(e));
                source.complete();
                /** What the buffer had dropped when the client came: all but the newest maxEvents events sent by then. */
                const dropped = sent.filter((seq) => seq <= at).slice(0, -maxEvents);
                const expected = dropped.some((seq) => seq > afterSeq) ? { seqs: [], error: 'RESUME_GAP' }
                  : afterSeq > (sent.at(-1) ?? 0) ? { seqs: [], error: 'STREAM_NOT_FOUND' } // (a trailing checkpoint's seq is no id a client was sent)
                  : { seqs: sent.filter((seq) => seq > afterSeq), complete: true };
                if (JSON.stringify(got) !== JSON.stringify(expected)) failed.push(`${run.map((e) => e.type[0]).join('')} ${before} maxEvents ${maxEvents} at ${at} after ${afterSeq}: ${JSON.stringify(got)}`);
              }
            }
          }
        }
      }
      expect(failed).toEqual([]);
    });
  });

  it('should replay a finished run, its terminal error included', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const buffer = createSseReplayBuffer({ scheduler });
      buffer.add('s', cold('a#', events, new Error('boom')));
      buffer.replay('s', 0).subscribe({ error: () => undefined });
      expectObservable(buffer.replay('s', 1), '---^').toBe('---#', undefined, new Error('boom'));
    });
  });

  it('should keep the run going for keepAliveMs after the last client left, then abort it and forget the stream', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const buffer = createSseReplayBuffer({ keepAliveMs: 3, scheduler });
      const source = cold<L0Event>('-');
      buffer.add('s', source);
      expectObservable(buffer.replay('s', 0), '^-!').toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^----!');
      scheduler.schedule(() => expect(buffer.has('s')).toBe(false), 6);
    });
  });

  it('should abort the run as soon as the last client leaves with keepAliveMs: 0', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const buffer = createSseReplayBuffer({ keepAliveMs: 0, scheduler });
      const source = cold<L0Event>('-');
      buffer.add('s', source);
      expectObservable(buffer.replay('s', 0), '^-!').toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('should forget the oldest stream beyond maxStreams', () => {
    const buffer = createSseReplayBuffer({ maxStreams: 2 });
    const run: Observable<L0Event> = NEVER;
    buffer.add('a', run);
    buffer.add('b', run);
    buffer.add('c', run);
    expect(['a', 'b', 'c'].map((id) => buffer.has(id))).toEqual([false, true, true]);
  });

  describe('beyond maxStreams', () => {
    it('should forget a finished run before a live one, even a newer finished one', () => {
      const buffer = createSseReplayBuffer({ maxStreams: 2 });
      const live = new Subject<L0Event>();
      buffer.add('live', live);
      buffer.add('done', of(tok('a')));
      const client = buffer.replay('live', 0).subscribe();
      buffer.replay('done', 0).subscribe(); // runs to its end
      buffer.add('new', NEVER);
      expect(['live', 'done', 'new'].map((id) => buffer.has(id))).toEqual([true, false, true]);
      live.next(tok('x'));
      expect(live.observed).toBe(true); // still streaming to its client
      client.unsubscribe();
    });

    it('should forget the oldest finished run first', () => {
      const buffer = createSseReplayBuffer({ maxStreams: 3 });
      buffer.add('live', NEVER);
      for (const id of ['done-1', 'done-2']) {
        buffer.add(id, of(tok(id)));
        buffer.replay(id, 0).subscribe();
      }
      buffer.replay('live', 0).subscribe();
      buffer.add('new', NEVER);
      expect(['live', 'done-1', 'done-2', 'new'].map((id) => buffer.has(id))).toEqual([true, false, true, true]);
    });

    it('should forget the oldest live run when every run is live: its clients keep streaming, a reconnect to it gets STREAM_NOT_FOUND', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const buffer = createSseReplayBuffer({ maxStreams: 1, scheduler });
        buffer.add('a', cold('-a-b-c|', events));
        expectObservable(buffer.replay('a', 0)).toBe('-1-2-3|', seqd({ 1: [1, 'a'], 2: [2, 'b'], 3: [3, 'c'] }));
        scheduler.schedule(() => buffer.add('b', NEVER), 2);
        expectObservable(buffer.replay('a', 1), '---^').toBe('---#', undefined, notFound('a'));
      });
    });
  });

  describe('a stream id used for another run', () => {
    it('should tag each run with its own random run id, carried by its events, distinct across buffers made at the same time', () => {
      const scheduler = testScheduler();
      const tags: string[] = [];
      scheduler.run(({ cold, expectObservable }) => {
        const buffer = createSseReplayBuffer({ scheduler });
        const other = createSseReplayBuffer({ scheduler }); // a second server started in the same millisecond
        buffer.add('s', cold('-a|', events));
        other.add('s', cold('-a|', events));
        expectObservable(buffer.replay('s', 0)).toBe('-1|', seqd({ 1: [1, 'a'] }));
        buffer.replay('s', 0).subscribe((e) => tags.push(e.run!));
        other.replay('s', 0).subscribe((e) => tags.push(e.run!));
        scheduler.schedule(() => buffer.add('s', cold('-b|', events)), 3); // replaces it
        scheduler.schedule(() => buffer.replay('s', 0).subscribe((e) => tags.push(e.run!)), 4);
        expectObservable(buffer.replay('s', 0), '----^').toBe('-----1|', seqd({ 1: [1, 'b'] }));
      });
      expect(tags).toHaveLength(3);
      expect(new Set(tags).size).toBe(3);
    });

    it('should tag a run with the tag add was given, so a run recorded with the same runTag has the same ids on the store path', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const buffer = createSseReplayBuffer({ scheduler });
        buffer.add('s', cold('-a|', events), { run: 'q-7' });
        expectObservable(buffer.replay('s', 0)).toBe('-1|', seqd({ 1: [1, 'a'] }, 'q-7'));
        scheduler.schedule(() => buffer.add('s', cold('-b|', events)), 3); // without one: a random one of the buffer's
        expectObservable(buffer.replay('s', 0), '----^').toBe('-----1|', seqd({ 1: [1, 'b'] }));
      });
    });

    it('should refuse, with a TypeError naming it, a run tag that cannot be the <run> of an SSE id, and an unknown option', () => {
      const buffer = createSseReplayBuffer();
      expect(() => buffer.add('s', NEVER, { run: 'a:b' })).toThrow('createSseReplayBuffer: add(streamId, events$, {run}) must be a run tag matching /^[\\w.-]{1,40}$/ (the <run> of an SSE id <run>:<seq>), got "a:b"');
      expect(() => buffer.add('s', NEVER, { run: 'x'.repeat(41) })).toThrow('add(streamId, events$, {run}) must be a run tag matching');
      expect(() => buffer.add('s', NEVER, { runTag: 'r' } as never)).toThrow('createSseReplayBuffer: add(streamId, events$, options): unknown option `runTag` (did you mean `run`?)');
      expect(buffer.has('s')).toBe(false); // nothing registered
    });

    it('should error with STREAM_NOT_FOUND when the run ends before the Last-Event-ID it was asked to resume after (the client read another run)', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const buffer = createSseReplayBuffer({ scheduler });
        buffer.add('s', cold('-a-b|', events));
        expectObservable(buffer.replay('s', 5)).toBe('----#', undefined, new L0Error('stream "s" has no event 5 to resume after: the client read another run of it', { code: 'STREAM_NOT_FOUND', category: 'bad-request', retryable: false }));
      });
    });

    it('should end at once for a client that already had every event of a finished run (a drop before the end frame)', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const buffer = createSseReplayBuffer({ scheduler });
        buffer.add('s', cold('-a-b|', events));
        buffer.replay('s', 0).subscribe();
        expectObservable(buffer.replay('s', 2), '-----^').toBe('-----|');
      });
    });
  });

  it('should name an unknown option with a suggestion', () => {
    expect(() => createSseReplayBuffer({ maxEvent: 3 } as never)).toThrow('createSseReplayBuffer(config): unknown option `maxEvent` (did you mean `maxEvents`?)');
  });

  it('should error with a TypeError naming an afterSeq that is not a sequence number (a raw header compares as text)', () => {
    const buffer = createSseReplayBuffer();
    buffer.add('s', of(tok('a'), tok('b')));
    let error: unknown;
    buffer.replay('s', '1' as never).subscribe({ next: () => undefined, error: (e) => (error = e) });
    expect(error).toEqual(new TypeError('createSseReplayBuffer: replay(streamId, afterSeq) needs a non-negative integer (parseLastEventId\'s), got "1"'));
  });

  it('should reject maxEvents below 1', () => {
    expect(() => createSseReplayBuffer({ maxEvents: 0 })).toThrow('createSseReplayBuffer({maxEvents}) must be a positive integer, got 0');
    expect(() => createSseReplayBuffer({ keepAliveMs: 3e9 })).toThrow('createSseReplayBuffer({keepAliveMs}) must be at most 2147483647 ms (about 24.8 days), got 3000000000');
  });
});
