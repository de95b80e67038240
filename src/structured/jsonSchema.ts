import type { StandardSchemaV1 } from '@standard-schema/spec';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { optionError, optionPath } from '../internal/options.js';

/** One error as Ajv reports it (only the fields read here). */
export interface AjvErrorLike {
  readonly instancePath?: string;
  readonly message?: string;
  /** The failing keyword (`required` names the missing key in `params.missingProperty`). */
  readonly keyword?: string;
  readonly params?: { readonly missingProperty?: unknown };
}

/**
 * A compiled Ajv validator: a boolean (or, for `$async` schemas, a promise) with `errors` after a
 * failure. Its second argument places the data in a parent, where Ajv can replace a root it coerces.
 */
export interface AjvValidateLike {
  (data: unknown, context: { instancePath: string; parentData: { v: unknown }; parentDataProperty: 'v'; rootData: object; dynamicAnchors: object }): boolean | PromiseLike<unknown>;
  errors?: readonly AjvErrorLike[] | null;
}

/** What {@link jsonSchema} needs of an Ajv instance (`new Ajv()` from `ajv`, an optional peer). */
export interface AjvLike {
  compile(schema: object): AjvValidateLike;
}

const PATH = /*#__PURE__*/ optionPath('jsonSchema', '', 'schema, ajv');

/** A JSON pointer (`/items/0/name`) as path segments, array indexes as numbers. */
function pointerPath(pointer: string | undefined): (string | number)[] {
  if (!pointer) return [];
  return pointer.split('/').slice(1).map((s) => {
    const key = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^(?:0|[1-9]\d*)$/.test(key) ? Number(key) : key;
  });
}

function issuesOf(errors: readonly AjvErrorLike[] | null | undefined): StandardSchemaV1.Issue[] {
  const list = errors && errors.length > 0 ? errors : [{ message: 'does not match the JSON Schema' }];
  return list.map((e) => {
    const path = pointerPath(e.instancePath);
    // Ajv points a missing key at its parent object; the other schema libraries name the key itself
    const missing = e.keyword === 'required' ? e.params?.missingProperty : undefined;
    if (typeof missing === 'string') path.push(missing);
    return { message: e.message ?? 'is invalid', path };
  });
}

/**
 * A JSON Schema as a Standard Schema, validated by the Ajv instance you pass, so `structured()`
 * takes it like any other schema. The schema is compiled once, here, so a bad schema throws now.
 * `T` is the output type you assert (JSON Schema carries none).
 *
 *   jsonSchema({ type: 'object', required: ['n'], properties: { n: { type: 'number' } } }, new Ajv())
 *
 * @example
 * import { Ajv } from 'ajv';
 * import { jsonSchema, structured } from 'l0-rx';
 * const schema = jsonSchema<{ n: number }>({ type: 'object', required: ['n'], properties: { n: { type: 'number' } } }, new Ajv());
 * structured({ schema, stream });
 * @param schema A JSON Schema object.
 * @param ajv An Ajv instance (configure formats, strictness and `coerceTypes` on it).
 */
export function jsonSchema<T = unknown>(schema: object, ajv: AjvLike): StandardSchemaV1<unknown, T> {
  if (typeof schema !== 'object' || schema === null) throw optionError(PATH, 'schema', 'a JSON Schema object', schema);
  if (typeof ajv?.compile !== 'function') throw optionError(PATH, 'ajv', 'an Ajv instance (new Ajv() from the ajv package)', ajv);
  const validate = ajv.compile(schema);
  return {
    '~standard': {
      version: 1,
      vendor: 'l0-rx/json-schema',
      validate(value) {
        // Ajv coerces (`coerceTypes`) in place: a root only in a parent it is given (`"5"` for a number), whose value is then the result
        const box = { v: value };
        const ok = validate(value, { instancePath: '', parentData: box, parentDataProperty: 'v', rootData: value as object, dynamicAnchors: {} });
        if (isPromiseLike(ok)) {
          return Promise.resolve(ok).then(
            () => ({ value: box.v as T }),
            (e: unknown) => {
              // Ajv's ValidationError carries `errors`; anything else (an async keyword that threw) is no
              // schema issue: rethrown, so the SchemaValidationError keeps it as `cause`
              const errors = (e as { errors?: unknown } | null)?.errors;
              if (!Array.isArray(errors)) throw e;
              return { issues: issuesOf(errors as readonly AjvErrorLike[]) };
            },
          );
        }
        return ok ? { value: box.v as T } : { issues: issuesOf(validate.errors) };
      },
    },
  };
}
