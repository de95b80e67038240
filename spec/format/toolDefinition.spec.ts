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

  it('should take a JSON Schema object as given', () => {
    const parameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    expect(toolDefinition({ name: 'search', parameters, strict: false }).function).toEqual({ name: 'search', parameters, strict: false });
  });

  describe('strict: true (OpenAI strict mode: every object closed, every property required)', () => {
    it('should close every object of a Zod schema (nested, in arrays, in unions), as OpenAI requires', () => {
      const parameters = z.object({
        stops: z.array(z.object({ city: z.string() })),
        mode: z.union([z.object({ car: z.boolean() }), z.object({ train: z.string() })]),
      });
      const { function: f } = toolDefinition({ name: 'plan', parameters, strict: true });
      expect(f.strict).toBe(true);
      expect(f.parameters).toMatchObject({
        additionalProperties: false,
        properties: {
          stops: { items: { additionalProperties: false } },
          mode: { anyOf: [{ additionalProperties: false }, { additionalProperties: false }] },
        },
      });
    });

    it("should close an object typed ['object', 'null'] (nullable, as strict mode wants optional ones)", () => {
      const parameters = { type: 'object', properties: { trip: { type: ['object', 'null'], properties: { city: { type: 'string' } }, required: ['city'] } }, required: ['trip'] };
      expect(toolDefinition({ name: 't', parameters, strict: true }).function.parameters).toMatchObject({ properties: { trip: { additionalProperties: false } } });
      expect(toolDefinition({ name: 't', parameters: { type: 'object', properties: { meta: { type: ['object', 'null'] } }, required: ['meta'] }, strict: true }).function.parameters)
        .toMatchObject({ properties: { meta: { additionalProperties: false } } });
    });

    it('should close the default empty object schema', () => {
      expect(toolDefinition({ name: 'now', strict: true }).function.parameters).toEqual({ type: 'object', properties: {}, additionalProperties: false });
    });

    it('should name an optional property, which strict mode rejects (nullable is the way)', () => {
      const parameters = z.object({ trip: z.object({ city: z.string(), unit: z.enum(['c', 'f']).optional() }) });
      expect(() => toolDefinition({ name: 'w', parameters, strict: true })).toThrow(new TypeError(
        'toolDefinition({strict: true}): parameters.trip.unit is optional; OpenAI strict mode needs every property required (make it nullable instead)',
      ));
      expect(toolDefinition({ name: 'w', parameters: z.object({ unit: z.enum(['c', 'f']).nullable() }), strict: true }).function.parameters).toMatchObject({ required: ['unit'] });
    });

    it('should name an open object', () => {
      const parameters = { type: 'object', properties: { q: { type: 'object', additionalProperties: true } }, required: ['q'] };
      expect(() => toolDefinition({ name: 's', parameters, strict: true })).toThrow(/parameters\.q allows additional properties/);
    });

    it('should leave the given schema untouched', () => {
      const parameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
      toolDefinition({ name: 's', parameters, strict: true });
      expect(parameters).toEqual({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] });
    });
  });

  // OpenAI answers a tool whose parameters are not an object with a 400: "Invalid schema for function 'json':
  // schema must be a JSON Schema of 'type: "object"', got 'type: "None"'" (browserbase/stagehand#1159)
  it.each([
    ['a string schema', { type: 'string' }, 'got type "string"'],
    ['z.string()', z.string(), 'got type "string"'],
    ['properties without a type', { properties: { q: { type: 'string' } }, required: ['q'] }, 'got type undefined'],
    ['a union of objects (anyOf)', z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]), 'got type undefined'],
  ] as const)('should name parameters that do not describe an object (%s), which OpenAI refuses', (_, parameters, got) => {
    expect(() => toolDefinition({ name: 'f', parameters })).toThrow(new TypeError(`toolDefinition({parameters}) must have type: 'object', as OpenAI requires, ${got}`));
    expect(() => toolParameters(parameters)).toThrow(`toolParameters(parameters) must have type: 'object', as OpenAI requires, ${got}`);
  });

  it('should default to an empty object schema', () => {
    expect(toolParameters(undefined)).toEqual({ type: 'object', properties: {} });
  });

  // `{}` allows any arguments object, as the empty object schema does; Anthropic refuses it ("input_schema.type: Field
  // required"), and so do OpenAI-compatible servers such as DeepSeek: it was refused here as "got type undefined"
  it.each([['{}', {}], ['z.any()', z.any()]])('should take %s as the empty object schema of a tool without arguments', (_, parameters) => {
    expect(toolParameters(parameters)).toEqual({ type: 'object', properties: {} });
    expect(toolDefinition({ name: 'now', parameters, strict: true }).function.parameters).toEqual({ type: 'object', properties: {}, additionalProperties: false });
  });

  // `{type: 'object'}` without `properties` went out as given: OpenAI has answered it with a 400 ("object schema missing
  // properties", the Responses API; and strict mode on any object of the schema): `properties: {}` changes no meaning
  it('should give an object schema without properties an empty properties, at the root and, in strict mode, at every object', () => {
    expect(toolParameters({ type: 'object' })).toEqual({ type: 'object', properties: {} });
    expect(toolParameters({ type: 'object', additionalProperties: true })).toEqual({ type: 'object', additionalProperties: true, properties: {} });
    expect(toolDefinition({ name: 'now', parameters: { type: 'object' }, strict: true }).function.parameters).toEqual({ type: 'object', properties: {}, additionalProperties: false });
    const nested = { type: 'object', properties: { meta: { type: 'object' }, list: { type: 'array', items: { type: ['object', 'null'] } } }, required: ['meta', 'list'] };
    expect(toolDefinition({ name: 'n', parameters: nested, strict: true }).function.parameters).toMatchObject({
      properties: { meta: { type: 'object', properties: {}, additionalProperties: false }, list: { items: { properties: {}, additionalProperties: false } } },
    });
    expect(toolParameters(nested)).toEqual(nested); // not strict: a nested free-form object stays as given
  });

  it('should take a root $ref (what Zod 4.5+ gives for a schema with an id) as the object it points to', () => {
    // { $ref: '#/definitions/Weather', definitions: { Weather: {...} } }: z.object refused as "got type undefined"
    const Weather = z.object({ city: z.string() }).meta({ id: 'Weather' });
    const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    expect(toolParameters(Weather)).toEqual({ ...weather, definitions: { Weather: weather } });
    expect(toolDefinition({ name: 'w', parameters: Weather, strict: true }).function.parameters).toMatchObject({ type: 'object', additionalProperties: false, required: ['city'] });
    const node = { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#/$defs/Node' } } } };
    expect(toolParameters({ $ref: '#/$defs/Node', $defs: { Node: node } })).toEqual({ ...node, $defs: { Node: node } });
    expect(() => toolParameters({ $ref: '#/$defs/Missing', $defs: {} })).toThrow("toolParameters(parameters) must have type: 'object', as OpenAI requires, got type undefined");
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
