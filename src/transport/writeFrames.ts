import { Subscription, type Observable } from 'rxjs';
import { HEARTBEAT_FRAME } from './sseFrames.js';
import type { SseResponseLike } from './toServerSentEvents.js';

/**
 * Writes the frames into `response` as `node:http` wants it (`toServerSentEvents`'s rule 8): after
 * a `write()` that returned false, frames wait in a queue (heartbeats are dropped) until `'drain'`
 * writes them on in order; `end()` waits for the queue. Past `maxQueued` of them the client is cut
 * (rule 9). Unsubscribing before the end drops the queue: nothing more is written.
 */
export function writeFrames(frames: Observable<string>, response: SseResponseLike, maxQueued: number, backlog: Backlog): Subscription {
  let queue: string[] = [];
  /** The next queued frame to write (a cursor, so a long queue is not shifted frame by frame). */
  let head = 0;
  /** The length of the frames still queued. */
  let queued = 0;
  /**
   * The length of the frames queued since the subscription returned (0 again once the queue is
   * written): what a synchronous source sent at once (a replay's backlog on a reconnect) is not held
   * against the client until it has read it, so a backlog past the bound does not cut every reconnect.
   */
  let live = 0;
  let subscribing = true;
  /** `write()` returned false and no `'drain'` has come since. */
  let waiting = false;
  let complete = false;
  // closes at the end, or first (a cut, an unsubscribe): then the queue is dropped
  const subscription = new Subscription(() => {
    if (!complete) queue = [];
  });
  const write = (frame: string): void => {
    if (response.write(frame) !== false) return;
    waiting = true;
    response.once('drain', drain);
  };
  const drain = (): void => {
    waiting = false;
    while (!waiting && head < queue.length) {
      const frame = queue[head++]!;
      queued -= frame.length;
      write(frame);
    }
    if (head < queue.length) return;
    queue = [];
    head = live = 0;
    // ends once the queue is written and the response has taken it all: no 'drain' is pending then
    if (complete && !waiting) response.end();
  };
  subscription.add(frames.subscribe({
    next: (frame) => {
      const ofBacklog = backlog.frame; // (a replay's backlog, as what came synchronously, is held against the client only once read)
      backlog.frame = false;
      if (subscription.closed) return; // cut while the frames came synchronously
      if (!waiting) write(frame);
      else if (frame !== HEARTBEAT_FRAME) {
        queue.push(frame);
        queued += frame.length;
        if (subscribing || ofBacklog || Math.min(queued, (live += frame.length)) <= maxQueued) return;
        subscription.unsubscribe();
        if (typeof response.destroy === 'function') response.destroy();
        else response.end();
      }
    },
    complete: () => {
      if (subscription.closed) return;
      complete = true;
      if (!waiting) response.end();
      subscription.unsubscribe();
    },
  }));
  subscribing = false;
  return subscription;
}

/** Whether the frame going out is of a replay source's backlog (rule 9): set by the frames, read and cleared by the writer. */
export interface Backlog {
  frame: boolean;
}
