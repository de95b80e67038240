/** @test {fallbackTo} nested in another loop's attempt (a whole l0() run with fallbacks inside a fallback, a race, a retry) */
import { describe, expect, it } from 'vitest';
import { asapScheduler, catchError, concat, lastValueFrom, of, throwError, toArray, type Observable } from 'rxjs';
import { fallbackTo, fromServerSentEvents, l0, ProviderError, raceModels, retryWithBackoff, serializeError, type AttemptContext, type L0Event } from 'l0-rx';
import { fakeModel, type FakeModel } from 'l0-rx/testing';
import { attemptSource, ev } from '../helpers/attemptSource.js';
import { testScheduler } from '../helpers/testScheduler.js';

/** What a consumer reads about attempts and streams: each `start`, `retry` and `fallback` with its numbers. */
const numbering = (events: readonly L0Event[]) => events.flatMap((e) =>
  e.type === 'start' ? [`start ${e.attempt}/${e.fallbackIndex}${e.model === undefined ? '' : ` ${e.model}`}`]
  : e.type === 'retry' ? [`retry ${e.attempt}`]
  : e.type === 'fallback' ? [`fallback ${e.fromIndex}->${e.toIndex}`]
  : []);
/** What each factory was told: `attempt/fallbackIndex` per call. */
const told = (model: FakeModel) => model.calls.map((c) => `${c.attempt}/${c.fallbackIndex}`);
const once = { maxRetries: 0 } as const;
const auth = () => new ProviderError('bad key', { code: 'AUTH_ERROR', category: 'auth', retryable: false, status: 401 });

