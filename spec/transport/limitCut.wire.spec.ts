/** @test {fromServerSentEvents} {toServerSentEvents} a budget's cut crosses the wire as the caller's limit, never as zero output */
import { lastValueFrom, NEVER, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { budget, detectZeroOutput, fromServerSentEvents, isInvalidStreamError, l0, toServerSentEvents, type L0Event } from 'l0-rx';
import { failure, sse, useScriptedServer } from '../helpers/scriptedServer.js';

const LENGTH: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 0, inputTokens: 0 } };
const END = 'event: end\ndata: {}\n\n';
const frame = (id: number, data: string) => `id: ${id}\nevent: complete\ndata: ${data}\n\n`;
/** A server whose prompt alone is over the budget: it cuts the run before its first token, sending no request upstream. */
const overBudget = () => toServerSentEvents(NEVER.pipe(budget({ maxTotalTokens: 10, inputTokens: 20, onExceeded: 'complete' })), { heartbeatMs: 0 });

const wire = useScriptedServer();

describe("a budget's cut over SSE", () => {
  it('should send the cut as a complete frame with "limitCut": true, and no field on a model\'s own length finish', async () => {
    expect(await lastValueFrom(overBudget().frames.pipe(toArray()))).toEqual([frame(1, '{"type":"complete","finishReason":"length","usage":{"outputTokens":0,"inputTokens":0},"limitCut":true}'), END]);
    // a model's own length finish is no cut: it carries no field
    expect(await lastValueFrom(toServerSentEvents(of(LENGTH), { heartbeatMs: 0 }).frames.pipe(toArray()))).toEqual([frame(1, JSON.stringify(LENGTH)), END]);
  });

  it('should end an l0() around fromServerSentEvents with the length completion, one request, never a ZeroOutputError after retries', async () => {
    wire.serve((_req, res) => overBudget().writeTo(res));
    const events = await lastValueFrom(l0({ stream: () => fromServerSentEvents(wire.url, { reconnectAttempts: 0 }), retry: { attempts: 2, baseDelay: 0, maxDelay: 0 } }).pipe(toArray()));
    expect([events.filter((e) => e.type !== 'start'), wire.requests.length]).toEqual([[LENGTH], 1]);
  });

  it('should hand the client the event the server had: the field gone, the mark back (detectZeroOutput lets it pass)', async () => {
    wire.serve((_req, res) => overBudget().writeTo(res));
    const events = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 0 }).pipe(detectZeroOutput(), toArray()));
    expect(events).toEqual([LENGTH]);
    expect(Object.keys(events[0]!)).toEqual(['type', 'finishReason', 'usage']);
  });

  it('should still read a stream of before the field as it did: a length completion with nothing before it is zero output', async () => {
    wire.serve((_req, res) => { sse(res, frame(1, JSON.stringify(LENGTH)), END); res.end(); });
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 0 }).pipe(detectZeroOutput())));
    expect(e).toMatchObject({ code: 'ZERO_OUTPUT' });
  });

  it.each(['false', '1', '"yes"', 'null'])('should error with InvalidStreamError naming a limitCut of %s, never read it as the mark', async (bad) => {
    wire.serve((_req, res) => { sse(res, frame(1, `{"type":"complete","finishReason":"length","limitCut":${bad}}`), END); res.end(); });
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 0 })));
    expect([isInvalidStreamError(e), (e as Error).message, wire.requests.length]).toEqual([true, expect.stringContaining('(`limitCut` is not true on a complete event)'), 1]);
  });
});
