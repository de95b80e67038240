/** @test {startFaultServer} */
import { describe, expect, it } from 'vitest';
import { eventually, runAiSdk, useSharedFaultServer } from './sdkDrivers.js';

// The same server through the real `ai` SDK (streamText + @ai-sdk/openai-compatible), reading
// `result.stream`; expectations follow reference/sdk-behaviour.md.
const REPLY = 'one two three four';
const ctx = useSharedFaultServer(REPLY);

describe('startFaultServer with the ai SDK', () => {
  it('should stream text deltas and finish with stop and usage', async () => {
    const { text, parts } = await runAiSdk(ctx.server, 'gpt-test');
    expect(text).toBe(REPLY);
    const finish = parts.find((p) => p.type === 'finish');
    expect(finish).toMatchObject({ finishReason: 'stop', totalUsage: { outputTokens: 4 } });
  });

  it.each([
    ['fault:rate-limit', 429, true],
    ['fault:unavailable', 503, true],
    ['fault:context-length-400', 400, false],
  ])('should yield start, then an APICallError part for %s (status %i, isRetryable %s), and no finish', async (model, status, retryable) => {
    const { types, parts, thrown } = await runAiSdk(ctx.server, model);
    expect(thrown).toBeUndefined();
    expect(types).toEqual(['start', 'error']);
    expect(parts[1].error).toMatchObject({ name: 'AI_APICallError', statusCode: status, isRetryable: retryable });
  });

  it('should expose Retry-After as a plain responseHeaders record', async () => {
    const { parts } = await runAiSdk(ctx.server, 'fault:rate-limit:2');
    expect(parts[1].error.responseHeaders['retry-after']).toBe('2');
  });

  it('should throw from the stream iterator when the socket is cut: APICallError 200, retryable, caused by UND_ERR_SOCKET', async () => {
    const { thrown, text } = await runAiSdk(ctx.server, 'fault:cut-after-n:2');
    expect(text).toBe('one two');
    expect(thrown).toMatchObject({ name: 'AI_APICallError', statusCode: 200, isRetryable: true });
    expect(thrown.cause).toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
  });

  it('should yield a JSON parse error part for a malformed chunk and keep streaming to finish stop', async () => {
    const { parts, text } = await runAiSdk(ctx.server, 'fault:malformed-chunk');
    expect(parts.find((p) => p.type === 'error')?.error).toMatchObject({ name: 'AI_JSONParseError' });
    expect(text).toBe(REPLY);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('should yield an error part and finish with error when no finish reason arrives', async () => {
    const { parts } = await runAiSdk(ctx.server, 'fault:no-done');
    expect(parts.find((p) => p.type === 'error')?.error).toMatchObject({ name: 'AI_InvalidResponseDataError' });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'error' });
  });

  it('should turn an in-band error frame into a non-retryable stream provider error', async () => {
    const { parts } = await runAiSdk(ctx.server, 'fault:error-in-200');
    expect(parts.find((p) => p.type === 'error')?.error).toMatchObject({ name: 'AI_StreamProviderError', isRetryable: false });
  });

  it('should assemble tool-call fragments into one tool call with finish tool-calls', async () => {
    const { parts } = await runAiSdk(ctx.server, 'fault:tool-call-fragments');
    expect(parts.filter((p) => p.type === 'tool-input-delta').length).toBe(4);
    expect(parts.find((p) => p.type === 'tool-call')).toMatchObject({ toolName: 'get_weather', input: { city: 'Paris', unit: 'celsius', days: 3 } });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('should yield an abort part when a stalled stream is aborted, and the server records the client leaving', async () => {
    const { types, text } = await runAiSdk(ctx.server, 'fault:stall', { abortWhen: { textParts: 2 } });
    expect(text).toBe('one two');
    expect(types.at(-1)).toBe('abort');
    await eventually(() => ctx.requestFor('fault:stall')?.closedByClient === true);
  });
});
