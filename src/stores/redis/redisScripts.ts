/* The Redis event store's Lua scripts (adding a batch's entries, listing ids, checking one), and what the add script's refusals mean. @internal */
import type { EventEnvelope } from '../../events/eventStore.js';
import { EventLogError } from '../../events/EventLogError.js';
import { runMismatch } from '../../events/runTag.js';
import { scriptRefusal } from './redisErrors.js';

/**
 * Adds one stream's entries of a batch (KEYS: the stream, the set of ids; ARGV: the run tag, `''`
 * for none, the stream id, then entry id, envelope JSON, ...) in order and stops at the first one refused: returns `{added}`, or `{added, why, detail}`:
 * `'refused'` (Redis refused it; detail: its error reply; then the command it answered, `XADD` or
 * the `XRANGE` of the run check), `'missing'` (the stream is not in Redis, or it
 * holds no seq 0 for a run's envelope to belong to), `'other'` (the stream's seq 0 is of another
 * run; detail: that run's tag, `''` for none) or `'taken'` (a run's seq 0, and the stream holds a
 * seq 0; detail: the same). A stream whose last entry is a delete's marker (a delete under way,
 * or one whose DEL a dropped connection lost) is `'missing'` for a batch starting above seq 0 (one
 * `XREVRANGE` per call; Redis refused the id below the marker's: a failed append, not the run's
 * deleted log). A stream without a seq 0 (entries deleted by hand) is no run's: the add is left to Redis, which refuses an
 * id below the stream's last (`'refused'`, so a warned failure, not another run's log). Only `seq` 0 (entry id `0-1`) may create the stream, and a run's seq 0 stores
 * its tag in the entry's `run` field, which its later envelopes are checked against once per call.
 * The id is added to the set right before its seq 0 (a refused `SADD`: `'refused'`, nothing added), in
 * the same atomic call: a stream in Redis is always listed, even when the connection is lost after it.
 * A seq 0 then refused unlists the id this call listed (`stop`): a key of another program, a stream a
 * delete left behind, another run's log are never listed by a refused append.
 */
export const ADD_SCRIPT = `local key, run, id = KEYS[1], ARGV[1], ARGV[2]
local checked = run == ''
local added, listed = 0
local function stop(why, detail, command)
  if listed == 1 then redis.call('SREM', KEYS[2], id) end
  return {added, why, detail, command}
end
local function owner()
  local r = redis.pcall('XRANGE', key, '0-1', '0-1')
  if r.err then return nil, r.err end
  if not r[1] then return nil end
  local fields = r[1][2]
  for j = 1, #fields, 2 do if fields[j] == 'run' then return fields[j + 1] end end
  return ''
end
local function marked()
  local r = redis.pcall('XREVRANGE', key, '+', '-', 'COUNT', 1)
  if r.err or not r[1] then return false end
  local fields = r[1][2]
  for j = 1, #fields, 2 do if fields[j] == 'deleted' then return true end end
  return false
end
if ARGV[3] ~= '0-1' and marked() then return {added, 'missing'} end
for i = 3, #ARGV, 2 do
  local r
  if ARGV[i] == '0-1' then
    listed = redis.pcall('SADD', KEYS[2], id)
    if type(listed) == 'table' and listed.err then return {added, 'refused', listed.err, 'SADD'} end
    if checked then r = redis.pcall('XADD', key, ARGV[i], 'envelope', ARGV[i + 1])
    else
      local o, err
      if redis.call('EXISTS', key) == 1 then o, err = owner() end
      if err then return stop('refused', err, 'XRANGE') end
      if o then return stop('taken', o) end
      r = redis.pcall('XADD', key, ARGV[i], 'envelope', ARGV[i + 1], 'run', run)
    end
  else
    if not checked then
      local o, err = owner()
      if err then return {added, 'refused', err, 'XRANGE'} end
      if o == nil then return {added, 'missing'} end
      if o ~= run then return {added, 'other', o} end
    end
    r = redis.pcall('XADD', key, 'NOMKSTREAM', ARGV[i], 'envelope', ARGV[i + 1])
  end
  if type(r) == 'table' and r.err then return stop('refused', r.err, 'XADD') end
  if not r then return stop('missing') end
  checked = true
  added = added + 1
  listed = 0
end
return {added}`;

/** Keeps the ids ARGV[i] whose stream KEYS[i + 1] exists and removes the others from the set KEYS[1], atomically (see 9). */
export const LIST_SCRIPT = `local kept = {}
for i = 1, #ARGV do
  if redis.call('EXISTS', KEYS[i + 1]) == 1 then kept[#kept + 1] = ARGV[i] else redis.call('SREM', KEYS[1], ARGV[i]) end
end
return kept`;

/** Whether the id ARGV[1] is listed in the set KEYS[1] and its stream KEYS[2] exists (1 or 0); a listed id whose key is gone is unlisted, as a listing does (see 9). */
export const HAS_SCRIPT = `if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
redis.call('SREM', KEYS[1], ARGV[1])
return 0`;

/** Stream ids `streams()` checks per script call (one `SSCAN` page asks for as many): Redis is never blocked by one check of every stream. */
export const LIST_PAGE = 1000;

/** Consecutive envelopes of one stream and one run (`''`: no run tag) in a batch: one script call. */
export interface Part {
  readonly run: string;
  readonly envelopes: EventEnvelope[];
  readonly entries: string[];
}

/**
 * Why the add script stopped at envelope `seq` of `part` (see ADD_SCRIPT): a run's refusal is an
 * `EventLogError` `RUN_MISMATCH`, an untagged envelope of a stream not in Redis one `STREAM_NOT_FOUND`,
 * a refusal by Redis one as its reply says (see 10).
 */
export function refusal(streamId: string, part: Part, seq: number, why: string, detail: string | undefined, command = 'XADD'): Error {
  if (part.run !== '' && why !== 'refused') return runMismatch(streamId, seq, part.run, why === 'missing' ? undefined : (detail ?? ''));
  if (why === 'missing') return new EventLogError('STREAM_NOT_FOUND', streamId, `createRedisEventStore: stream ${JSON.stringify(streamId)} is not in Redis (deleted, or its seq 0 was never appended), so seq ${seq} is not appended`);
  return scriptRefusal(detail ?? why, streamId, `${command} in the add script for stream ${JSON.stringify(streamId)} at seq ${seq} (it and the rest of its batch are not appended)`);
}
