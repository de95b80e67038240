import { isL0Error, L0Error } from './L0Error.js';

/** One validation issue as plain data: the schema library's message and the path to the value. */
export interface SchemaIssue {
  readonly message: string;
  /** Keys and indexes from the root to the failing value; empty for the root. */
  readonly path: readonly (string | number)[];
}

export interface SchemaValidationInfo {
  /** `INVALID_JSON`: the text is not JSON even after repair (or was cut); `SCHEMA_VALIDATION_FAILED`: it parsed but did not validate. */
  readonly kind: 'SCHEMA_VALIDATION_FAILED' | 'INVALID_JSON';
  /** Validation issues, as the schema library reported them (plain `{message, path}` from `structured()`). */
  readonly issues?: readonly unknown[];
  /** The text that failed. */
  readonly text?: string;
  /** The JSON was cut: repair would have had to close an unfinished structure. */
  readonly truncated?: boolean;
  /** Whether a retry may help. @default true */
  readonly retryable?: boolean;
  /** The names of the tools the model called instead of answering in text (`INVALID_JSON`, not retryable). */
  readonly toolCalls?: readonly string[];
}

/**
 * Structured output did not parse or validate. Retryable (unless `info.retryable` is false, as for
 * truncated output with `onTruncated: 'reject'`, or an answer that is only a tool call, named in
 * `info.toolCalls`); counts against `attempts`. Its `reason` is
 * `invalid_json` or `schema`. `cause` holds the original error where there was one: what a
 * throwing (or rejecting) schema threw, or jsonrepair's error for text it could not repair.
 *
 * @example
 * import { isSchemaValidationError } from 'l0-rx';
 * if (isSchemaValidationError(e)) console.log(e.code, e.info.issues);
 * @see structured, parseStructured
 */
export class SchemaValidationError extends L0Error {
  override readonly name = 'SchemaValidationError';
  declare readonly code: 'SCHEMA_VALIDATION_FAILED' | 'INVALID_JSON';
  readonly info: SchemaValidationInfo;

  /** @param cause The original error, kept as `cause` (left unset when `undefined`). */
  constructor(info: SchemaValidationInfo, message?: string, cause?: unknown) {
    super(message ?? (info.kind === 'INVALID_JSON' ? 'Invalid JSON' : 'Schema validation failed'), {
      code: info.kind,
      category: 'content',
      retryable: info.retryable ?? true,
      reason: info.kind === 'INVALID_JSON' ? 'invalid_json' : 'schema',
      ...(cause === undefined ? {} : { cause }),
    });
    this.info = Object.freeze({ ...info, ...(info.issues ? { issues: Object.freeze([...info.issues]) } : {}) });
  }
}

/**
 * True for a {@link SchemaValidationError} from any copy of the package.
 * @example import { isSchemaValidationError } from 'l0-rx'; if (isSchemaValidationError(e)) console.log(e.info.issues);
 */
export const isSchemaValidationError = (e: unknown): e is SchemaValidationError =>
  isL0Error(e) && e.name === 'SchemaValidationError';
