/** @test {toServerSentEvents} */
import { EventEmitter } from 'node:events';
import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import { of, Subject } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { toServerSentEvents, type L0Event, type SseResponseLike, type ToServerSentEventsConfig } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { useScriptedServer } from '../helpers/scriptedServer.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const frame = (seq: number, event: L0Event) => `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const END = 'event: end\ndata: {}\n\n';
const HEARTBEAT = ': heartbeat\n\n';

/** Runs the scheduler's timers up to `frame` (virtual ms since it was made). */
const advanceTo = (ts: TestScheduler, frame: number): void => {
  ts.maxFrames = frame;
  ts.flush();
  ts.frame = frame;
};

/** Lets a first read's `pull` run (the stream starts in a microtask), so `source` is subscribed. */
const subscribed = async (source: { readonly observed: boolean }): Promise<void> => {
  for (let i = 0; i < 10 && !source.observed; i++) await Promise.resolve();
  expect(source.observed).toBe(true);
};

/** A response whose `write()` returns `!full`, as node:http's does past its high-water mark. */
class FakeResponse extends EventEmitter {
  headersSent = false;
  writes: string[] = [];
  full = false;
  ended = false;
  writeHead() { this.headersSent = true; }
  write(chunk: string) { this.writes.push(chunk); return !this.full; }
  end() { this.ended = true; }
  /** The client read what was buffered: as node:http does, says so with 'drain'. */
  drain(full = false) { this.full = full; this.emit('drain'); }
}

/** A response written by `toServerSentEvents(source, config).writeTo` whose client has stopped reading (`write()` returns false). */
function heldUp(config: ToServerSentEventsConfig = { heartbeatMs: 0 }) {
  const res = new FakeResponse();
  const source = new Subject<L0Event>();
  const subscription = toServerSentEvents(source, config).writeTo(res);
  res.full = true;
  return { res, source, subscription };
}

