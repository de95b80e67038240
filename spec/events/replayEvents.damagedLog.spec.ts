/** @test {replayEvents} A damaged log (lost, repeated or malformed envelopes) is refused with INVALID_LOG, before any event. */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, replayEvents, type EventEnvelope, type EventStore, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  x: { type: 'complete', finishReason: 'stop' },
};
const env = (seq: number, event: unknown = values.a): EventEnvelope => ({ v: 1, streamId: 'r', seq, ts: seq * 10, event }) as EventEnvelope;
const invalid = (why: string) => ({ name: 'EventLogError', code: 'INVALID_LOG', message: `Stream r is not a valid event log: ${why}` });

function storeOf(envelopes: unknown[]): EventStore {
  const store = createMemoryEventStore();
  store.append(envelopes as EventEnvelope[]);
  return store;
}

describe('replayEvents of a damaged log', () => {
  describe('seq must start at fromSeq (default 0) and go up by 1', () => {
    it.each([
      ['a lost envelope', [env(0), env(2), env(3, values.x)], {}, 'seq 1 is missing: seq 2 follows seq 0'],
      ['a log trimmed at its head', [env(3), env(4), env(5, values.x)], {}, 'seq 0 is missing: the log starts at seq 3'],
      ['a log whose seq 0 comes after seq 1', [env(1), env(0)], {}, 'seq 0 is missing: the log starts at seq 1'],
      ['a repeated envelope', [env(0), env(1), env(1)], {}, 'seq 1 follows seq 1'],
      ['a range whose start was lost', [env(0), env(4), env(5, values.x)], { fromSeq: 1 }, 'seq 1 is missing: the range from seq 1 starts at seq 4'],
      ['a range with a lost envelope inside', [env(0), env(1), env(3), env(4)], { fromSeq: 1, toSeq: 4 }, 'seq 2 is missing: seq 3 follows seq 1'],
      ['an envelope after the recorded error', [env(0), env(1, { type: 'error', error: { name: 'Error', message: 'boom' } }), env(2)], {}, 'seq 2 follows the recorded terminal error'],
    ])('should refuse %s, naming the seq that is wrong or missing, and emit nothing', (_, envelopes, range, why) => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(storeOf(envelopes), 'r', range)).toBe('#', undefined, invalid(why));
      });
    });

    it('should refuse a timed replay of a damaged log at once, before its first event', () => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable }) => {
        expectObservable(replayEvents(storeOf([env(0), env(1), env(3, values.x)]), 'r', { speed: 1, scheduler })).toBe('#', undefined, invalid('seq 2 is missing: seq 3 follows seq 1'));
      });
    });

    it('should refuse an envelope before the range that a store gave back anyway', () => {
      const inner = storeOf([env(0), env(1), env(2)]);
      const store: EventStore = { ...inner, read: (id) => inner.read(id) }; // ignores the range
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(store, 'r', { fromSeq: 1 })).toBe('#', undefined, invalid('the range from seq 1 starts at seq 0'));
      });
    });

    it('should refuse a damaged log read from a store that answers with promises', async () => {
      const inner = storeOf([env(0), env(2, values.x)]);
      const store: EventStore = { ...inner, read: async (id, range) => inner.read(id, range) };
      await expect(lastValueFrom(replayEvents(store, 'r'))).rejects.toMatchObject(invalid('seq 1 is missing: seq 2 follows seq 0'));
    });

    it('should still replay a whole range, a range to past the end, and say STREAM_EMPTY for a range past the end', () => {
      const store = storeOf([env(0), env(1, values.b), env(2, values.x)]);
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(store, 'r', { fromSeq: 1 })).toBe('(bx|)', values);
        expectObservable(replayEvents(store, 'r', { fromSeq: 2, toSeq: 9 })).toBe('(x|)', values);
        expectObservable(replayEvents(store, 'r', { fromSeq: 3 })).toBe('#', undefined, {
          name: 'EventLogError', code: 'STREAM_EMPTY', message: 'Stream r has no events from seq 3 to the end',
        });
      });
    });
  });

  describe('each envelope must have the fields a replay relies on', () => {
    it.each([
      ['a null envelope', [env(0), null], 'the envelope after seq 0 is null, not an envelope'],
      ['a string seq', [env(0), { ...env(1), seq: '1' }], 'the envelope after seq 0 has seq "1", not an integer'],
      ['a fractional seq', [{ ...env(0), seq: 0.5 }], 'the first envelope has seq 0.5, not an integer'],
      ['a missing ts', [env(0), { ...env(1), ts: undefined }], 'the envelope at seq 1 has ts undefined, not a finite number'],
      ['a NaN ts', [env(0), { ...env(1), ts: Number.NaN }], 'the envelope at seq 1 has ts NaN, not a finite number'],
      ['a missing event', [env(0), { v: 1, streamId: 'r', seq: 1, ts: 1 }], 'the envelope at seq 1 has no event object (event is undefined)'],
      ['an event without a string type', [env(0), env(1, { type: 7 })], 'the event at seq 1 has type 7, not a string'],
      ['a recorded error without its error', [env(0), env(1, { type: 'error' })], 'the error event at seq 1 has no error object (error is undefined)'],
      ['a recorded error whose name is not a string', [env(0), env(1, { type: 'error', error: { name: 1, message: 'boom' } })], 'the recorded error at seq 1 has name 1, not a string'],
      ['a recorded error without a message', [env(0), env(1, { type: 'error', error: { name: 'Error' } })], 'the recorded error at seq 1 has message undefined, not a string'],
      ['a recorded error whose attemptErrors is no list', [env(0), env(1, { type: 'error', error: { name: 'Error', message: 'boom', attemptErrors: 'x' } })], 'the recorded error at seq 1 has attemptErrors "x", not a list of errors nested at most 1000 deep'],
      ['a recorded error with an attempt error that is none', [env(0), env(1, { type: 'error', error: { name: 'Error', message: 'boom', attemptErrors: [null] } })], 'the recorded error at seq 1 has attemptErrors an array, not a list of errors nested at most 1000 deep'],
      // these replayed every event, then failed with deserializeError's TypeError
      ['an exhaustion with an attempt that is no error', [env(0), env(1, { type: 'error', error: { name: 'AllStreamsExhaustedError', message: 'boom', errors: [null] } })], 'the recorded error at seq 1 has errors an array, not a list of errors nested at most 1000 deep'],
      ['an exhaustion with a nested attempt that is no error', [env(0), env(1, { type: 'error', error: { name: 'AllStreamsExhaustedError', message: 'boom', errors: [{ name: 'AllStreamsExhaustedError', message: 'inner', errors: [7] }] } })], 'the recorded error at seq 1 has errors an array, not a list of errors nested at most 1000 deep'],
      ['an attempt error whose errors hold no error', [env(0), env(1, { type: 'error', error: { name: 'Error', message: 'boom', attemptErrors: [{ name: 'AllStreamsExhaustedError', message: 'a', errors: [null] }] } })], 'the recorded error at seq 1 has attemptErrors an array, not a list of errors nested at most 1000 deep'],
    ])('should refuse %s with INVALID_LOG naming the problem and the seq, not a TypeError', (_, envelopes, why) => {
      // a store that gives back what it holds as it is (the memory store cannot even hold a null)
      const store: EventStore = { append: () => undefined, read: () => envelopes as EventEnvelope[], streams: () => ['r'], delete: () => undefined };
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(store, 'r')).toBe('#', undefined, invalid(why));
      });
    });

    it('should replay a recorded error whose serialised error has extra fields', async () => {
      const error = { name: 'Error', message: 'boom', code: 'UNKNOWN_ERROR', extra: 1 };
      const replayed = lastValueFrom(replayEvents(storeOf([env(0), env(1, { type: 'error', error })]), 'r').pipe(toArray()));
      await expect(replayed).rejects.toMatchObject({ name: 'Error', message: 'boom' });
    });
  });
});
