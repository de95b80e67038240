/** @test {l0} */
import OpenAI, { type ClientOptions } from 'openai';
import { describe, expect, it } from 'vitest';
import * as l0rx from 'l0-rx';
import { REPLY, requestsFor, useFaultServer } from './harness.js';
import { readmeBlock, runSnippet, settled, watchLeaks } from './readmeSnippet.js';

// The README's OpenAI quick start, run as written against the fault server with the real openai
// SDK: only the client's baseURL is pointed at the server, and the fault goes in the `x-fault`
// header (so the fallback model gets it too). Retries use the quick start's own budgets
// ('recommended'), so a retry waits 1 to 1.5 s.
const ctx = useFaultServer();
const leaks = watchLeaks();
const QUICK_START = readmeBlock('### With the OpenAI SDK');

function run(fault?: string) {
  const { server } = ctx;
  class ToFaultServer extends OpenAI {
    constructor(options: ClientOptions) {
      super({ ...options, baseURL: server.url, ...(fault ? { defaultHeaders: { 'x-fault': fault } } : {}) });
    }
  }
  return runSnippet(QUICK_START, { openai: { __esModule: true, default: ToFaultServer }, 'l0-rx': l0rx });
}

function expectNothingEscaped(): void {
  expect(leaks.unhandled, 'errors RxJS would rethrow').toEqual([]);
  expect(leaks.rejections, 'unhandled rejections').toEqual([]);
  expect(leaks.sdkConsole, "the SDK's own console output").toEqual([]);
}

describe('README quick start with the OpenAI SDK', () => {
  it('should print the answer once on a clean run, without calling the fallback', async () => {
    const printed = run();
    await settled(printed, leaks);
    expectNothingEscaped();
    expect(printed).toEqual({ log: [REPLY], error: [] });
    expect(ctx.server.requests.map((r) => r.model)).toEqual(['gpt-4o-mini']);
  });

  it('should print only the final answer after a cut stream, without the retracted text of the failed attempt', async () => {
    const printed = run('cut-after-n:3*1');
    await settled(printed, leaks);
    expectNothingEscaped();
    expect(printed).toEqual({ log: [REPLY], error: ['attempt 1 failed (incomplete_stream), retrying'] });
    expect(requestsFor(ctx.server, 'gpt-4o-mini').length).toBe(2);
  });

  it('should try the fallback on a 401, then hand the failure to the error handler: no crash, no unhandled rejection', async () => {
    const printed = run('auth-401');
    await settled(printed, leaks);
    expectNothingEscaped();
    expect(printed.log).toEqual([]);
    expect(printed.error).toEqual([
      'primary model failed (auth), trying fallback 1',
      expect.stringMatching(/^no answer: ALL_STREAMS_EXHAUSTED: .*401/),
    ]);
    expect(ctx.server.requests.map((r) => r.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });
});
