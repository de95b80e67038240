/** @test {l0} */
import * as ai from 'ai';
import * as openaiCompatible from '@ai-sdk/openai-compatible';
import { describe, expect, it } from 'vitest';
import * as l0rx from 'l0-rx';
import { REPLY, useFaultServer } from './harness.js';
import { readmeBlock, runSnippet, settled, watchLeaks } from './readmeSnippet.js';

// The README's AI SDK quick start, run as written against the fault server with the real `ai` SDK
// and @ai-sdk/openai-compatible: only the provider's baseURL is pointed at the server, and the fault
// goes in the `x-fault` header. Retries use the quick start's own (default) budgets, so a retry
// waits 1 to 1.5 s.
const ctx = useFaultServer();
const leaks = watchLeaks();
const QUICK_START = readmeBlock('### With the AI SDK');

function run(fault?: string) {
  const createOpenAICompatible: typeof openaiCompatible.createOpenAICompatible = (settings) =>
    openaiCompatible.createOpenAICompatible({ ...settings, baseURL: ctx.server.url, ...(fault ? { headers: { 'x-fault': fault } } : {}) });
  return runSnippet(QUICK_START, { ai, '@ai-sdk/openai-compatible': { createOpenAICompatible }, 'l0-rx': l0rx });
}

function expectNothingEscaped(): void {
  expect(leaks.unhandled, 'errors RxJS would rethrow').toEqual([]);
  expect(leaks.rejections, 'unhandled rejections').toEqual([]);
  expect(leaks.sdkConsole, "the SDK's own console output").toEqual([]);
}

describe('README quick start with the AI SDK', () => {
  it('should print the answer once on a clean run', async () => {
    const printed = run();
    await settled(printed, leaks);
    expect(printed).toEqual({ log: [REPLY], error: [] });
    expectNothingEscaped();
  });

  it('should print only the final answer after a cut stream, without the retracted text of the failed attempt', async () => {
    const printed = run('cut-after-n:3*1');
    await settled(printed, leaks);
    expect(printed).toEqual({ log: [REPLY], error: ['attempt 1 failed (incomplete_stream), retrying'] });
    expect(ctx.server.requests.length).toBe(2);
    expectNothingEscaped();
  });

  it('should keep the stack trace of a retried 500 off the console (the onError option)', async () => {
    const printed = run('server-error*1');
    await settled(printed, leaks);
    expect(printed).toEqual({ log: [REPLY], error: ['attempt 1 failed (server_error), retrying'] });
    expectNothingEscaped();
  });

  it('should hand a 401 to the error handler: no answer, no crash, no unhandled rejection, no retry', async () => {
    const printed = run('auth-401');
    await settled(printed, leaks);
    expectNothingEscaped();
    expect(printed.log).toEqual([]);
    expect(printed.error).toEqual([expect.stringMatching(/^no answer: AUTH_ERROR: .*401/)]);
    expect(ctx.server.requests.length).toBe(1);
  });
});
