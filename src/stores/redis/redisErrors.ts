/* The Redis event store's failures as the event log's errors: retryable where Redis says its state is passing. @internal */
import { EventLogError } from '../../events/EventLogError.js';
import { isL0Error } from '../../errors/L0Error.js';

/**
 * Error-reply codes that report the server's state, not the command's (the official client's
 * `defaultErrorFilter` list, and `TRYAGAIN` of a cluster moving a slot): the same command may
 * succeed a moment later. `LOADING`: the server is still loading its dataset (a restart);
 * `BUSY`: a script runs; `READONLY`: the connection reached a replica (a failover). `OOM`: the
 * server is at `maxmemory` and evicts nothing (`noeviction`), so it refuses every write; as with
 * `MISCONF` (it cannot persist), the same write goes through once that passes (keys expire or are
 * deleted, a log is trimmed, the limit is raised), with nothing wrong in the call itself.
 */
const TRANSIENT: ReadonlySet<string> = /*#__PURE__*/ new Set(['LOADING', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'MASTERDOWN', 'READONLY', 'NOREPLICAS', 'MISCONF', 'OOM']);

/** The code of a server error reply (`LOADING Redis is loading...`: `LOADING`), `undefined` for another failure (a connection's). */
export function replyCode(e: unknown): string | undefined {
  return e instanceof Error ? /^([A-Z][A-Z0-9_]*) /.exec(e.message)?.[1] : undefined;
}

/**
 * What the Redis store's `call` (`XRANGE`, `EVALSHA`...) on `streamId`'s log (`undefined`: none) failed
 * with, as the event log's error, the original as `cause`: a lost connection (the client closed,
 * offline, a socket closed or timed out) is an `EventLogError` `STORE_UNAVAILABLE` (retryable); an
 * error reply is classified by {@link replyError}. An `L0Error` or a `TypeError` (an input check) is
 * given back as it is.
 */
export function storeError(e: unknown, streamId: string | undefined, call: string): unknown {
  if (isL0Error(e) || e instanceof TypeError) return e;
  const on = streamId === undefined ? '' : ` for stream ${JSON.stringify(streamId)}`;
  if (replyCode(e) !== undefined) return replyError(e as Error, streamId, 'answered', call + on);
  return new EventLogError('STORE_UNAVAILABLE', streamId, `the Redis event store's connection failed during ${call}${on}: ${e instanceof Error ? e.message : String(e)}`, e);
}

/**
 * An error reply a Lua script of the store met (a `redis.pcall`: `XADD` refused with `OOM` or an
 * out-of-order id) as the event log's error, classified as a call's reply ({@link replyError}),
 * `what` telling what was refused; the reply as an `Error` is the `cause`.
 */
export function scriptRefusal(reply: string, streamId: string, what: string): EventLogError {
  return replyError(new Error(reply), streamId, 'refused', what);
}

/**
 * The one classification of an error reply `e` (a call's or a script's): a transient code (see
 * {@link TRANSIENT}) is `STORE_UNAVAILABLE` (retryable), `Redis <verb> <what> with <code>, a passing
 * state of the server (retry later): <reply>`; another reply (`NOPERM`, `WRONGTYPE`, `ERR ...`, or
 * none of a code) is `STORE_FAILED`, `Redis refused <what>: <reply>`.
 */
function replyError(e: Error, streamId: string | undefined, verb: 'answered' | 'refused', what: string): EventLogError {
  const code = replyCode(e);
  const passing = code !== undefined && TRANSIENT.has(code);
  const why = passing ? ` with ${code}, a passing state of the server (retry later)` : '';
  return new EventLogError(passing ? 'STORE_UNAVAILABLE' : 'STORE_FAILED', streamId, `Redis ${passing ? verb : 'refused'} ${what}${why}: ${e.message}${code === 'CROSSSLOT' ? CLUSTER : ''}`, e);
}

/** What a `CROSSSLOT` reply (a Redis Cluster) needs: the store's scripts use its set of ids and a stream in one call. */
const CLUSTER = " (on a Redis Cluster, give createRedisEventStore a keyPrefix with a hash tag, such as '{l0}:events:', so that all of its keys share one slot)";
