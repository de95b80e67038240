/** @test {raceModels} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, tap, toArray, type Observable } from 'rxjs';
import {
  accumulate, circuitBreaker, createCircuitBreaker, fallbackTo, fromStream, hedge, l0, raceModels, retryWithBackoff,
  type L0Event, type L0State, type StreamFactory,
} from 'l0-rx';
import { PATIENT, REPLY, RETRY, eventually, eventsOf, expectClosedByClient, openaiClient, requestsFor, useFaultServer, viaOpenAI } from './harness.js';
import type OpenAI from 'openai';

// Racing, hedging and circuit breaking through the real openai SDK against the loopback fault server:
// the losers' HTTP requests must be closed by the client, not left streaming.
const ctx = useFaultServer();

const run = (client: OpenAI, model: string) => l0({ stream: viaOpenAI(client, model), retry: RETRY, timeout: PATIENT });
const finalState = (o: Observable<L0Event>): Promise<L0State> => lastValueFrom(o.pipe(accumulate()));
/** A bare attempt on `model` (no l0 preset), for composing the breaker by hand. */
const attempt = (client: OpenAI, model: string): Observable<L0Event> => {
  const factory: StreamFactory = ({ signal }) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Tell me about the fox.' }], stream: true }, { signal });
  return fromStream(factory);
};

describe('multi-model composition + openai SDK', () => {
  it('should stream the model that answers first and close the losers\' requests (raceModels)', async () => {
    const client = openaiClient(ctx.server);
    const events = await lastValueFrom(
      raceModels({ slow: run(client, 'fault:slow-first-token:400'), fast: run(client, 'gpt-fast'), slower: run(client, 'fault:slow-first-token:600') }).pipe(toArray()),
    );
    expect(eventsOf(events, 'start').map((s) => s.model)).toEqual(['fast']);
    expect(eventsOf(events, 'token').map((t) => t.value).join('')).toBe(REPLY);
    await expectClosedByClient(ctx.server, 'fault:slow-first-token:400');
    await expectClosedByClient(ctx.server, 'fault:slow-first-token:600');
    expect(requestsFor(ctx.server, 'gpt-fast')[0]!.closedByClient).toBe(false);
  });

  it('should hedge a slow first token with a backup, keep the backup and close the primary (hedge)', async () => {
    const client = openaiClient(ctx.server);
    const wins: number[] = [];
    const state = await finalState(run(client, 'fault:slow-first-token:800').pipe(hedge(run(client, 'gpt-backup'), { delay: 100, onWin: (w) => wins.push(w.index) })));
    expect([state.status, state.content, wins]).toEqual(['complete', REPLY, [1]]);
    await expectClosedByClient(ctx.server, 'fault:slow-first-token:800');
  });

  it('should not hedge when the primary answers within the delay', async () => {
    const client = openaiClient(ctx.server);
    const state = await finalState(run(client, 'gpt-primary').pipe(hedge(run(client, 'gpt-backup'), { delay: 1_000 })));
    expect(state.content).toBe(REPLY);
    expect(requestsFor(ctx.server, 'gpt-backup')).toHaveLength(0);
  });

  // the consumer leaves, or the race errors on its own, before any entrant won: every request already sent is closed
  it('should close every entrant\'s request when the consumer unsubscribes before any won (raceModels)', async () => {
    const client = openaiClient(ctx.server);
    const models = ['fault:no-response', 'fault:slow-first-token:3000'];
    const race = raceModels(models.map((m) => attempt(client, m))).subscribe();
    await eventually(() => models.every((m) => requestsFor(ctx.server, m).length === 1));
    race.unsubscribe();
    for (const m of models) await expectClosedByClient(ctx.server, m);
  });

  it('should close the primary\'s and the backup\'s requests when the consumer unsubscribes before either won (hedge)', async () => {
    const client = openaiClient(ctx.server);
    const hedged = attempt(client, 'fault:slow-first-token:3000').pipe(hedge(attempt(client, 'fault:no-response'), { delay: 50 })).subscribe();
    await eventually(() => ['fault:slow-first-token:3000', 'fault:no-response'].every((m) => requestsFor(ctx.server, m).length === 1));
    hedged.unsubscribe();
    for (const m of ['fault:slow-first-token:3000', 'fault:no-response']) await expectClosedByClient(ctx.server, m);
  });

  it('should close every entrant\'s request when winOn throws (the race errors on its own)', async () => {
    const client = openaiClient(ctx.server);
    const error = await lastValueFrom(raceModels([attempt(client, 'fault:slow-first-token:100'), attempt(client, 'fault:no-response')], { winOn: () => { throw new Error('winOn'); } })).catch((e: unknown) => e);
    expect((error as Error).message).toBe('winOn');
    await expectClosedByClient(ctx.server, 'fault:no-response');
    await expectClosedByClient(ctx.server, 'fault:slow-first-token:100');
  });

  it('should open the breaker on a flapping model and send the next calls straight to the fallback', async () => {
    const client = openaiClient(ctx.server);
    const changes: string[] = [];
    const breaker = createCircuitBreaker({ key: 'flapping', failureThreshold: 1, resetTimeout: 60_000, onStateChange: (c) => changes.push(`${c.from}>${c.to}`) });
    const call = () => {
      const fallbacks: string[] = [];
      const o = attempt(client, 'fault:flapping').pipe(
        circuitBreaker(breaker),
        retryWithBackoff({ ...RETRY, maxRetries: 0 }),
        fallbackTo(attempt(client, 'gpt-fallback')),
        tap((e) => e.type === 'fallback' && fallbacks.push(e.error.code ?? e.error.name)),
      );
      return finalState(o).then((s) => ({ content: s.content, fallbacks }));
    };
    expect(await call()).toEqual({ content: REPLY, fallbacks: ['SERVER_ERROR'] });
    expect(await call()).toEqual({ content: REPLY, fallbacks: ['CIRCUIT_OPEN'] });
    expect(await call()).toEqual({ content: REPLY, fallbacks: ['CIRCUIT_OPEN'] });
    expect(requestsFor(ctx.server, 'fault:flapping')).toHaveLength(1);
    expect(requestsFor(ctx.server, 'gpt-fallback')).toHaveLength(3);
    expect(changes).toEqual(['closed>open']);
  });
});
