import type { StandardJSONSchemaV1 } from '@standard-schema/spec';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionLabel, optionPath } from '../internal/options.js';

/** A tool as the caller describes it. */
export interface ToolSpec {
  /** Letters, digits, `_` and `-`, at most 64 characters (the OpenAI limit). */
  readonly name: string;
  readonly description?: string;
  /**
   * The arguments: a JSON Schema object, or a schema implementing Standard JSON Schema
   * (`~standard.jsonSchema`: Zod 4.2+, ArkType...), converted with its input type; either way of `type: 'object'`
   * (OpenAI refuses any other: a TypeError), at the root or where a root `$ref` points; `{}` is the empty object
   * schema. @default an empty object schema
   */
  readonly parameters?: Readonly<Record<string, unknown>> | StandardJSONSchemaV1;
  /**
   * OpenAI strict function calling. With `true`, every object of the schema is closed
   * (`additionalProperties: false` added where it says nothing, as Zod's input schemas do, and
   * `properties: {}` where it has none) and an
   * optional property or an open object is a TypeError naming its path, as OpenAI would reject it.
   * @default undefined (not sent)
   */
  readonly strict?: boolean;
}

/** A tool in the OpenAI Chat Completions `tools` format. */
export interface OpenAIToolDefinition {
  readonly type: 'function';
  readonly function: {
    readonly name: string;
    readonly description?: string;
    readonly parameters: Record<string, unknown>;
    readonly strict?: boolean;
  };
}

const KEYS = /*#__PURE__*/ optionKeys<ToolSpec>()(['name', 'description', 'parameters', 'strict']);
const PATH = /*#__PURE__*/ optionPath('toolDefinition', '', 'tool');
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function isStandardJsonSchema(p: unknown): p is StandardJSONSchemaV1 {
  const std = (p as { '~standard'?: { jsonSchema?: { input?: unknown } } } | null)?.['~standard'];
  return typeof std?.jsonSchema?.input === 'function';
}

/**
 * The JSON Schema of a tool's parameters: a JSON Schema object as given, or the input JSON Schema
 * (draft-07, without `$schema`) of a Standard JSON Schema. A schema library without JSON Schema
 * export (Valibot, Effect: use their own converters) is a TypeError that says so, and so is a schema
 * whose root is not `type: 'object'` (a string, a union: OpenAI refuses such tool parameters). A root
 * `$ref` (Zod's for a schema with an `id`) becomes the definition it points to, and `{}` the empty object schema;
 * a root without `properties` gets `properties: {}` (OpenAI has refused one without: "object schema missing properties").
 *
 * @example
 * import { z } from 'zod';
 * import { toolParameters } from 'l0-rx';
 * toolParameters(z.object({ city: z.string() })); // { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
 */
export function toolParameters(parameters: ToolSpec['parameters']): Record<string, unknown> {
  return schemaOf(parameters, 'toolParameters(parameters)');
}

/** {@link toolParameters}, its TypeError naming the argument as the caller wrote it (`where`). */
function schemaOf(parameters: ToolSpec['parameters'], where: string): Record<string, unknown> {
  let schema: Schema = {};
  if (isStandardJsonSchema(parameters)) {
    const { $schema: _, ...rest } = parameters['~standard'].jsonSchema.input({ target: 'draft-07' });
    schema = rest;
  } else if (typeof parameters === 'object' && parameters !== null && !('~standard' in parameters) && !Array.isArray(parameters)) schema = { ...parameters };
  else if (parameters !== undefined) throw new TypeError(`${where} must be a JSON Schema object or a Standard JSON Schema (this schema has no ~standard.jsonSchema; convert it to JSON Schema first), got ${describeOption(parameters)}`);
  // a root $ref (Zod 4.5+ gives one for a schema with an id) stands for its definition, where the type is
  const ref = /^#\/(definitions|\$defs)\/([^/]+)$/.exec(schema['$ref'] as string);
  if (ref) {
    const { $ref: _, ...rest } = schema;
    schema = { ...((rest[ref[1]!] as Schema | undefined)?.[ref[2]!] as Schema), ...rest };
  }
  // {} (or none) allows any arguments object, as the empty object schema does: the one OpenAI and Anthropic take
  if (!Object.keys(schema).length) schema = { type: 'object' };
  // OpenAI answers any other root with a 400 ("schema must be a JSON Schema of 'type: \"object\"'"), as Anthropic's input_schema does
  if (schema['type'] !== 'object') throw new TypeError(`${where} must have type: 'object', as OpenAI requires, got type ${describeOption(schema['type'])}`);
  // and one without `properties` too ("object schema missing properties"): `properties: {}` changes no meaning
  // (`schema` is this call's own copy on every path above)
  schema['properties'] ??= {};
  return schema;
}

