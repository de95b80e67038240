/** @test {parseToolArguments} */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lastValueFrom, tap } from 'rxjs';
import { isProviderError, isSchemaValidationError, parseToolArguments, structured, type L0Event, type ToolCallEvent } from 'l0-rx';
import { eventsOf, expectComplete, PATIENT, runL0, RETRY, useFaultServer, type Outcome } from './harness.js';
import { faultyFetch, SDKS, type BodyFault, type Sdk } from './sdks.js';

// Tool calls the way the README shows them: `tool-call` events from l0(), their arguments through
// parseToolArguments(call, schema), through every SDK major. The server's tool-call-fragments fault
// streams `{"city": "Paris", "unit": "celsius", "days": 3}` for get_weather in N fragments (SSE
// events: 0 role, 1 the call's id and name, 2.. the fragments, then the finish reason).

const Weather = z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']), days: z.number().int().min(1) });
const WEATHER = { city: 'Paris', unit: 'celsius', days: 3 };

const ctx = useFaultServer(1);
const run = (sdk: Sdk, model: string, body?: BodyFault, retry: object = RETRY) =>
  runL0({ stream: sdk.via(ctx.server, model, body ? { fetch: faultyFetch(body) } : {}), retry, timeout: PATIENT });
const callsOf = (o: Outcome): ToolCallEvent[] => eventsOf(o.events, 'tool-call');
const rejection = (call: ToolCallEvent | undefined, schema: z.ZodType = Weather) => parseToolArguments(call!, schema).then(() => undefined, (e: unknown) => e);

describe.each(SDKS)('tool-call arguments + $name', (sdk) => {
  it.each([1, 4, 12])('should assemble %i fragments into one call whose arguments validate', async (fragments) => {
    const o = await run(sdk, `fault:tool-call-fragments:${fragments}`);
    expectComplete(o, 'tool-calls', '');
    expect(callsOf(o)).toMatchObject([{ id: 'call_fault_1', name: 'get_weather' }]);
    expect(await parseToolArguments(callsOf(o)[0]!, Weather)).toEqual(WEATHER);
    expect(o.state.toolCalls).toEqual(callsOf(o).map(({ id, name, arguments: args }) => ({ id, name, arguments: args })));
  });

  it('should reject arguments that fail the schema, with the path', async () => {
    const o = await run(sdk, 'fault:tool-call-fragments');
    const error = await rejection(callsOf(o)[0], Weather.extend({ unit: z.literal('fahrenheit') }));
    expect(isSchemaValidationError(error) && [error.code, error.info.issues]).toMatchObject(['SCHEMA_VALIDATION_FAILED', [{ path: ['unit'] }]]);
  });

  it('should repair malformed arguments (unquoted keys, single quotes) and validate them', async () => {
    const edit = (data: string) => data.replace('{\\"city\\": \\"Pa', "{city: 'Pa").replace('ris\\",', "ris',");
    const o = await run(sdk, 'fault:tool-call-fragments', { edit });
    expectComplete(o, 'tool-calls', '');
    expect(callsOf(o).map((c) => c.arguments)).toEqual([`{city: 'Paris', "unit": "celsius", "days": 3}`]);
    expect(await parseToolArguments(callsOf(o)[0]!, Weather)).toEqual(WEATHER);
  });

  it.each([
    ['cut mid-arguments', { keep: 3, ending: 'cut' }],
    ['ended mid-arguments', { keep: 3, ending: 'end' }],
    ['cut after its arguments, before the finish reason', { keep: 6, ending: 'cut' }],
    ['ended after its arguments, before the finish reason', { keep: 6, ending: 'end' }],
    // the calls are whole at the finish reason, but the attempt still fails and is retried
    ['cut after the finish reason, before the usage chunk', { keep: 7, ending: 'cut' }],
    ['cut after the usage chunk, before [DONE]', { keep: 8, ending: 'cut' }],
  ] as const)('should retry a stream %s and emit only the next attempt\'s call', async (_, body) => {
    const o = await run(sdk, 'fault:tool-call-fragments', body);
    expectComplete(o, 'tool-calls', '');
    expect(eventsOf(o.events, 'retry').map((r) => [r.reason, r.error.code])).toEqual([['incomplete_stream', 'INCOMPLETE_STREAM']]);
    // a call of the failed attempt would run the tool twice (and its arguments may be cut)
    expect(callsOf(o)).toHaveLength(1);
    expect(await parseToolArguments(callsOf(o)[0]!, Weather)).toEqual(WEATHER);
    expect(ctx.server.requests).toHaveLength(2);
  });

  it('should complete a body that closes cleanly after the finish reason (no usage, no [DONE]) with its call, unretried', async () => {
    // through the SDK such a body looks whole: openai hides [DONE], the AI SDK flushes its finish part
    const o = await run(sdk, 'fault:tool-call-fragments', { keep: 7, ending: 'end' });
    expectComplete(o, 'tool-calls', '');
    expect(eventsOf(o.events, 'retry')).toEqual([]);
    expect(await parseToolArguments(callsOf(o)[0]!, Weather)).toEqual(WEATHER);
    expect(callsOf(o)).toHaveLength(1);
  });

  it('should fail a cut tool call without a call when retries are off', async () => {
    const o = await run(sdk, 'fault:tool-call-fragments', { keep: 3, ending: 'end' }, { ...RETRY, maxRetries: 0 });
    expect(isProviderError(o.error) && o.error.code).toBe('INCOMPLETE_STREAM');
    expect(callsOf(o)).toEqual([]);
  });

  it('should retry a tool call without a name', async () => {
    const o = await run(sdk, 'fault:tool-call-fragments', { edit: (data) => data.replace('"name":"get_weather",', '') });
    expectComplete(o, 'tool-calls', '');
    expect(eventsOf(o.events, 'retry').map((r) => r.error.code)).toEqual(['MALFORMED_CHUNK']);
    expect(callsOf(o)).toHaveLength(1);
  });

  it('should retry a fragment whose arguments are not a string, as a compatible server may send (read as absent, the call completed with its JSON cut)', async () => {
    let edited = false;
    // the first fragment after the call's id and name: `"arguments":"..."` becomes `"arguments":["..."]`
    const edit = (data: string) => (edited ? data : data.replace(/\{"arguments":("(?:[^"\\]|\\.)*")\}/, (_, piece: string) => ((edited = true), `{"arguments":[${piece}]}`)));
    const o = await run(sdk, 'fault:tool-call-fragments', { edit });
    expectComplete(o, 'tool-calls', '');
    expect([edited, eventsOf(o.events, 'retry').map((r) => r.error.code)]).toEqual([true, ['MALFORMED_CHUNK']]);
    expect(callsOf(o)).toHaveLength(1);
    expect(await parseToolArguments(callsOf(o)[0]!, Weather)).toEqual(WEATHER);
  });

  it('should leave a tool-call answer to parseToolArguments: structured() parses the text, so it is INVALID_JSON', async () => {
    const events: L0Event[] = [];
    const run$ = structured({ schema: Weather, stream: sdk.via(ctx.server, 'fault:tool-call-fragments'), retry: RETRY, timeout: PATIENT });
    const error: unknown = await lastValueFrom(run$.pipe(tap((e) => events.push(e)))).catch((e: unknown) => e);
    expect(isSchemaValidationError(error) && error.code).toBe('INVALID_JSON');
    expect(await parseToolArguments(eventsOf(events, 'tool-call').at(-1)!, Weather)).toEqual(WEATHER);
  });
});
