/** @test {parseToolArguments} */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, parseToolArguments, type ToolCallEvent } from 'l0-rx';

const call = (args: string): ToolCallEvent => ({ type: 'tool-call', id: 'c1', name: 'weather', arguments: args });
const schema = z.object({ city: z.string(), days: z.number().default(1) });

describe('parseToolArguments', () => {
  it('should parse and validate a tool call, with the schema transforms applied', async () => {
    expect(await parseToolArguments(call('{"city": "Paris"}'), schema)).toEqual({ city: 'Paris', days: 1 });
  });

  it('should repair malformed arguments', async () => {
    expect(await parseToolArguments("{city: 'Oslo', days: 2,}", schema)).toEqual({ city: 'Oslo', days: 2 });
  });

  it('should reject with SCHEMA_VALIDATION_FAILED and the path', async () => {
    const error: unknown = await parseToolArguments(call('{"city": 1}'), schema).catch((e: unknown) => e);
    expect(isSchemaValidationError(error) && error.info.issues).toMatchObject([{ path: ['city'] }]);
  });

  it('should reject cut arguments with INVALID_JSON, flagged truncated', async () => {
    const error: unknown = await parseToolArguments(call('{"city": "Par'), schema).catch((e: unknown) => e);
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated]).toEqual(['INVALID_JSON', true]);
  });

  it('should reject a call the token limit cut (marked truncated) even when its arguments parse, naming it', async () => {
    // Mastra makes cut arguments `{}`; a cut at a value's end can also look whole
    const error: unknown = await parseToolArguments({ ...call('{"city": "Paris"}'), truncated: true }, schema).catch((e: unknown) => e);
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual(['INVALID_JSON', true, expect.stringContaining('weather (c1)')]);
  });

  it.each(['{"city":"Paris"}{"city":"London"}', '{"city": "Paris"}\n{"city": "Lon', "{'city': 'Paris'} {'city': 'London'}"])(
    'should reject two calls\' arguments merged into one (%j) with INVALID_JSON, not run the first alone',
    async (text) => {
      const error: unknown = await parseToolArguments(call(text), schema).catch((e: unknown) => e);
      expect(isSchemaValidationError(error) && [error.code, error.message]).toEqual(['INVALID_JSON', expect.stringMatching(/more than one JSON value/)]);
    },
  );

  it.each([
    '```json\n{"city": "Paris"}\n{"city": "London"}\n```',
    '```json\n{"city": "Paris"}{"city": "London"}\n```',
    '```json\n{"city": "Paris"}\n```\n```json\n{"city": "London"}\n```',
    '```json\n{"city": "Paris"}\n``` {"city": "London"}',
    "```json\n{'city': 'Paris'}\n```\n{'city': 'Lon",
  ])('should reject two calls\' fenced arguments (%j) with INVALID_JSON, not run the first alone', async (text) => {
    const error: unknown = await parseToolArguments(call(text), schema).catch((e: unknown) => e);
    expect(isSchemaValidationError(error) && [error.code, error.message]).toEqual(['INVALID_JSON', expect.stringMatching(/more than one JSON value/)]);
  });

  it('should still read one fenced call, with a note after its fence', async () => {
    expect(await parseToolArguments(call('```json\n{"city": "Paris"}\n```\nThis gets the weather.'), schema)).toEqual({ city: 'Paris', days: 1 });
  });

  it('should still read arguments with prose after them', async () => {
    expect(await parseToolArguments(call('{"city": "Paris"} (see [1])'), schema)).toEqual({ city: 'Paris', days: 1 });
  });

  it('should keep what a throwing schema threw as the cause', async () => {
    const boom = new Error('boom');
    const throwing = { '~standard': { version: 1, vendor: 'x', validate: () => { throw boom; } } } as const;
    const error: unknown = await parseToolArguments('{"a": 1}', throwing as never).catch((e: unknown) => e);
    expect(isSchemaValidationError(error) && error.cause).toBe(boom);
  });

  it('should reject a schema that is not a Standard Schema', async () => {
    await expect(parseToolArguments(call('{}'), {} as never)).rejects.toThrow(/Standard Schema/);
  });
});