/**
 * A tool definition in OpenAI's function format, from a name, a description and a JSON Schema or
 * a Standard JSON Schema (nested objects and arrays keep their `items` and `properties`).
 *
 *   toolDefinition({ name: 'weather', parameters: z.object({ city: z.string() }) })
 *   -> { type: 'function', function: { name: 'weather', parameters: { type: 'object', ... } } }
 *
 * @example
 * import { z } from 'zod';
 * import { toolDefinition } from 'l0-rx';
 * const tools = [toolDefinition({ name: 'get_weather', description: 'Weather for a city', parameters: z.object({ city: z.string() }) })];
 * @param tool See {@link ToolSpec}.
 */
export function toolDefinition(tool: ToolSpec): OpenAIToolDefinition {
  checkBag(PATH, tool);
  checkKeys(PATH, tool, KEYS);
  if (typeof tool.name !== 'string' || !NAME.test(tool.name)) throw optionError(PATH, 'name', 'letters, digits, _ or - (1 to 64 characters)', tool.name);
  if (tool.description !== undefined && typeof tool.description !== 'string') throw optionError(PATH, 'description', 'a string', tool.description);
  if (tool.strict !== undefined && typeof tool.strict !== 'boolean') throw optionError(PATH, 'strict', 'a boolean', tool.strict);
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.strict === true ? strictSchema(schemaOf(tool.parameters, optionLabel(PATH, 'parameters')), 'parameters') : schemaOf(tool.parameters, optionLabel(PATH, 'parameters')),
      ...(tool.strict === undefined ? {} : { strict: tool.strict }),
    },
  };
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What OpenAI strict mode accepts: every object closed (`additionalProperties: false`, added where
 * the schema says nothing, as Zod's input schemas do), with `properties` (`{}` added where it has
 * none), and every property required (an optional one is a TypeError: strict mode wants it
 * nullable). A copy; nested objects, arrays and unions too.
 */
function strictSchema(schema: Schema, at: string): Schema {
  const out: Schema = { ...schema };
  const properties = isSchema(schema['properties']) ? schema['properties'] : undefined;
  const type = schema['type'];
  if (type === 'object' || (Array.isArray(type) && type.includes('object')) || properties) {
    if (schema['additionalProperties'] !== undefined && schema['additionalProperties'] !== false) {
      throw new TypeError(`toolDefinition({strict: true}): ${at} allows additional properties; OpenAI strict mode needs additionalProperties: false`);
    }
    out['properties'] ??= {};
    out['additionalProperties'] = false;
    const required = Array.isArray(schema['required']) ? schema['required'] : [];
    const optional = Object.keys(properties ?? {}).find((key) => !required.includes(key));
    if (optional !== undefined) {
      throw new TypeError(`toolDefinition({strict: true}): ${at}.${optional} is optional; OpenAI strict mode needs every property required (make it nullable instead)`);
    }
  }
  if (properties) out['properties'] = mapValues(properties, (v, k) => strictSchema(v, `${at}.${k}`));
  if (isSchema(schema['items'])) out['items'] = strictSchema(schema['items'], `${at}[]`);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) out[key] = list.map((v: unknown, i) => (isSchema(v) ? strictSchema(v, `${at}.${key}[${i}]`) : v));
  }
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = schema[key];
    if (isSchema(defs)) out[key] = mapValues(defs, (v, k) => strictSchema(v, `${at}.${key}.${k}`));
  }
  return out;
}

function mapValues(record: Schema, f: (value: Schema, key: string) => Schema): Schema {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, isSchema(v) ? f(v, k) : v]));
}
