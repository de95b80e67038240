/** @test {structured} @test {parseStructured} */
import { from, lastValueFrom, tap, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  accumulate,
  isSchemaValidationError,
  l0,
  parseStructured,
  structured,
  type L0Event,
  type L0StreamFactory,
  type TruncatedPolicy,
} from 'l0-rx';
import { startFaultServer, type FaultServer } from 'l0-rx/testing';
import { eventsOf, PATIENT, RETRY } from './harness.js';
import { SDKS, type Sdk } from './sdks.js';

// Structured output the way users call it, through every SDK major against the fault server: the
// answer's JSON alone, in a ```json fence, or inside prose; the truncated-json fault; a first
// attempt that fails the schema; a stream cut mid-JSON. Each attempt can ask for its own model.

const PERSON = { name: 'Ada Lovelace', born: 1815, languages: ['en', 'fr'] };
const JSON_TEXT = '{"name": "Ada Lovelace", "born": 1815, "languages": ["en", "fr"]}';
/** What the server streams, a word per chunk. */
const REPLIES = {
  json: JSON_TEXT,
  fence: `\`\`\`json\n${JSON_TEXT}\n\`\`\``,
  prose: `Here is the person you asked for: ${JSON_TEXT} Let me know if you need more.`,
} as const;
/** The truncated-json fault's object, closed by repair. */
const CUT_PERSON = { name: 'Ada Lovelace', born: 1815, languages: ['en', ''] };

const Person = z.object({ name: z.string(), born: z.number(), languages: z.array(z.string()) });
/** Rejects the truncated-json fault's closed value (its last language is ''). */
const StrictPerson = Person.extend({ languages: z.array(z.string().min(1)) });

interface Parse {
  readonly schema: typeof Person;
  readonly onTruncated?: TruncatedPolicy;
}
interface Form {
  readonly name: string;
  /** Whether a JSON or schema failure is retried (the parsing runs inside the retry). */
  readonly retriesParsing: boolean;
  readonly run: (stream: L0StreamFactory, parse: Parse) => Observable<L0Event>;
}
/** The two ways the README shows: structured(), and parseStructured() piped after l0(). */
const FORMS: readonly Form[] = [
  { name: 'structured()', retriesParsing: true, run: (stream, parse) => structured({ stream, retry: RETRY, timeout: PATIENT, ...parse }) },
  {
    name: 'l0().pipe(parseStructured())',
    retriesParsing: false,
    run: (stream, parse) => l0({ stream, retry: RETRY, timeout: PATIENT }).pipe(parseStructured(parse)),
  },
];

const servers = {} as Record<keyof typeof REPLIES, FaultServer>;
beforeAll(async () => {
  for (const key of Object.keys(REPLIES) as (keyof typeof REPLIES)[]) servers[key] = await startFaultServer({ reply: REPLIES[key], tokenDelayMs: 1 });
});
afterAll(() => Promise.all(Object.values(servers).map((s) => s.close())));

/** Runs a form to its end (never throws): its events, the error it failed with, and the requests it made. */
async function run(sdk: Sdk, form: Form, reply: keyof typeof REPLIES, models: string | string[], parse: Partial<Parse> = {}) {
  const server = servers[reply];
  const before = server.requests.length;
  const events: L0Event[] = [];
  let error: unknown;
  const run$ = form.run(sdk.via(server, models), { schema: Person, ...parse });
  await lastValueFrom(run$.pipe(tap({ next: (e) => events.push(e), error: (e: unknown) => (error = e) })), { defaultValue: undefined }).catch(() => undefined);
  return { events, error, requests: server.requests.length - before, result: eventsOf(events, 'result')[0], partials: eventsOf(events, 'partial').map((p) => p.value) };
}

/** The events after the last `start`: the attempt that produced the result. */
const lastAttempt = (events: readonly L0Event[]) => events.slice(events.map((e) => e.type).lastIndexOf('start'));
/** The state accumulate() ends with. */
const finalState = (events: readonly L0Event[]) => lastValueFrom(from(events).pipe(accumulate()));

