/** @test {toServerSentEvents} */
import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import { lastValueFrom, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate, createSseReplayBuffer, fromServerSentEvents, parseLastEventId, toServerSentEvents, type L0Event, type SseResponseLike, type ToServerSentEventsConfig } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { useScriptedServer } from '../helpers/scriptedServer.js';

import { END, FakeResponse, frame, heldUp, HEARTBEAT, advanceTo, subscribed, tok } from './sseTestResponses.js';

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

      /**
       * Serves `toServerSentEvents(source, config).writeTo(res)` to a client that does not read (its
       * response is not consumed), and sends events until the response stays backpressured (its
       * write() returned false, no 'drain' yet): from then on, events sent synchronously are queued.
       */
      async function stalledClient(config: ToServerSentEventsConfig) {
        const source = new Subject<L0Event>();
        const responses: ServerResponse[] = [];
        server.serve((_req, res) => {
          responses.push(res);
          toServerSentEvents(source, config).writeTo(res);
        });
        const response = new Promise<IncomingMessage>((resolve) => get(server.url, { agent: false }, resolve));
        while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
        const sent: L0Event[] = [];
        const send = (event: L0Event): void => {
          sent.push(event);
          source.next(event);
        };
        const big = 'x'.repeat(256 * 1024);
        for (let i = 0; i < 400 && !responses[0]!.writableNeedDrain; i++) {
          send(tok(`${i}${big}`));
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(responses[0]!.writableNeedDrain).toBe(true);
        return { source, sent, send, res: responses[0]!, response };
      }

      it('should send a reconnect its whole replay backlog past maxQueuedBytes, and the real client resume from it without another cut', async () => {
        const buffer = createSseReplayBuffer({ keepAliveMs: 60_000 });
        const big = 'z'.repeat(4096);
        const tokens = Array.from({ length: 200 }, (_, i) => tok(`${i}${big}`));
        buffer.add('chat', of(...tokens, { type: 'complete', finishReason: 'stop' } as L0Event), { run: 'r1' });
        server.serve((req, res) => {
          // about 800 KB of backlog, written at once: past the bound ten times over
          toServerSentEvents(buffer.replay('chat', parseLastEventId(req.headers['last-event-id'])), { heartbeatMs: 0, maxQueuedBytes: 64 * 1024 }).writeTo(res);
        });
        // a client that read the first event, dropped, and reconnects: no further reconnect allowed
        const content = await lastValueFrom(fromServerSentEvents(server.url, { lastEventId: 'r1:1', reconnectAttempts: 0 }).pipe(accumulate()));
        expect(server.requests.length).toBe(1);
        expect(content.content === tokens.slice(1).map((t) => (t as { value: string }).value).join('')).toBe(true);
        expect(content.status).toBe('complete');
      });

      it('should queue the events while the client does not read, write no heartbeat meanwhile, and deliver every event in order', async () => {
        const ts = testScheduler();
        const { source, sent, send, response } = await stalledClient({ heartbeatMs: 10, scheduler: ts });
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

      it('should cut a client whose queued frames pass maxQueuedBytes (the events unsubscribed, the response destroyed), and not before', async () => {
        const { source, sent, send, res, response } = await stalledClient({ heartbeatMs: 0, maxQueuedBytes: 100_000 });
        const part = 'y'.repeat(30_000);
        // (sent synchronously: no 'drain' can come between them, so all of them are queued)
        for (const v of ['1', '2', '3']) send(tok(v + part)); // about 90 KB queued: under the bound
        expect([source.observed, res.destroyed]).toEqual([true, false]);
        send(tok(`4${part}`)); // about 120 KB: past it
        expect([source.observed, res.destroyed]).toEqual([false, true]);
        // the client reads what reached it: whole frames in order, then the cut (no `end` frame: it reconnects)
        const client = await response;
        client.setEncoding('utf8');
        let body = '';
        client.on('data', (chunk: string) => (body += chunk));
        await new Promise((resolve) => client.once('close', resolve));
        expect(client.complete).toBe(false);
        const all = sent.map((e, i) => frame(i + 1, e)).join('');
        expect(body.length).toBeGreaterThan(0);
        expect(all.startsWith(body)).toBe(true);
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

    it('should enqueue no heartbeat for a read abandoned by releaseLock(), and one for the next reader\'s read', async () => {
      const ts = testScheduler();
      const source = new Subject<L0Event>();
      const stream = toServerSentEvents(source, { heartbeatMs: 2, scheduler: ts }).toReadableStream();
      const reader = stream.getReader();
      const abandoned = reader.read();
      await subscribed(source);
      reader.releaseLock();
      await expect(abandoned).rejects.toThrow(TypeError);
      advanceTo(ts, 20); // no read waiting: nothing goes in
      source.next(tok('a'));
      const again = stream.getReader();
      expect(text.decode((await again.read()).value)).toBe(frame(1, tok('a')));
      const next = again.read();
      advanceTo(ts, 24); // (a counts as sent at the tick of 22)
      expect(text.decode((await next).value)).toBe(HEARTBEAT);
      await again.cancel();
    });

  });
});