describe('toServerSentEvents backpressure', () => {
  describe('writeTo', () => {
    it('should hold the frames after a write() that returned false, and write them in order on drain', () => {
      const { res, source } = heldUp();
      source.next(tok('a'));
      source.next(tok('b'));
      source.next(tok('c'));
      expect(res.writes).toEqual([frame(1, tok('a'))]);
      res.drain();
      source.next(tok('d'));
      expect(res.writes).toEqual(['a', 'b', 'c', 'd'].map((v, i) => frame(i + 1, tok(v))));
    });

    it('should stop at a write() that returns false again while writing the queue, and go on at the next drain', () => {
      const { res, source } = heldUp();
      for (const v of ['a', 'b', 'c', 'd']) source.next(tok(v));
      res.drain(true);
      expect(res.writes).toEqual([frame(1, tok('a')), frame(2, tok('b'))]);
      source.next(tok('e'));
      res.drain();
      expect(res.writes).toEqual(['a', 'b', 'c', 'd', 'e'].map((v, i) => frame(i + 1, tok(v))));
    });

    it('should end the response only once the queue is written', () => {
      const { res, source } = heldUp();
      source.next(tok('a'));
      source.next(tok('b'));
      source.complete();
      expect(res.ended).toBe(false);
      res.drain();
      expect([res.writes, res.ended]).toEqual([[frame(1, tok('a')), frame(2, tok('b')), END], true]);
      res.drain();
      expect(res.writes.length).toBe(3);
    });

    it('should skip heartbeats until drain, however long the client does not read', () => {
      const ts = testScheduler();
      const { res, source } = heldUp({ heartbeatMs: 2, scheduler: ts });
      source.next(tok('a'));
      advanceTo(ts, 1000);
      source.next(tok('b'));
      expect(res.writes).toEqual([frame(1, tok('a'))]);
      res.drain();
      advanceTo(ts, 1004); // (b counts as sent at the tick of 1002)
      expect(res.writes).toEqual([frame(1, tok('a')), frame(2, tok('b')), HEARTBEAT]);
    });

    it('should unsubscribe at once when the response closes while frames wait, and write none of them', () => {
      const { res, source } = heldUp();
      source.next(tok('a'));
      source.next(tok('b'));
      res.emit('close');
      expect(source.observed).toBe(false);
      res.drain();
      expect([res.writes, res.ended]).toEqual([[frame(1, tok('a'))], false]);
    });

    it('should write none of the waiting frames after its subscription is unsubscribed', () => {
      const { res, source, subscription } = heldUp();
      source.next(tok('a'));
      source.next(tok('b'));
      subscription.unsubscribe();
      res.drain();
      expect([res.writes, res.ended]).toEqual([[frame(1, tok('a'))], false]);
    });

    it('should write the rest of a source that ended synchronously while held up at its first frame, then end', () => {
      const res = Object.assign(new FakeResponse(), { full: true });
      const subscription = toServerSentEvents(of(tok('a'), tok('b')), { heartbeatMs: 0 }).writeTo(res);
      expect([subscription.closed, res.writes.length, res.ended]).toEqual([true, 1, false]);
      res.drain();
      expect([res.writes, res.ended]).toEqual([[frame(1, tok('a')), frame(2, tok('b')), END], true]);
    });

    it('should still accept a response type whose `once` knows only `close` (write() returning no boolean never waits)', () => {
      const writes: string[] = [];
      const res: { writeHead(): void; write(chunk: string): void; end(): void; once(event: 'close', listener: () => void): void } = {
        writeHead: () => undefined, write: (chunk) => void writes.push(chunk), end: () => undefined, once: () => undefined,
      };
      const source = new Subject<L0Event>();
      toServerSentEvents(source, { heartbeatMs: 0 }).writeTo(res satisfies SseResponseLike);
      source.next(tok('a'));
      source.next(tok('b'));
      expect(writes).toEqual([frame(1, tok('a')), frame(2, tok('b'))]);
    });

    describe('on a node:http server (loopback)', () => {
      const server = useScriptedServer();

      it('should queue the events while the client does not read, write no heartbeat meanwhile, and deliver every event in order', async () => {
        const ts = testScheduler();
        const source = new Subject<L0Event>();
        const responses: ServerResponse[] = [];
        server.serve((_req, res) => {
          responses.push(res);
          toServerSentEvents(source, { heartbeatMs: 10, scheduler: ts }).writeTo(res);
        });
        // a client that does not read: the response is never consumed until the end
        const response = new Promise<IncomingMessage>((resolve) => get(server.url, { agent: false }, resolve));
        while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
        const sent: L0Event[] = [];
        const send = (event: L0Event): void => {
          sent.push(event);
          source.next(event);
        };
        const big = 'x'.repeat(256 * 1024);
        // fill the socket until the response stays backpressured (its write() returned false, no 'drain' yet)
        for (let i = 0; i < 400 && !responses[0]!.writableNeedDrain; i++) {
          send(tok(`${i}${big}`));
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(responses[0]!.writableNeedDrain).toBe(true);
        advanceTo(ts, 1000); // 100 heartbeat periods with the client not reading
        send(tok('y'));
        send(tok('z'));
        source.complete();
        const res = await response;
        res.setEncoding('utf8');
        let body = '';
        for await (const chunk of res) body += chunk as string;
        expect(body.split(HEARTBEAT).length - 1).toBe(0);
        const expected = sent.map((e, i) => frame(i + 1, e)).join('') + END;
        expect(body.length).toBe(expected.length);
        expect(body === expected).toBe(true);
      });
    });
  });

  describe('toReadableStream', () => {
    const text = new TextDecoder();

    it('should enqueue no heartbeat while nobody reads, and keep every event', async () => {
      const ts = testScheduler();
      const source = new Subject<L0Event>();
      const reader = toServerSentEvents(source, { heartbeatMs: 2, scheduler: ts }).toReadableStream().getReader();
      const first = reader.read();
      await subscribed(source);
      source.next(tok('a'));
      expect(text.decode((await first).value)).toBe(frame(1, tok('a')));
      advanceTo(ts, 1000); // 500 heartbeat periods with no read waiting
      source.next(tok('b'));
      source.next(tok('c'));
      source.complete();
      const chunks: string[] = [];
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(text.decode(chunk.value));
      expect(chunks).toEqual([frame(2, tok('b')), frame(3, tok('c')), END]);
    });

    it('should enqueue a heartbeat for a read that is waiting', async () => {
      const ts = testScheduler();
      const source = new Subject<L0Event>();
      const reader = toServerSentEvents(source, { heartbeatMs: 2, scheduler: ts }).toReadableStream().getReader();
      const read = reader.read();
      await subscribed(source);
      advanceTo(ts, 2);
      expect(text.decode((await read).value)).toBe(HEARTBEAT);
      advanceTo(ts, 20); // no read waiting: nothing goes in
      const next = reader.read();
      advanceTo(ts, 22);
      expect(text.decode((await next).value)).toBe(HEARTBEAT);
      await reader.cancel();
    });
  });
});
