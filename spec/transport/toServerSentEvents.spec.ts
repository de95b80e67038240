/** @test {toServerSentEvents} */
import { EventEmitter } from 'node:events';
import { concat, defer, finalize, from, NEVER, of, Subject, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InvalidStreamError, L0_EVENT_TYPES, L0Error, serializeError, toServerSentEvents, TokenTimeoutError, type L0Event, type SequencedEvent } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const frame = (seq: number, event: L0Event) => `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const END = 'event: end\ndata: {}\n\n';
const HEARTBEAT = ': heartbeat\n\n';
const events: Record<string, L0Event> = { a: tok('a'), b: tok('b'), c: tok('c'), C: { type: 'complete', finishReason: 'stop' } };
const timeoutError = new TokenTimeoutError({ kind: 'inter', timeoutMs: 5, elapsedMs: 5, tokenCount: 1 });

describe('toServerSentEvents', () => {
  describe('frames', () => {
    it('should frame each event with its sequence number and type, then an end frame', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-C|', events);
        expectObservable(toServerSentEvents(source, { heartbeatMs: 0 }).frames).toBe('-1-2-3(e|)', {
          1: frame(1, events['a']!), 2: frame(2, events['b']!), 3: frame(3, events['C']!), e: END,
        });
      });
    });

    it('should send only the end frame for an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(toServerSentEvents(cold<L0Event>('|'), { heartbeatMs: 0 }).frames).toBe('(e|)', { e: END });
      });
    });

    it('should end with an error frame carrying serializeError data, not an end frame, when the source errors', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-#', events, timeoutError);
        const err = `event: error\ndata: ${JSON.stringify(serializeError(timeoutError))}\n\n`;
        expectObservable(toServerSentEvents(source, { heartbeatMs: 0 }).frames).toBe('-1-(x|)', { 1: frame(1, events['a']!), x: err });
      });
    });

    it('should still end with an error frame, its cause kept without the `info` JSON.stringify cannot write (a BigInt, a cycle)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const cyclic: Record<string, unknown> = {};
        cyclic['self'] = cyclic;
        const error = new L0Error('upstream failed', { code: 'SERVER_ERROR', category: 'server', retryable: true, cause: Object.assign(new Error('driver'), { info: { count: 1n, cyclic } }) });
        const data = JSON.stringify({ name: 'L0Error', message: 'upstream failed', code: 'SERVER_ERROR', category: 'server', retryable: true, reason: 'unknown', cause: { name: 'Error', message: 'driver' } });
        expectObservable(toServerSentEvents(cold('-a-#', events, error), { heartbeatMs: 3 }).frames).toBe('-1-(x|)', { 1: frame(1, events['a']!), x: `event: error\ndata: ${data}\n\n` });
      });
    });

    it('should number checkpoint events without sending them, so the ids stay the recorded envelopes\' seq + 1 (createStoreReplaySource)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const k: L0Event = { type: 'checkpoint', content: 'ab', tokenCount: 2 };
        expectObservable(toServerSentEvents(cold('-a-b-k-c|', { ...events, k }), { heartbeatMs: 0 }).frames).toBe('-1-2---4(e|)', {
          1: frame(1, events['a']!), 2: frame(2, events['b']!), 4: frame(4, events['c']!), e: END,
        });
      });
    });

    it('should number events per subscription', () => {
      const sse = toServerSentEvents(of(tok('a')), { heartbeatMs: 0 });
      const first: string[] = [];
      const second: string[] = [];
      sse.frames.subscribe((f) => first.push(f));
      sse.frames.subscribe((f) => second.push(f));
      expect(second).toEqual(first);
      expect(first[0]).toBe(frame(1, tok('a')));
    });

    it('should keep the sequence numbers of a replay source', () => {
      const replay: Observable<SequencedEvent> = of({ seq: 7, event: tok('g') }, { seq: 8, event: tok('h') });
      const frames: string[] = [];
      toServerSentEvents(replay, { heartbeatMs: 0 }).frames.subscribe((f) => frames.push(f));
      expect(frames).toEqual([frame(7, tok('g')), frame(8, tok('h')), END]);
    });

    it('should write a replay source\'s run tag into each id, as `<run>:<seq>`', () => {
      const frames: string[] = [];
      toServerSentEvents(of({ seq: 7, event: tok('g'), run: 'k2' }), { heartbeatMs: 0 }).frames.subscribe((f) => frames.push(f));
      expect(frames).toEqual([frame(7, tok('g')).replace('id: 7', 'id: k2:7'), END]);
    });

    it('should skip the events up to a tagged `resumeFrom` (`<run>:<seq>`)', () => {
      const frames: string[] = [];
      toServerSentEvents(of({ seq: 7, event: tok('g'), run: 'k2' }, { seq: 8, event: tok('h'), run: 'k2' }), { heartbeatMs: 0, resumeFrom: 'k2:7' }).frames.subscribe((f) => frames.push(f));
      expect(frames).toEqual([frame(8, tok('h')).replace('id: 8', 'id: k2:8'), END]);
    });

    it('should frame an event of every L0 event type but checkpoint', () => {
      const frames: string[] = [];
      toServerSentEvents(from(L0_EVENT_TYPES.map((type) => ({ type }) as L0Event)), { heartbeatMs: 0 }).frames.subscribe((f) => frames.push(f));
      expect(frames.map((f) => /^event: (.*)$/m.exec(f)?.[1])).toEqual([...L0_EVENT_TYPES.filter((type) => type !== 'checkpoint'), 'end']);
    });

    it('should skip the events up to `resumeFrom` (a Last-Event-ID header value)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-c|', events);
        expectObservable(toServerSentEvents(source, { heartbeatMs: 0, resumeFrom: '2' }).frames).toBe('-----3(e|)', { 3: frame(3, events['c']!), e: END });
      });
    });
  });

  describe('malformed events', () => {
    const errorFrame = (message: string) => `event: error\ndata: ${JSON.stringify(serializeError(new InvalidStreamError(`toServerSentEvents: ${message}`)))}\n\n`;

    it.each([
      ['not an L0 event type (the client would reject it)', 'foo', 'a string "foo"'],
      ['an L0 event type in another case', 'Token', 'a string "Token"'],
      ['an Object.prototype key', 'constructor', 'a string "constructor"'],
      ['a string with a line feed', 'tok\nen', 'a string "tok\\nen"'],
      ['a string with a carriage return', 'tok\ren', 'a string "tok\\ren"'],
      ['a CRLF', '\r\n', 'a string "\\r\\n"'],
    ])('should end with an InvalidStreamError frame, unsubscribing the source, for an event whose type is %s', (_, type, shown) => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-x-b|', { ...events, x: { type, value: 'x' } as never });
        expectObservable(toServerSentEvents(source, { heartbeatMs: 0 }).frames).toBe('-1-(x|)', {
          1: frame(1, events['a']!), x: errorFrame(`an event \`type\` must be one of L0_EVENT_TYPES, got ${shown}`),
        });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should end with an InvalidStreamError frame for an event whose type is not a string (its text could hold a line break)', () => {
      const frames: string[] = [];
      const type = { toString: () => 'token\nid: 99' };
      toServerSentEvents(of<L0Event>({ type, value: 'x' } as never), { heartbeatMs: 0 }).frames.subscribe((f) => frames.push(f));
      expect(frames).toEqual([errorFrame('an event `type` must be one of L0_EVENT_TYPES, got an object with keys [toString]')]);
    });

    it.each([
      ['null', null, 'an event must be an object, got null'],
      ['a string', 'token', 'an event must be an object, got a string "token"'],
      ['a fractional seq', { seq: 1.5, event: { type: 'token', value: 'x' } }, 'a replayed event\'s `seq` must be a whole number from 1, got number 1.5'],
      ['a seq of 0', { seq: 0, event: { type: 'token', value: 'x' } }, 'a replayed event\'s `seq` must be a whole number from 1, got number 0'],
      ['NaN as seq', { seq: NaN, event: { type: 'token', value: 'x' } }, 'a replayed event\'s `seq` must be a whole number from 1, got number NaN'],
      ['a seq above 2^53', { seq: 2 ** 60, event: { type: 'token', value: 'x' } }, `a replayed event's \`seq\` must be a whole number from 1, got number ${2 ** 60}`],
      ['a replayed null event', { seq: 2, event: null }, 'a replayed item\'s `event` must be an object, got null'],
    ])('should end with an InvalidStreamError frame for %s (never a bare TypeError, an id the client cannot resume by or an item silently left out)', (_, item, message) => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-x-b|', { ...events, x: item as never });
        expectObservable(toServerSentEvents(source, { heartbeatMs: 0 }).frames).toBe('-1-(x|)', { 1: frame(1, events['a']!), x: errorFrame(message) });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should end with an InvalidStreamError frame for a replay source\'s run tag with a line break (written into the `id:` line)', () => {
      const frames: string[] = [];
      toServerSentEvents(of({ seq: 1, event: tok('a'), run: 'k2\nevent: end' }), { heartbeatMs: 0 }).frames.subscribe((f) => frames.push(f));
      expect(frames).toEqual([errorFrame('a run tag must match /^[\\w.-]{1,40}$/, got a string "k2\\nevent: end"')]);
    });
  });

  describe('heartbeats', () => {
    it('should send a heartbeat on each tick with nothing sent since the previous tick', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const source = cold('a---b------c|', events);
        expectObservable(toServerSentEvents(source, { heartbeatMs: 3, scheduler }).frames).toBe('a---b----h-c(e|)', {
          a: frame(1, events['a']!), b: frame(2, events['b']!), c: frame(3, events['c']!), h: HEARTBEAT, e: END,
        });
      });
    });

    it('should keep sending heartbeats while the source stays silent, and stop on unsubscribe', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<L0Event>('-');
        expectObservable(toServerSentEvents(source, { heartbeatMs: 2, scheduler }).frames, '^------!').toBe('--h-h-h', { h: HEARTBEAT });
        expectSubscriptions(source.subscriptions).toBe('^------!');
      });
    });

    it('should send no heartbeat with heartbeatMs: 0', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        expectObservable(toServerSentEvents(cold<L0Event>('-'), { heartbeatMs: 0, scheduler }).frames, '^-----!').toBe('-');
      });
    });
  });

  describe('writeTo', () => {
    class FakeResponse extends EventEmitter {
      headersSent = false;
      status = 0;
      head: Record<string, string> = {};
      body = '';
      ended = false;
      writeHead(status: number, headers: Record<string, string>) { this.status = status; this.head = headers; this.headersSent = true; }
      write(chunk: string) { this.body += chunk; }
      end() { this.ended = true; }
    }

    it('should write the SSE headers, every frame, and end the response', () => {
      const res = new FakeResponse();
      toServerSentEvents(of(tok('a')), { heartbeatMs: 0 }).writeTo(res);
      expect([res.status, res.head['content-type'], res.body, res.ended]).toEqual([200, 'text/event-stream; charset=utf-8', frame(1, tok('a')) + END, true]);
    });

    it('should unsubscribe the events when the response closes (the client went away)', () => {
      const res = new FakeResponse();
      const source = new Subject<L0Event>();
      toServerSentEvents(source, { heartbeatMs: 0 }).writeTo(res);
      res.emit('close');
      expect(source.observed).toBe(false);
    });

    it('should not start the events at all for a response whose client already left', () => {
      const res = Object.assign(new FakeResponse(), { destroyed: true });
      let subscribed = 0;
      toServerSentEvents(defer(() => (subscribed++, NEVER)), { heartbeatMs: 0 }).writeTo(res);
      expect(subscribed).toBe(0);
    });

    it('should unsubscribe at once from a response whose client already left', () => {
      const res = Object.assign(new FakeResponse(), { destroyed: true });
      const source = new Subject<L0Event>();
      toServerSentEvents(source, { heartbeatMs: 0 }).writeTo(res);
      expect(source.observed).toBe(false);
    });
  });

  describe('toReadableStream', () => {
    it('should stream the frames as UTF-8 bytes', async () => {
      const text = await new Response(toServerSentEvents(of(tok('é')), { heartbeatMs: 0 }).toReadableStream()).text();
      expect(text).toBe(frame(1, tok('é')) + END);
    });

    it('should not start the events before the stream is first read (a Response nobody consumes runs nothing)', async () => {
      let subscribed = 0;
      const stream = toServerSentEvents(defer(() => (subscribed++, of(tok('a')))), { heartbeatMs: 0 }).toReadableStream();
      const response = new Response(stream);
      await Promise.resolve();
      await Promise.resolve();
      expect(subscribed).toBe(0);
      expect(await response.text()).toBe(frame(1, tok('a')) + END);
      expect(subscribed).toBe(1);
    });

    it('should subscribe once however many reads it takes', async () => {
      let subscribed = 0;
      const reader = toServerSentEvents(defer(() => (subscribed++, of(tok('a'), tok('b')))), { heartbeatMs: 0 }).toReadableStream().getReader();
      const text = new TextDecoder();
      const chunks: string[] = [];
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(text.decode(chunk.value));
      expect([chunks, subscribed]).toEqual([[frame(1, tok('a')), frame(2, tok('b')), END], 1]);
    });

    it('should never start the events of a stream cancelled before its first read', async () => {
      let subscribed = 0;
      await toServerSentEvents(defer(() => (subscribed++, NEVER)), { heartbeatMs: 0 }).toReadableStream().cancel();
      expect(subscribed).toBe(0);
    });

    it('should unsubscribe the events when a stream being read is cancelled', async () => {
      let unsubscribed = false;
      const source = concat(of(tok('a')), NEVER).pipe(finalize(() => (unsubscribed = true)));
      const reader = toServerSentEvents(source, { heartbeatMs: 0 }).toReadableStream().getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe(frame(1, tok('a')));
      expect(unsubscribed).toBe(false);
      await reader.cancel();
      expect(unsubscribed).toBe(true);
    });

    it('should unsubscribe the events when the stream is cancelled', async () => {
      const source = new Subject<L0Event>();
      await toServerSentEvents(source, { heartbeatMs: 0 }).toReadableStream().cancel();
      expect(source.observed).toBe(false);
    });
  });

  describe('validation', () => {
    it('should reject a non-Observable source at creation', () => {
      expect(() => toServerSentEvents([] as never)).toThrow(/needs an Observable/);
    });

    it('should name an unknown option with a suggestion', () => {
      expect(() => toServerSentEvents(NEVER, { heartbeat: 5 } as never)).toThrow('toServerSentEvents(events$, config): unknown option `heartbeat` (did you mean `heartbeatMs`?)');
    });

    it('should reject a malformed resumeFrom', () => {
      expect(() => toServerSentEvents(NEVER, { resumeFrom: 'abc' })).toThrow('toServerSentEvents(events$, {resumeFrom}) must be a non-negative integer (a Last-Event-ID), got "abc"');
    });

    it.each([
      [0, '0'], [-1, '-1'], [1.5, '1.5'], [NaN, 'NaN'], [2 ** 53, '9007199254740992'], ['8mb', '"8mb"'], [null, 'null'],
    ])('should reject a maxQueuedBytes of %s with a TypeError naming it', (maxQueuedBytes, shown) => {
      const make = () => toServerSentEvents(NEVER, { maxQueuedBytes: maxQueuedBytes as number });
      expect(make).toThrow(TypeError);
      expect(make).toThrow(`toServerSentEvents(events$, {maxQueuedBytes}) must be a whole number of bytes >= 1 (Infinity: no bound), got ${shown}`);
    });

    it('should reject a negative heartbeatMs', () => {
      expect(() => toServerSentEvents(throwError(() => 1), { heartbeatMs: -1 })).toThrow(/heartbeatMs\}\) must be/);
      expect(() => toServerSentEvents(NEVER, { heartbeatMs: 3e9 })).toThrow('toServerSentEvents(events$, {heartbeatMs}) must be at most 2147483647 ms (about 24.8 days), got 3000000000');
    });
  });
});
