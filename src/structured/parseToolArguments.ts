import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ToolCallEvent } from '../events/eventTypes.js';
import { optionPath } from '../internal/options.js';
import { repairJson } from './repairJson.js';
import { checkSchema, validateSchema } from './validateSchema.js';

const PATH = /*#__PURE__*/ optionPath('parseToolArguments', 'call, ', 'schema');

/**
 * A tool call's arguments, parsed (repaired when needed, as in {@link structured}) and validated
 * with any Standard Schema; rejects with a SchemaValidationError (`INVALID_JSON` or
 * `SCHEMA_VALIDATION_FAILED` with issues and paths).
 *
 *   { type: 'tool-call', name: 'weather', arguments: '{"city": "Paris"}' }  ->  { city: 'Paris' }
 *
 * @example
 * import { z } from 'zod';
 * import { ofType, parseToolArguments } from 'l0-rx';
 * events$.pipe(ofType('tool-call')).subscribe(async (call) => run(await parseToolArguments(call, z.object({ city: z.string() }))));
 * @param call A `tool-call` event, or its arguments text.
 * @param schema Any Standard Schema.
 */
export async function parseToolArguments<S extends StandardSchemaV1>(call: ToolCallEvent | string, schema: S): Promise<StandardSchemaV1.InferOutput<S>> {
  const checked = checkSchema({ ...PATH, open: 'parseToolArguments(call, {', close: '})' }, schema);
  const text = typeof call === 'string' ? call : call.arguments;
  if (typeof text !== 'string') throw new TypeError('parseToolArguments(call) must be a tool-call event or its arguments string');
  const { value } = repairJson(text.trim() === '' ? '{}' : text);
  return validateSchema(checked, value, text) as StandardSchemaV1.InferOutput<S> | Promise<StandardSchemaV1.InferOutput<S>>;
}
