/* Fixtures shared by the event-store specs. */
import { Observable } from 'rxjs';
import type { EventEnvelope, EventStore, L0Event } from 'l0-rx';

/** A token envelope of `streamId` at `seq`. */
export const env = (streamId: string, seq: number, value = String(seq)): EventEnvelope => ({ v: 1, streamId, seq, ts: seq, event: { type: 'token', value } });

/** `count` tokens, in chunks of `chunk` with a macrotask between chunks, so many writers interleave. */
export function tokens(count: number, chunk: number): Observable<L0Event> {
  return new Observable((subscriber) => {
    let sent = 0;
    let timer: ReturnType<typeof setImmediate> | undefined;
    const next = () => {
      for (let i = 0; i < chunk && sent < count; i++) subscriber.next({ type: 'token', value: `t${sent++}` });
      if (sent < count) timer = setImmediate(next);
      else subscriber.complete();
    };
    next();
    return () => timer && clearImmediate(timer);
  });
}

/**
 * A store of your own around `inner` that writes the recorder's envelopes without their run tag,
 * as recorders before run tags did (the same objects: the recorder's other marks stay).
 */
export const untagged = (inner: EventStore): EventStore => ({
  append(envelopes) {
    for (const e of envelopes) delete (e as { run?: string }).run;
    return inner.append(envelopes);
  },
  read: (id, range) => inner.read(id, range),
  streams: () => inner.streams(),
  delete: (id) => inner.delete(id),
});
