import { isL0Error, L0Error } from './L0Error.js';

export interface SchemaValidationInfo {
  /** `INVALID_JSON`: the text is not JSON even after repair; `SCHEMA_VALIDATION_FAILED`: it parsed but did not validate. */
  readonly kind: 'SCHEMA_VALIDATION_FAILED' | 'INVALID_JSON';
  /** Validation issues, as the schema library reported them. */
  readonly issues?: readonly unknown[];
  /** The text that failed. */
  readonly text?: string;
}

/**
 * Structured output did not parse or validate. Retryable; counts against `attempts`.
 *
 * @example
 * import { isSchemaValidationError } from 'l0-rx';
 * if (isSchemaValidationError(e)) console.log(e.code, e.info.issues);
 */
export class SchemaValidationError extends L0Error {
  override readonly name = 'SchemaValidationError';
  declare readonly code: 'SCHEMA_VALIDATION_FAILED' | 'INVALID_JSON';
  readonly info: SchemaValidationInfo;

  constructor(info: SchemaValidationInfo, message?: string) {
    super(message ?? (info.kind === 'INVALID_JSON' ? 'Invalid JSON' : 'Schema validation failed'), {
      code: info.kind,
      category: 'content',
      retryable: true,
      reason: 'schema',
    });
    this.info = Object.freeze({ ...info });
  }
}

/** True for a {@link SchemaValidationError} from any copy of the package. @example if (isSchemaValidationError(e)) log(e); */
export const isSchemaValidationError = (e: unknown): e is SchemaValidationError =>
  isL0Error(e) && e.name === 'SchemaValidationError';
