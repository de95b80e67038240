/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { tap } from 'rxjs';
import { fromStream, isUnknownError, type StreamAdapter, type StreamInput } from 'l0-rx';
import { expectClosedByClient, useFaultServer } from './harness.js';
import { RESPONSES, SDKS } from './sdks.js';

// A user callback that throws, downstream of fromStream or inside it (a custom adapter), ends the run with
// that error and closes the SDK's request: the server sees the client go (every SDK major, both openai APIs).

const ctx = useFaultServer(1);
const MODEL = 'fault:stall:3';
const bug = new Error('a bug in user code');
const settle = (events$: ReturnType<typeof fromStream>) => new Promise<unknown>((resolve) => events$.subscribe({ error: resolve, complete: () => resolve('completed') }));
/** Takes every stream and throws at its third chunk (the AI SDK's first, `start`, comes before its request is sent). */
const throwing: StreamAdapter = {
  name: 'throwing',
  detect: () => true,
  create: () => {
    let chunks = 0;
    return { push: () => { if (++chunks === 3) throw bug; }, end: () => {} };
  },
};

describe.each([...SDKS, ...RESPONSES])('a throwing user callback + $name', (sdk) => {
  const events$ = (adapters: StreamAdapter[] = []) => fromStream((c) => sdk.via(ctx.server, MODEL)(c as never) as StreamInput, { adapters });

  it('should end the run with the error of a downstream callback that throws at a token, and close the request', async () => {
    let tokens = 0;
    const error = await settle(events$().pipe(tap((e) => { if (e.type === 'token' && ++tokens === 2) throw bug; })));
    expect([error, tokens]).toEqual([bug, 2]);
    await expectClosedByClient(ctx.server, MODEL, 0);
  });

  it('should end the run with an UnknownError wrapping what a custom adapter threw, and close the request', async () => {
    const error = await settle(events$([throwing]));
    expect(isUnknownError(error) && error.cause).toBe(bug);
    await expectClosedByClient(ctx.server, MODEL, 0);
  });
});
