/** Fakes shared by the SSE server's backpressure specs: node:http-like responses and the frames they get. */
import { EventEmitter } from 'node:events';
import { Subject } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { toServerSentEvents, type L0Event, type ToServerSentEventsConfig } from 'l0-rx';

export const tok = (value: string): L0Event => ({ type: 'token', value });
export const frame = (seq: number, event: L0Event) => `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
export const END = 'event: end\ndata: {}\n\n';
export const HEARTBEAT = ': heartbeat\n\n';

/** Runs the scheduler's timers up to `frame` (virtual ms since it was made). */
export const advanceTo = (ts: TestScheduler, frame: number): void => {
  ts.maxFrames = frame;
  ts.flush();
  ts.frame = frame;
};

/** Lets a first read's `pull` run (the stream starts in a microtask), so `source` is subscribed. */
export const subscribed = async (source: { readonly observed: boolean }): Promise<void> => {
  for (let i = 0; i < 10 && !source.observed; i++) await Promise.resolve();
  expect(source.observed).toBe(true);
};

/** A response whose `write()` returns `!full`, as node:http's does past its high-water mark. */
export class FakeResponse extends EventEmitter {
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

/** A response with node:http's `destroy()`: the socket goes, and with it the response ('close'). */
export class DestroyableResponse extends FakeResponse {
  destroyed = false;
  destroy() { this.destroyed = true; this.emit('close'); }
}

/** A response written by `toServerSentEvents(source, config).writeTo` whose client has stopped reading (`write()` returns false). */
export function heldUp<R extends FakeResponse>(config: ToServerSentEventsConfig = { heartbeatMs: 0 }, res: R = new FakeResponse() as R) {
  const source = new Subject<L0Event>();
  const subscription = toServerSentEvents(source, config).writeTo(res);
  res.full = true;
  return { res, source, subscription };
}
