/* Validation through Standard Schema, with issues turned into plain data. Internal: never re-exported. */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { SchemaValidationError, type SchemaIssue } from '../errors/SchemaValidationError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { describeOption, optionError, type OptionPath } from '../internal/options.js';

/** Throws a TypeError naming the option unless `schema` implements Standard Schema v1. */
export function checkSchema(path: OptionPath, schema: unknown): StandardSchemaV1 {
  const std = (schema as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  if ((typeof schema === 'object' || typeof schema === 'function') && schema !== null && typeof std?.validate === 'function') {
    return schema as StandardSchemaV1;
  }
  const hint = typeof schema === 'object' && schema !== null && ('type' in schema || '$schema' in schema || 'properties' in schema)
    ? ' (for a JSON Schema, wrap it: jsonSchema(schema, new Ajv()))'
    : ' (Zod 3.24+/4, Valibot, ArkType, Effect Schema via Schema.toStandardSchemaV1, or jsonSchema(schema, ajv))';
  throw optionError(path, 'schema', `a Standard Schema${hint}`, schema);
}

function segment(s: PropertyKey | StandardSchemaV1.PathSegment): string | number {
  const key = typeof s === 'object' && s !== null ? s.key : s;
  return typeof key === 'number' ? key : String(key);
}

/** A schema library's issues as plain `{message, path}` data. */
export function plainIssues(issues: readonly StandardSchemaV1.Issue[]): SchemaIssue[] {
  return Array.from(issues, (i) => ({ message: String(i.message), path: Array.from(i.path ?? [], segment) }));
}

function failed(issues: readonly StandardSchemaV1.Issue[], text: string, cause?: unknown): SchemaValidationError {
  const plain = plainIssues(issues);
  const shown = plain.slice(0, 3).map((i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`);
  const more = plain.length > 3 ? ` (and ${plain.length - 3} more)` : '';
  return new SchemaValidationError({ kind: 'SCHEMA_VALIDATION_FAILED', issues: plain, text }, `Schema validation failed: ${shown.join('; ')}${more}`, cause);
}

/** A schema that threw or rejected: one root issue, and what it threw as `cause`. */
function threw(e: unknown, text: string): SchemaValidationError {
  return failed([{ message: `the schema threw: ${e instanceof Error ? e.message : String(e)}` }], text, e);
}

/** The schema's result, or its issues thrown; a result that is none (`undefined`, issues that are no array: a broken adapter) is one root issue naming it. */
function outcome<T>(result: StandardSchemaV1.Result<T>, text: string): T {
  const got = typeof result !== 'object' || result === null ? describeOption(result) : Array.isArray(result.issues ?? []) ? '' : `issues ${describeOption(result.issues)}`;
  if (got !== '') throw failed([{ message: `the schema's validate returned ${got}, not { value } or { issues: [...] }` }], text);
  if (result.issues != null) throw failed(result.issues, text); // null: none, as checked above
  return (result as StandardSchemaV1.SuccessResult<T>).value;
}

/**
 * The schema's output for `value`, or a SchemaValidationError with its issues; a promise when
 * the schema validates asynchronously. A schema that throws (or rejects) fails validation the
 * same way, with what it threw as the error's `cause`.
 */
export function validateSchema<T>(schema: StandardSchemaV1<unknown, T>, value: unknown, text: string): T | Promise<T> {
  let result: StandardSchemaV1.Result<T> | Promise<StandardSchemaV1.Result<T>>;
  try {
    result = schema['~standard'].validate(value);
  } catch (e) {
    throw threw(e, text);
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      (r) => outcome(r, text),
      (e: unknown) => {
        throw threw(e, text);
      },
    );
  }
  return outcome(result, text);
}
