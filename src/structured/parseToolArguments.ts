import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ToolCallEvent } from '../events/eventTypes.js';
import { SchemaValidationError } from '../errors/SchemaValidationError.js';
import { optionPath } from '../internal/options.js';
import { findJson, looksLikeJson } from './extractJson.js';
import { repairText } from './repairJson.js';
import { checkSchema, validateSchema } from './validateSchema.js';

const PATH = /*#__PURE__*/ optionPath('parseToolArguments', 'call, ', 'schema');

/**
 * A tool call's arguments, parsed (repaired when needed, as in {@link structured}) and validated
 * with any Standard Schema; rejects with a SchemaValidationError (`INVALID_JSON` or
 * `SCHEMA_VALIDATION_FAILED` with issues and paths).
 *
 *   { type: 'tool-call', name: 'weather', arguments: '{"city": "Paris"}' }  ->  { city: 'Paris' }
 *   '{"city": "Par'                                                        ->  rejects: INVALID_JSON, truncated
 *
 * Cut arguments (repair would have to close a string, object or array, or the call is marked
 * `truncated`: the token limit or a content filter cut it) are never run with: they reject with `INVALID_JSON` and
 * `info.truncated: true`, so a tool never sees `{ city: 'Par' }`.
 * Neither are two calls' arguments merged into one (`{"city": "Paris"}{"city": "London"}`, in a
 * Markdown fence or not, or a fenced object with another after it): they reject with `INVALID_JSON`
 * instead of running the first and dropping the second.
 *
 * @example
 * import { z } from 'zod';
 * import { ofType, parseToolArguments } from 'l0-rx';
 * declare function getWeather(args: { city: string }): void;
 * events$.pipe(ofType('tool-call')).subscribe(async (call) => getWeather(await parseToolArguments(call, z.object({ city: z.string() }))));
 * @param call A `tool-call` event, or its arguments text.
 * @param schema Any Standard Schema.
 */
export async function parseToolArguments<S extends StandardSchemaV1>(call: ToolCallEvent | string, schema: S): Promise<StandardSchemaV1.InferOutput<S>> {
  const checked = checkSchema({ ...PATH, open: 'parseToolArguments(call, {', close: '})' }, schema);
  const text = typeof call === 'string' ? call : call.arguments;
  if (typeof text !== 'string') throw new TypeError('parseToolArguments(call) must be a tool-call event or its arguments string');
  if (typeof call !== 'string' && call.truncated === true) {
    // cut by the token limit or a filter: its arguments may parse (Mastra makes them `{}`) but are not the call the model meant
    throw new SchemaValidationError({ kind: 'INVALID_JSON', text, truncated: true }, `Truncated tool arguments: the token limit or a content filter cut call ${call.name} (${call.id})`);
  }
  const { value, truncated, corrections } = repairText(text.trim() === '' ? '{}' : text);
  if (truncated) throw new SchemaValidationError({ kind: 'INVALID_JSON', text, truncated: true }, 'Truncated tool arguments: the JSON was cut');
  if (corrections[0] === 'extract-text' || corrections[0] === 'extract-fence') {
    // `{"city": "Paris"}{"city": "London"}`, fenced or not: two calls' arguments merged into one; the first alone would drop the other call
    const first = findJson(text)!.json;
    const next = findJson(text.slice(text.indexOf(first) + first.length));
    if (next !== undefined && looksLikeJson(next.json)) {
      throw new SchemaValidationError({ kind: 'INVALID_JSON', text }, 'Invalid tool arguments: more than one JSON value (calls merged into one?); none is run');
    }
  }
  return validateSchema(checked, value, text) as StandardSchemaV1.InferOutput<S> | Promise<StandardSchemaV1.InferOutput<S>>;
}
