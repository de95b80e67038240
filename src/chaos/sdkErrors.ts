/**
 * Errors shaped as the openai SDK throws them: shared by the testing kit's `fakeError` and
 * {@link injectFaults}, so an injected fault meets `fromStream`'s real classification. No node:* import.
 * Internal: never re-exported.
 */

/** The fields an openai `APIError` carries; every error built from a status or in-band spec has them. */
export interface FakeApiError extends Error {
  readonly status: number | undefined;
  readonly headers: Headers;
  readonly error: { readonly message: string; readonly type: string; readonly code: string | null; readonly param: null };
  readonly code: string | null;
  readonly type: string;
  readonly param: null;
  readonly requestID: string | null;
}

/** One `Error` subclass per SDK class name, made once: `constructor.name` is the class, `name` stays `'Error'`, as the SDK's. */
type ErrorClass = new (message: string) => Error;
const CLASSES = new Map<string, ErrorClass>();
export function classNamed(name: string): ErrorClass {
  let c = CLASSES.get(name);
  // the computed key names the class (ES2015 function name inference)
  if (!c) CLASSES.set(name, (c = { [name]: class extends Error {} }[name]!));
  return c;
}

/** An `APIError` look-alike of class `name`: message `"<status> <body.message>"` (just the body's message without a status). */
export function apiError(name: string, status: number | undefined, headers: Headers, body: FakeApiError['error']): FakeApiError {
  const Class = classNamed(name);
  const e = new Class(status === undefined ? body.message : `${status} ${body.message}`) as Error & Record<string, unknown>;
  Object.assign(e, {
    status, headers, error: body, code: body.code, type: body.type, param: null, requestID: headers.get('x-request-id'),
  });
  return e as unknown as FakeApiError;
}