describe.each(SDKS)('structured output + $name', (sdk) => {
  describe.each(FORMS)('$name', (form) => {
    it('should stream partials of a clean JSON answer, then one result right before complete', async () => {
      const o = await run(sdk, form, 'json', 'gpt-test');
      expect(o.error).toBeUndefined();
      expect(o.result).toEqual({ type: 'result', data: PERSON, corrected: false, corrections: [], truncated: false, raw: JSON_TEXT });
      expect(o.events.slice(-2).map((e) => e.type)).toEqual(['result', 'complete']);
      expect(o.partials.length).toBeGreaterThan(2);
      expect(o.partials.at(-1)).toEqual(PERSON);
      expect(o.requests).toBe(1);
    });

    it.each([
      ['a ```json fence', 'fence', ['extract-fence']],
      ['prose around it', 'prose', ['extract-text']],
    ] as const)('should extract JSON from %s', async (_, reply, corrections) => {
      const o = await run(sdk, form, reply, 'gpt-test');
      expect(o.error).toBeUndefined();
      expect(o.result).toMatchObject({ data: PERSON, corrected: true, corrections, truncated: false, raw: REPLIES[reply] });
      expect(o.partials.at(-1)).toEqual(PERSON);
    });

    it("should accept the truncated-json fault with onTruncated: 'accept', flagged truncated", async () => {
      const o = await run(sdk, form, 'json', 'fault:truncated-json', { onTruncated: 'accept' });
      expect(o.result).toMatchObject({ data: CUT_PERSON, truncated: true, corrected: true, corrections: ['close-string', 'close-structure'] });
      expect(o.partials.at(-1)).toEqual(CUT_PERSON);
      expect(o.requests).toBe(1);
    });

    it('should treat the truncated-json fault as a lost answer by default', async () => {
      const o = await run(sdk, form, 'json', ['fault:truncated-json', 'gpt-test']);
      if (form.retriesParsing) {
        expect(eventsOf(o.events, 'retry').map((r) => [r.reason, r.error.code])).toEqual([['invalid_json', 'INVALID_JSON']]);
        expect(o.result).toMatchObject({ data: PERSON, raw: JSON_TEXT, truncated: false });
        expect(o.requests).toBe(2);
      } else {
        // parsing after l0() is outside its retry: the failure ends the run (README: put it in attemptOperators)
        expect(isSchemaValidationError(o.error) && [o.error.code, o.error.info.truncated, o.error.retryable]).toEqual(['INVALID_JSON', true, true]);
        expect(o.requests).toBe(1);
      }
    });

    it('should retry an attempt that fails the schema and pass on the next', async () => {
      const o = await run(sdk, form, 'json', ['fault:truncated-json', 'gpt-test'], { schema: StrictPerson, onTruncated: 'accept' });
      if (form.retriesParsing) {
        expect(eventsOf(o.events, 'retry').map((r) => [r.reason, r.error.code])).toEqual([['schema', 'SCHEMA_VALIDATION_FAILED']]);
        expect(o.result).toMatchObject({ data: PERSON, raw: JSON_TEXT });
        expect(o.requests).toBe(2);
      } else {
        expect(isSchemaValidationError(o.error) && [o.error.code, o.error.info.issues]).toMatchObject(['SCHEMA_VALIDATION_FAILED', [{ path: ['languages', 1] }]]);
        expect(o.requests).toBe(1);
      }
    });

    it("should retry a stream cut mid-JSON and keep nothing of the cut attempt's partials", async () => {
      const clean = await run(sdk, form, 'json', 'gpt-test');
      const o = await run(sdk, form, 'json', ['fault:cut-after-n:5', 'gpt-test']);
      const [retry] = eventsOf(o.events, 'retry');
      expect([retry?.reason, retry?.error.code]).toEqual(['incomplete_stream', 'INCOMPLETE_STREAM']);
      // the cut attempt had streamed partials ('{"name": "Ada Lovelace", "born": 1815,')
      expect(eventsOf(o.events.slice(0, o.events.indexOf(retry!)), 'partial').at(-1)?.value).toEqual({ name: 'Ada Lovelace', born: 1815 });
      // the next attempt's partials are a fresh parse of its own text: the same as a clean run's
      expect(eventsOf(lastAttempt(o.events), 'partial').map((p) => p.value)).toEqual(clean.partials);
      expect(o.result).toEqual(clean.result);
      expect(await finalState(o.events)).toMatchObject({ status: 'complete', content: JSON_TEXT, object: PERSON });
      expect(o.requests).toBe(2);
    });
  });
});
