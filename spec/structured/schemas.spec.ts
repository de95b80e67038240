/** @test {structured} */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z as z4 } from 'zod';
import { z as z3 } from 'zod3';
import * as v from 'valibot';
import { type } from 'arktype';
import { Schema } from 'effect';
import { Ajv } from 'ajv';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { isSchemaValidationError, jsonSchema, parseStructured, type L0Event } from 'l0-rx';

/* Every schema library the issue names, through the same operator: valid output, and a failure with issues and paths (L0 crashed on Zod 4, Effect and JSON Schema). */

const ajv = new Ajv();
const SCHEMAS: readonly (readonly [string, StandardSchemaV1])[] = [
  ['zod 4', z4.object({ name: z4.string(), tags: z4.array(z4.object({ id: z4.number() })) })],
  ['zod 3', z3.object({ name: z3.string(), tags: z3.array(z3.object({ id: z3.number() })) })],
  ['valibot', v.object({ name: v.string(), tags: v.array(v.object({ id: v.number() })) })],
  ['arktype', type({ name: 'string', tags: type({ id: 'number' }).array() })],
  ['effect', Schema.toStandardSchemaV1(Schema.Struct({ name: Schema.String, tags: Schema.Array(Schema.Struct({ id: Schema.Number })) }))],
  ['JSON Schema (ajv)', jsonSchema({
    type: 'object', required: ['name', 'tags'],
    properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'number' } } } } },
  }, ajv)],
];

async function run(schema: StandardSchemaV1, text: string): Promise<{ events: L0Event[]; error: unknown }> {
  const events: L0Event[] = [];
  try {
    const source = from<L0Event[]>([{ type: 'token', value: text }, { type: 'complete', finishReason: 'stop' }]);
    events.push(...(await lastValueFrom(source.pipe(parseStructured({ schema }), toArray()))));
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

describe.each(SCHEMAS)('structured output with %s', (_, schema) => {
  it('should validate good output into data', async () => {
    const { events } = await run(schema, '{"name": "a", "tags": [{"id": 1}]}');
    expect(events.find((e) => e.type === 'result')).toMatchObject({ data: { name: 'a', tags: [{ id: 1 }] } });
  });

  it('should fail with SCHEMA_VALIDATION_FAILED naming the path of the bad value', async () => {
    const { error } = await run(schema, '{"name": "a", "tags": [{"id": "x"}]}');
    expect(isSchemaValidationError(error) && error.code).toBe('SCHEMA_VALIDATION_FAILED');
    const issues = (isSchemaValidationError(error) ? error.info.issues ?? [] : []) as { message: string; path: unknown[] }[];
    // path segments as the library gives them (ArkType reports array indexes as strings)
    expect(issues.map((i) => [typeof i.message, i.path.map(String)])).toContainEqual(['string', ['tags', '0', 'id']]);
  });

  it('should name the missing key in the path of a required value that is absent', async () => {
    const { error } = await run(schema, '{"name": "a", "tags": [{}]}');
    const issues = (isSchemaValidationError(error) ? error.info.issues ?? [] : []) as { message: string; path: unknown[] }[];
    expect(issues.map((i) => i.path.map(String))).toContainEqual(['tags', '0', 'id']);
  });
});

describe('jsonSchema', () => {
  it('should throw at creation for a schema Ajv cannot compile', () => {
    expect(() => jsonSchema({ type: 'nope' }, ajv)).toThrow();
  });

  it('should throw a TypeError naming the argument without an Ajv instance', () => {
    expect(() => jsonSchema({ type: 'object' }, {} as never)).toThrow(/jsonSchema\(\{ajv\}\) must be an Ajv instance/);
  });

  it('should support $async schemas', async () => {
    const schema = jsonSchema({ $async: true, type: 'object', required: ['n'], properties: { n: { type: 'number' } } }, new Ajv());
    expect((await run(schema, '{"n": 1}')).events.some((e) => e.type === 'result')).toBe(true);
    expect(isSchemaValidationError((await run(schema, '{"n": "x"}')).error)).toBe(true);
  });

  it('should give the value Ajv coerced at the root too (`coerceTypes`: an answer "5" for a number), sync or $async', async () => {
    const coercing = new Ajv({ coerceTypes: 'array' });
    for (const [json, text, data] of [[{ type: 'number' }, '"5"', 5], [{ type: 'boolean' }, '"true"', true], [{ type: 'array', items: { type: 'number' } }, '"5"', [5]], [{ type: 'object', properties: { n: { type: 'number' } } }, '{"n": "5"}', { n: 5 }]] as const) {
      for (const schema of [jsonSchema(json, coercing), jsonSchema({ ...json, $async: true }, coercing)]) {
        const { events, error } = await run(schema, text);
        expect([error, events.find((e) => e.type === 'result')]).toEqual([undefined, expect.objectContaining({ data })]);
      }
    }
  });

  it('should keep what an async keyword threw as the cause, not turn it into a schema issue', async () => {
    const down = new Error('lookup service down');
    const withKeyword = new Ajv();
    withKeyword.addKeyword({ keyword: 'knownId', async: true, validate: () => Promise.reject(down) });
    const schema = jsonSchema({ $async: true, type: 'object', properties: { n: { type: 'number', knownId: true } } }, withKeyword);
    const { error } = await run(schema, '{"n": 1}');
    expect(isSchemaValidationError(error) && [error.cause, error.message]).toEqual([down, expect.stringContaining('lookup service down')]);
  });
});
