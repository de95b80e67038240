/* Validation of events that come from user code (an Observable<L0Event> input, a custom adapter). Internal. */
import { FINISH_REASONS as FINISH, L0_EVENT_TYPES } from '../events/eventTypes.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import { isRecord, type Rec } from './adapters/shared.js';

/** Every event type. @internal Shared with accumulate's guard. */
export const EVENT_TYPES: ReadonlySet<unknown> = /*#__PURE__*/ new Set(L0_EVENT_TYPES);

/** `typeof` of values no JSON text holds (`suspendPayload` is JSON data). */
const NOT_JSON: ReadonlySet<string> = /*#__PURE__*/ new Set(['function', 'symbol', 'bigint']);
const isString = (v: unknown): boolean => typeof v === 'string';
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/** What is wrong with `e` as an L0Event, or undefined if nothing is. Checks the fields consumers read. */
export function eventProblem(e: unknown): string | undefined {
  if (!isRecord(e)) return 'not an object';
  const type = e['type'];
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return `unknown type ${JSON.stringify(type) ?? String(type)}`;
  return fieldProblem(type, e);
}

function fieldProblem(type: string, e: Rec): string | undefined {
  switch (type) {
    case 'token':
    case 'reasoning':
      return isString(e['value']) ? undefined : '`value` is not a string';
    case 'tool-call':
      if (!(isString(e['id']) && isString(e['name']) && isString(e['arguments']))) return '`id`, `name` and `arguments` must be strings';
      return (e['approvalId'] === undefined || isString(e['approvalId'])) && (e['truncated'] === undefined || typeof e['truncated'] === 'boolean') &&
        !NOT_JSON.has(typeof e['suspendPayload'])
        ? undefined
        : '`approvalId` must be a string, `truncated` a boolean, `suspendPayload` JSON data';
    case 'data':
      return isRecord(e['payload']) && isString(e['payload']['contentType']) ? undefined : '`payload.contentType` is not a string';
    case 'complete':
      if (!isString(e['finishReason']) || !FINISH.has(e['finishReason'] as string)) return 'unknown `finishReason`';
      return e['usage'] === undefined || isRecord(e['usage']) ? undefined : '`usage` is not an object';
    case 'start':
      return isNumber(e['attempt']) && isNumber(e['fallbackIndex']) ? undefined : '`attempt` / `fallbackIndex` are not numbers';
    case 'resume':
      return isString(e['checkpoint']) ? undefined : '`checkpoint` is not a string';
    case 'checkpoint':
      return isString(e['content']) && isNumber(e['tokenCount']) ? undefined : '`content` / `tokenCount` missing';
    default:
      return undefined;
  }
}

/** Throws an {@link InvalidStreamError} naming `e` and what is wrong with it, unless it is a valid event. */
export function checkEvent(e: unknown, origin: string): void {
  let problem: string | undefined;
  try {
    problem = eventProblem(e);
  } catch {
    problem = 'its fields cannot be read'; // throwing getters, a revoked Proxy
  }
  if (problem !== undefined) {
    throw new InvalidStreamError(`fromStream: ${origin} emitted an invalid event (${problem}): ${describeValue(e)}`);
  }
}
