/** @test {toolDefinition} */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import { toolDefinition, toolParameters } from 'l0-rx';

describe('toolDefinition', () => {
  it('should build the OpenAI function format from a Zod schema, nested arrays keeping items', () => {
    const tool = toolDefinition({ name: 'plan', description: 'Plan a trip', parameters: z.object({ stops: z.array(z.object({ city: z.string() })) }) });
    expect(tool).toEqual({
      type: 'function',
      function: {
        name: 'plan',
        description: 'Plan a trip',
        parameters: {
          type: 'object',
          properties: { stops: { type: 'array', items: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
          required: ['stops'],
        },
      },
    });
  });

  it('should take a JSON Schema object as given, and strict', () => {
    const parameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    expect(toolDefinition({ name: 'search', parameters, strict: true }).function).toEqual({ name: 'search', parameters, strict: true });
  });

  it('should default to an empty object schema', () => {
    expect(toolParameters(undefined)).toEqual({ type: 'object', properties: {} });
  });

  it.each([
    [{ name: 'has space' }, /name/],
    [{ name: 'x'.repeat(65) }, /name/],
    [{ name: 'ok', parameters: v.object({}) }, /no ~standard\.jsonSchema/],
    [{ name: 'ok', strict: 'yes' }, /strict/],
    [{ name: 'ok', params: {} }, /did you mean `parameters`/],
  ])('should throw a TypeError for %j', (tool, message) => {
    expect(() => toolDefinition(tool as never)).toThrow(message);
  });
});
