/** @test {structured} */
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, structured, type L0Event, type L0StreamFactory, type ResultEvent, type RetryEvent } from 'l0-rx';
import { startFaultServer, type FaultServer } from 'l0-rx/testing';
import { openaiClient } from '../testing/sdkDrivers.js';
import { expectClosedByClient } from '../integration/harness.js';

/* structured() through the real openai SDK against the loopback fault server's `truncated-json` fault. */

const FULL = '{"name": "Ada Lovelace", "born": 1815, "languages": ["en", "fr"]}';
const person = z.object({ name: z.string(), born: z.number(), languages: z.array(z.string()) });
const strictPerson = person.extend({ languages: z.array(z.string().min(1)) });
const RETRY = { attempts: 1, maxRetries: 2, backoff: 'fixed', baseDelay: 5 } as const;
const TIMEOUT = { initialToken: 2000, interToken: 2000 };

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer({ reply: FULL, tokenDelayMs: 1 });
});
afterAll(() => server.close());

/** A factory calling `models[attempt - 1]` (the last one repeating) through the real SDK. */
function viaOpenAI(...models: string[]): L0StreamFactory {
  const client = openaiClient(server);
  return ({ signal, attempt }) => client.chat.completions.create(
    { model: models[Math.min(attempt, models.length) - 1]!, messages: [{ role: 'user', content: 'Who was Ada?' }], stream: true },
    { signal },
  );
}

async function run(options: Omit<Parameters<typeof structured>[0], 'schema'> & { schema?: typeof person }) {
  const before = server.requests.length;
  try {
    const events = await lastValueFrom(structured({ schema: person, timeout: TIMEOUT, retry: RETRY, ...options }).pipe(toArray()));
    return { events, error: undefined, requests: server.requests.length - before };
  } catch (error) {
    return { events: [] as L0Event[], error, requests: server.requests.length - before };
  }
}
const resultOf = (events: readonly L0Event[]) => events.find((e): e is ResultEvent => e.type === 'result');

describe('structured() + openai SDK + fault server', () => {
  it("should accept the truncated JSON on the first request with onTruncated: 'accept', flagged truncated, after partials", async () => {
    const { events, requests } = await run({ stream: viaOpenAI('fault:truncated-json'), onTruncated: 'accept' });
    expect(resultOf(events)).toMatchObject({ data: { name: 'Ada Lovelace', born: 1815, languages: ['en', ''] }, truncated: true, corrections: ['close-string', 'close-structure'] });
    expect(events.filter((e) => e.type === 'partial').at(-1)).toEqual({ type: 'partial', value: { name: 'Ada Lovelace', born: 1815, languages: ['en', ''] } });
    expect(requests).toBe(1);
  });

  it('should retry the truncated JSON by default with a fresh request whose text alone is parsed', async () => {
    const { events, requests } = await run({ stream: viaOpenAI('fault:truncated-json', 'gpt-clean') });
    expect(resultOf(events)).toMatchObject({ data: JSON.parse(FULL) as object, raw: FULL, truncated: false, corrected: false });
    expect(events.filter((e): e is RetryEvent => e.type === 'retry').map((e) => e.reason)).toEqual(['invalid_json']);
    expect(requests).toBe(2);
  });

  it('should retry a first attempt that fails schema validation and pass on the second', async () => {
    const { events, requests } = await run({ stream: viaOpenAI('fault:truncated-json', 'gpt-clean'), schema: strictPerson, onTruncated: 'accept' });
    const retry = events.find((e): e is RetryEvent => e.type === 'retry');
    expect([retry?.reason, retry?.error.code]).toEqual(['schema', 'SCHEMA_VALIDATION_FAILED']);
    expect(resultOf(events)?.data).toEqual(JSON.parse(FULL));
    expect(requests).toBe(2);
  });

  it('should fail at once, without retrying, when the model answers with a tool call only', async () => {
    const { events, error, requests } = await run({ stream: viaOpenAI('fault:tool-call-fragments') });
    expect(isSchemaValidationError(error) && [error.code, error.retryable, error.info.toolCalls]).toEqual(['INVALID_JSON', false, ['get_weather']]);
    expect([events.length, requests]).toEqual([0, 1]);
  });

  it('should abort the request when the consumer unsubscribes mid-answer (a stalled stream stays open otherwise)', async () => {
    const events: L0Event[] = [];
    await new Promise<void>((resolve) => {
      // the events come after subscribe returns: the stream is an HTTP response
      const sub = structured({ schema: person, timeout: TIMEOUT, retry: RETRY, stream: viaOpenAI('fault:stall:3') }).subscribe((e) => {
        events.push(e);
        if (e.type !== 'partial') return;
        sub.unsubscribe();
        resolve();
      });
    });
    await expectClosedByClient(server, 'fault:stall:3');
    expect(events.map((e) => e.type)).not.toContain('result');
  });

  it('should fail with SchemaValidationError once the budget is spent', async () => {
    const { error, requests } = await run({ stream: viaOpenAI('fault:truncated-json'), onTruncated: 'retry' });
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated]).toEqual(['INVALID_JSON', true]);
    expect(requests).toBe(2);
  });
});