describe('fallbackTo nested in another loop\'s attempt', () => {
  it('should number an inner l0()\'s fallbacks on from the outer fallback it runs in, and the outer\'s next fallback after them', () => {
    const ts = testScheduler();
    const events: L0Event[] = [];
    let error: unknown;
    // p: the outer primary; q and r: an l0() run with a fallback, raced (and retried) as the outer's fallback 1; s: the outer's fallback 2
    const [p, q, r, s] = [fakeModel('-#'), fakeModel('-a#'), fakeModel('-b#'), fakeModel('-c#')];
    ts.run(({ flush }) => {
      const inner = l0({ stream: q, model: 'q', fallbackStreams: [{ stream: r, model: 'r' }], retry: once, scheduler: ts });
      const raced = raceModels([inner]).pipe(retryWithBackoff({ ...once, scheduler: ts }));
      l0({ stream: p, model: 'p', fallbackStreams: [], retry: once, scheduler: ts })
        .pipe(fallbackTo(raced, l0({ stream: s, model: 's', retry: once, scheduler: ts })))
        .subscribe({ next: (e) => events.push(e), error: (e: unknown) => (error = e) });
      flush();
    });
    // one sequence, as a flat l0() with three fallbacks reads: the inner run's fallback is the consumer's second
    expect(numbering(events)).toEqual(['start 1/0 p', 'fallback 0->1', 'start 1/1 q', 'fallback 1->2', 'start 1/2 r', 'fallback 2->3', 'start 1/3 s']);
    expect([p, q, r, s].map(told)).toEqual([['1/0'], ['1/1'], ['1/2'], ['1/3']]);
    // the errors say the same numbers: the inner run's failure (its own AllStreamsExhaustedError, ended on stream 2) holds 1 and 2
    type Exhausted = { errors: (Exhausted & { fallbackIndex?: number })[] };
    const { errors } = error as Exhausted;
    expect(error).toMatchObject({ name: 'AllStreamsExhaustedError', fallbackIndex: 3 });
    expect([errors.map((e) => e.fallbackIndex), errors[1]!.errors.map((e) => e.fallbackIndex)]).toEqual([[0, 2, 3], [1, 2]]);
  });

  it('should keep numbering on when the outer retry runs the whole inner l0() again after its fallback', () => {
    const ts = testScheduler();
    const events: L0Event[] = [];
    let completed = false;
    const weird = new Error('weird'); // an unknown error: the inner run's AllStreamsExhaustedError is unknown too, which the outer retries
    const [q, r] = [fakeModel('-a#', { error: weird }), fakeModel(['-b#', '-bc|'], { error: weird })];
    ts.run(({ flush }) => {
      const inner = l0({ stream: q, model: 'q', fallbackStreams: [{ stream: r, model: 'r' }], retry: once, scheduler: ts });
      const raced = raceModels([inner]).pipe(retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 1, scheduler: ts }));
      l0({ stream: fakeModel('-#'), model: 'p', retry: once, scheduler: ts }).pipe(fallbackTo(raced))
        .subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
      flush();
    });
    // the retry is attempt 2 of stream 2, the last the consumer saw, never a second "attempt 1 of stream 1"
    expect(numbering(events)).toEqual([
      'start 1/0 p', 'fallback 0->1', 'start 1/1 q', 'fallback 1->2', 'start 1/2 r', 'retry 1', 'start 2/2 q', 'fallback 2->3', 'start 1/3 r',
    ]);
    expect([told(q), told(r)]).toEqual([['1/1', '2/2'], ['1/2', '1/3']]);
    expect(completed).toBe(true);
  });

  it('should carry the numbers of an inner run\'s fallback into the outer retry\'s veto and final error', () => {
    const ts = testScheduler();
    const asked: number[] = [];
    let error: unknown;
    const weird = new Error('weird');
    ts.run(({ flush }) => {
      const inner = l0({ stream: fakeModel('-a#', { error: weird }), fallbackStreams: [fakeModel('-b#', { error: weird })], retry: once, scheduler: ts });
      inner.pipe(retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 1, scheduler: ts, shouldRetry: (_, ctx) => (asked.push(ctx.attempt), false) }))
        .subscribe({ error: (e: unknown) => (error = e) });
      flush();
    });
    // the attempt that failed last is attempt 1 of stream 1 (the inner fallback), as its start said
    expect(asked).toEqual([1]);
    expect(error).toMatchObject({ name: 'AllStreamsExhaustedError', attempt: 1, fallbackIndex: 1 });
  });

  it('should number on after an inner fallback that a primary failing inside its subscribe starts at once', () => {
    const calls: AttemptContext[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: ev.tok('a'), b: ev.tok('b'), s: ev.start(), S: ev.start(1, 1), T: ev.start(1, 2), U: ev.start(1, 3) };
      const failed = new Error('down');
      const backup = cold('-------#', values, failed);
      const last = cold('----b|', values);
      const inner = attemptSource(() => throwError(auth), calls).pipe(fallbackTo(attemptSource(() => backup, calls)));
      const f = (from: number) => expect.objectContaining({ type: 'fallback', fromIndex: from, toIndex: from + 1 }) as unknown as L0Event;
      // the outer primary fails at 1; the inner primary fails inside its subscribe, and its fallback starts at once
      // (stream 2); it fails at 8 and the outer falls back to stream 3
      const run = attemptSource(() => cold('-#', values, failed), calls).pipe(fallbackTo(inner, attemptSource(() => last, calls)));
      expectObservable(run).toBe('s(fSgT)-(hU)b|', { ...values, f: f(0), g: f(1), h: f(2) });
      expectSubscriptions(backup.subscriptions).toBe('-^------!');
      expectSubscriptions(last.subscriptions).toBe('--------^----!');
    });
    expect(calls.map((c) => `${c.attempt}/${c.fallbackIndex}`)).toEqual(['1/0', '1/1', '1/2', '1/3']);
  });

  it('should number on after a raced inner run whose fallback wins during the race\'s subscribe', () => {
    const events: L0Event[] = [];
    const inner = attemptSource(() => throwError(auth)).pipe(fallbackTo(attemptSource(() => concat(of(ev.tok('a')), throwError(auth)))));
    attemptSource(() => throwError(auth))
      .pipe(fallbackTo(raceModels([inner]), attemptSource(() => of(ev.tok('b'), ev.complete()))))
      .subscribe((e) => events.push(e));
    expect(numbering(events)).toEqual(['start 1/0', 'fallback 0->1', 'start 1/1', 'fallback 1->2', 'start 1/2', 'fallback 2->3', 'start 1/3']);
  });

  it('should number on when a nested loop\'s primary fails inside its subscribe before any start (an open circuit breaker)', () => {
    // its fallback's start (stream 2) reached the outer loop while the outer still expected stream 1's: an InvalidStreamError
    for (const wrap of [(o: Observable<L0Event>) => o, (o: Observable<L0Event>) => raceModels([o])]) {
      const events: L0Event[] = [];
      let completed = false;
      const inner = throwError(auth).pipe(fallbackTo(attemptSource(() => of(ev.tok('a'), ev.complete()))));
      throwError(auth).pipe(fallbackTo(wrap(inner))).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
      expect([numbering(events), completed]).toEqual([['fallback 0->1', 'fallback 1->2', 'start 1/2'], true]);
    }
  });

  it('should number its first fallback after the fallbacks of an inner l0() that is its primary', () => {
    const ts = testScheduler();
    const events: L0Event[] = [];
    const [q, r, s] = [fakeModel('-a#'), fakeModel('-b#'), fakeModel('-c|')];
    ts.run(({ flush }) => {
      const inner = l0({ stream: q, fallbackStreams: [r], retry: once, scheduler: ts });
      inner.pipe(fallbackTo(l0({ stream: s, retry: once, scheduler: ts }))).subscribe((e) => events.push(e));
      flush();
    });
    expect(numbering(events)).toEqual(['start 1/0', 'fallback 0->1', 'start 1/1', 'fallback 1->2', 'start 1/2']);
    expect([q, r, s].map(told)).toEqual([['1/0'], ['1/1'], ['1/2']]);
  });

  it('should leave a top-level fallbackTo numbering its own streams 0, 1, 2', () => {
    const events: L0Event[] = [];
    const [p, q, r] = [fakeModel('-#'), fakeModel('-#'), fakeModel('-a|')];
    const ts = testScheduler();
    ts.run(({ flush }) => {
      l0({ stream: p, fallbackStreams: [q, r], retry: once, scheduler: ts }).subscribe((e) => events.push(e));
      flush();
    });
    expect(numbering(events)).toEqual(['start 1/0', 'fallback 0->1', 'start 1/1', 'fallback 1->2', 'start 1/2']);
    expect([p, q, r].map(told)).toEqual([['1/0'], ['1/1'], ['1/2']]);
  });
});

