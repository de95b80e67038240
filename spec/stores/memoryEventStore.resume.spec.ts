/** @test {createMemoryEventStore}: a resume finds its start by seq, not by scanning the log before it. */
import { describe, expect, it } from 'vitest';
import { take } from 'rxjs';
import { createMemoryEventStore, type EventEnvelope, type EventStore } from 'l0-rx';
import { expectLinearTime } from '../helpers/linearTime.js';
import { env } from './storeFixtures.js';

/** What `follow(id, fromSeq)` gives synchronously, as seqs, and whether it completed. */
const followed = (store: EventStore, id: string, fromSeq: number): [number[], boolean] => {
  const seqs: number[] = [];
  let completed = false;
  store.follow!(id, fromSeq).subscribe({ next: (e) => seqs.push(e.seq), complete: () => (completed = true) }).unsubscribe();
  return [seqs, completed];
};

describe('createMemoryEventStore: resuming by seq', () => {
  it('should follow and read one event at every seq of a run in time linear in the run (each resume found by seq)', () => {
    // each follow(id, k) and read(id, {k, k}) scanned the log from seq 0 to k: a client resuming
    // at every event of a run cost time quadratic in the run
    let checked = 0;
    expectLinearTime('memory store: follow and read at every seq', (size) => {
      const store = createMemoryEventStore();
      const envelopes: EventEnvelope[] = [];
      for (let seq = 0; seq < size; seq++) envelopes.push(env('a', seq));
      store.append(envelopes);
      const started = performance.now();
      let sum = 0;
      for (let k = 0; k < size; k++) {
        store.follow!('a', k).pipe(take(1)).subscribe((e) => (sum += e.seq));
        sum += (store.read('a', { fromSeq: k, toSeq: k }) as EventEnvelope[])[0]!.seq;
      }
      const ms = performance.now() - started;
      checked = sum;
      expect(sum).toBe(size * (size - 1)); // each seq k twice: every resume found its own envelope
      return ms;
    }, 2_000);
    expect(checked).toBeGreaterThan(0);
  });

  it('should give the same envelopes entered by seq as a scan gives: a range, the last envelope past the end, a finished run', () => {
    const store = createMemoryEventStore();
    store.append([0, 1, 2, 3].map((s) => env('a', s)));
    const read = (range: { fromSeq?: number; toSeq?: number }) => (store.read('a', range) as EventEnvelope[]).map((e) => e.seq);
    expect([read({ fromSeq: 1, toSeq: 2 }), read({ fromSeq: 3 }), read({ fromSeq: 4 }), read({ toSeq: 0 }), read({ fromSeq: -3, toSeq: 1 })]).toEqual([[1, 2], [3], [], [0], [0, 1]]);
    expect([followed(store, 'a', 2), followed(store, 'a', 9)]).toEqual([[[2, 3], false], [[], false]]); // past the end of a live run: it waits
    store.append([{ ...env('a', 4), event: { type: 'complete', finishReason: 'stop' } }]);
    expect([followed(store, 'a', 3), followed(store, 'a', 9)]).toEqual([[[3, 4], true], [[], true]]); // a finished run followed from past its end ends at once
  });

  it('should still scan a log whose seqs are not 0, 1, 2... (envelopes of your own, appended as given)', () => {
    const store = createMemoryEventStore();
    store.append([0, 2, 5, 6].map((s) => env('a', s)));
    expect((store.read('a', { fromSeq: 2, toSeq: 5 }) as EventEnvelope[]).map((e) => e.seq)).toEqual([2, 5]);
    expect(followed(store, 'a', 3)).toEqual([[5, 6], false]);
    store.append([{ ...env('a', 8), event: { type: 'complete', finishReason: 'stop' } }]);
    expect([followed(store, 'a', 6), followed(store, 'a', 9)]).toEqual([[[6, 8], true], [[], true]]);
  });
});
