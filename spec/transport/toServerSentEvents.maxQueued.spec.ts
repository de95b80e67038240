/** @test {toServerSentEvents} maxQueuedBytes: a client too far behind is cut, a replay's backlog is not held against it */
import { of, ReplaySubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { StreamAbortedError, toServerSentEvents, type L0Event } from 'l0-rx';
import { DestroyableResponse, END, frame, heldUp, subscribed, tok } from './sseTestResponses.js';

describe('toServerSentEvents maxQueuedBytes', () => {
  describe('writeTo', () => {
    /** The length of one frame of tok('b') to tok('j') (ids 1 to 9: all as long). */
    const L = frame(2, tok('b')).length;

    it('should cut a client whose queued frames pass maxQueuedBytes: unsubscribe the events, destroy the response, write none of them', () => {
      const { res, source } = heldUp({ heartbeatMs: 0, maxQueuedBytes: 2 * L }, new DestroyableResponse());
      source.next(tok('a'));
      source.next(tok('b'));
      source.next(tok('c'));
      expect([source.observed, res.destroyed]).toEqual([true, false]); // 2 * L queued: at the bound, not past it
      source.next(tok('d'));
      expect([source.observed, res.destroyed, res.ended]).toEqual([false, true, false]);
      res.drain();
      expect(res.writes).toEqual([frame(1, tok('a'))]);
    });

    it('should end a response that has no destroy() when it cuts the client', () => {
      const { res, source } = heldUp({ heartbeatMs: 0, maxQueuedBytes: L });
      source.next(tok('a'));
      source.next(tok('b'));
      source.next(tok('c'));
      expect([source.observed, res.ended]).toEqual([false, true]);
      res.drain();
      expect(res.writes).toEqual([frame(1, tok('a'))]);
    });

    it('should count only the frames still queued: those a drain wrote free their share', () => {
      const { res, source } = heldUp({ heartbeatMs: 0, maxQueuedBytes: 2 * L }, new DestroyableResponse());
      for (const v of ['a', 'b', 'c']) source.next(tok(v));
      res.drain(true); // writes b, and write() says full again: c waits
      source.next(tok('d'));
      expect([source.observed, res.destroyed]).toEqual([true, false]);
      source.next(tok('e'));
      expect([source.observed, res.destroyed]).toEqual([false, true]);
    });

    it('should write whole what the source sends synchronously when subscribed (a replay backlog), past the bound, then end', () => {
      const res = Object.assign(new DestroyableResponse(), { full: true });
      const subscription = toServerSentEvents(of(tok('a'), tok('b'), tok('c'), tok('d')), { heartbeatMs: 0, maxQueuedBytes: 2 * L }).writeTo(res);
      expect([subscription.closed, res.destroyed, res.ended, res.writes]).toEqual([true, false, false, [frame(1, tok('a'))]]);
      res.drain();
      expect([res.destroyed, res.ended, res.writes]).toEqual([false, true, [...['a', 'b', 'c', 'd'].map((v, i) => frame(i + 1, tok(v))), END]]);
    });

    it('should hold against the client only what came after a synchronous backlog it has not read, and all of it once read', () => {
      const res = Object.assign(new DestroyableResponse(), { full: true });
      const source = new ReplaySubject<L0Event>();
      for (const v of ['a', 'b', 'c', 'd']) source.next(tok(v)); // the backlog: b, c, d queued (3 * L)
      toServerSentEvents(source, { heartbeatMs: 0, maxQueuedBytes: 2 * L }).writeTo(res);
      source.next(tok('e'));
      source.next(tok('f')); // 2 * L after the backlog: at the bound
      expect([source.observed, res.destroyed]).toEqual([true, false]);
      source.next(tok('g'));
      expect([source.observed, res.destroyed]).toEqual([false, true]);
      expect(res.writes).toEqual([frame(1, tok('a'))]);
    });

    it('should count a partly written backlog by what is left of the queue', () => {
      const res = Object.assign(new DestroyableResponse(), { full: true });
      const source = new ReplaySubject<L0Event>();
      for (const v of ['a', 'b', 'c', 'd', 'e']) source.next(tok(v)); // b to e queued (4 * L)
      // j, k and l have two-digit ids: a frame one character longer
      toServerSentEvents(source, { heartbeatMs: 0, maxQueuedBytes: 2 * L + 2 }).writeTo(res);
      source.next(tok('f'));
      res.drain(true); // writes b, full again: c, d, e, f queued, f the only frame after the backlog
      source.next(tok('g'));
      expect([source.observed, res.destroyed]).toEqual([true, false]);
      res.drain(); // everything written: from now on every queued frame counts
      source.next(tok('h'));
      res.full = true;
      source.next(tok('i'));
      source.next(tok('j'));
      source.next(tok('k'));
      expect([source.observed, res.destroyed]).toEqual([true, false]); // i written, j and k queued (2 * L + 2)
      source.next(tok('l'));
      expect([source.observed, res.destroyed]).toEqual([false, true]);
    });

    it('should never cut with maxQueuedBytes: Infinity', () => {
      const { res, source } = heldUp({ heartbeatMs: 0, maxQueuedBytes: Infinity }, new DestroyableResponse());
      const big = tok('x'.repeat(1 << 20));
      for (let i = 0; i < 20; i++) source.next(big);
      source.complete();
      res.drain();
      expect([res.destroyed, res.ended, res.writes.length]).toEqual([false, true, 21]);
    });
  });

  describe('toReadableStream', () => {
    const text = new TextDecoder();

    /** The length of one frame of tok('b') to tok('j') (ids 1 to 9: all as long), in bytes as in characters. */
    const L = frame(2, tok('b')).length;

    it('should error the stream with a StreamAbortedError and unsubscribe once more than maxQueuedBytes wait unread, and not before', async () => {
      const source = new Subject<L0Event>();
      const reader = toServerSentEvents(source, { heartbeatMs: 0, maxQueuedBytes: 2 * L }).toReadableStream().getReader();
      const first = reader.read();
      await subscribed(source);
      source.next(tok('a')); // taken by the waiting read
      source.next(tok('b'));
      source.next(tok('c'));
      expect(source.observed).toBe(true); // 2 * L queued: at the bound, not past it
      source.next(tok('d'));
      expect(source.observed).toBe(false);
      expect(text.decode((await first).value)).toBe(frame(1, tok('a')));
      await expect(reader.read()).rejects.toThrow(new StreamAbortedError(`toServerSentEvents: the reader fell more than maxQueuedBytes (${2 * L}) behind`));
    });

    it('should count the bytes of the encoded frames', async () => {
      const source = new Subject<L0Event>();
      const é = frame(2, tok('é'));
      // two queued frames of 'é' are 2 * (é.length + 1) bytes: past a bound of their length in characters
      const reader = toServerSentEvents(source, { heartbeatMs: 0, maxQueuedBytes: 2 * é.length }).toReadableStream().getReader();
      const first = reader.read();
      await subscribed(source);
      source.next(tok('a'));
      source.next(tok('é'));
      expect(source.observed).toBe(true);
      source.next(tok('é'));
      expect(source.observed).toBe(false);
      await first;
      await expect(reader.read()).rejects.toMatchObject({ name: 'StreamAbortedError', code: 'STREAM_ABORTED' });
    });

    it('should enqueue whole what the source sends synchronously at the first read (a replay backlog), past the bound', async () => {
      const reader = toServerSentEvents(of(tok('a'), tok('b'), tok('c'), tok('d')), { heartbeatMs: 0, maxQueuedBytes: 2 * L }).toReadableStream().getReader();
      let body = '';
      for (let r = await reader.read(); !r.done; r = await reader.read()) body += text.decode(r.value);
      expect(body).toBe(['a', 'b', 'c', 'd'].map((v, i) => frame(i + 1, tok(v))).join('') + END);
    });

    it('should hold against the reader only what came after a backlog it has not read, and all of it from its next read on', async () => {
      const source = new ReplaySubject<L0Event>();
      for (const v of ['a', 'b', 'c', 'd']) source.next(tok(v));
      const reader = toServerSentEvents(source, { heartbeatMs: 0, maxQueuedBytes: 2 * L }).toReadableStream().getReader();
      expect(text.decode((await reader.read()).value)).toBe(frame(1, tok('a'))); // b, c, d wait (3 * L)
      source.next(tok('e'));
      source.next(tok('f'));
      expect(source.observed).toBe(true); // 2 * L after the backlog
      for (const v of ['b', 'c', 'd', 'e', 'f']) expect(text.decode((await reader.read()).value)).toBe(frame(v.charCodeAt(0) - 96, tok(v)));
      const next = reader.read(); // a waiting read: the queue is empty, everything queued from now on counts
      source.next(tok('g')); // taken by the read, never queued
      expect(text.decode((await next).value)).toBe(frame(7, tok('g')));
      source.next(tok('h'));
      source.next(tok('i'));
      expect(source.observed).toBe(true); // 2 * L queued
      source.next(tok('j'));
      expect(source.observed).toBe(false);
      await expect(reader.read()).rejects.toMatchObject({ name: 'StreamAbortedError' });
    });
  });
});