describe('fallbackTo and retryWithBackoff around a source that relays another run (fromServerSentEvents): the server numbers its own', () => {
  const down = serializeError(new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 }));
  /** The server's run fell back (its stream 1) and retried there, then failed: its own numbers, relayed. */
  const serverFellBack = [ev.start(1, 0), { type: 'fallback', fromIndex: 0, toIndex: 1, error: down } as L0Event, ev.start(1, 1), ev.tok('a'), ev.start(2, 1)];
  const frames = serverFellBack.map((e, i) => `id: ${i + 1}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('') + `event: error\ndata: ${JSON.stringify(down)}\n\n`;
  const relayed = () => fromServerSentEvents('http://x/events', { fetch: (async () => new Response(frames, { headers: { 'content-type': 'text/event-stream' } })) as typeof fetch });

  it('should number its own fallback 0 -> 1 after a retried relayed run, whatever streams the server fell back to', async () => {
    const calls: AttemptContext[] = [];
    const local = attemptSource(() => of(ev.tok('x'), ev.complete()), calls);
    const events = await lastValueFrom(relayed().pipe(retryWithBackoff({ maxRetries: 0, scheduler: asapScheduler }), fallbackTo(local), toArray()));
    expect(numbering(events).slice(-2)).toEqual(['fallback 0->1', 'start 1/1']);
    expect(calls.map((c) => `${c.attempt}/${c.fallbackIndex}`)).toEqual(['1/1']);
  });

  it('should leave a retry around it numbering its own requests, not the relayed run\'s attempts', async () => {
    const asked: number[] = [];
    const local = attemptSource(() => throwError(() => new Error('weird'))); // unknown: the run's AllStreamsExhaustedError is retried
    await lastValueFrom(relayed().pipe(
      fallbackTo(local),
      retryWithBackoff({ maxRetries: 1, baseDelay: 0, scheduler: asapScheduler, shouldRetry: (_, ctx) => (asked.push(ctx.attempt), false) }),
      toArray(),
      catchError(() => of([])),
    ));
    // the client's first request (the relayed run, then its fallback 1) failed: attempt 1, never the server's attempt 2
    expect(asked).toEqual([1]);
  });

  it('should leave a retry around a race numbering its own requests when the winner relays a run (its starts named after it)', async () => {
    const asked: number[] = [];
    await lastValueFrom(raceModels({ server: relayed().pipe(retryWithBackoff({ maxRetries: 0, scheduler: asapScheduler })) }).pipe(
      retryWithBackoff({ maxRetries: 1, baseDelay: 0, scheduler: asapScheduler, shouldRetry: (_, ctx) => (asked.push(ctx.attempt), false) }),
      toArray(),
      catchError(() => of([])),
    ));
    expect(asked).toEqual([1]);
  });
});
