/** @test {storeError} {scriptRefusal}: one classification of a Redis error reply, two message shapes (a call's, a script's). */
import { describe, expect, it } from 'vitest';
import { EventLogError } from 'l0-rx';
import { scriptRefusal, storeError } from '../../src/stores/redis/redisErrors.js';

const what = 'XADD in the add script for stream "a" at seq 1 (it and the rest of its batch are not appended)';

describe('the Redis store errors', () => {
  it.each([
    ['OOM command not allowed when used memory > \'maxmemory\'.', 'STORE_UNAVAILABLE', true, 'Redis answered XADD for stream "a" with OOM, a passing state of the server (retry later): '],
    ['LOADING Redis is loading the dataset in memory', 'STORE_UNAVAILABLE', true, 'Redis answered XADD for stream "a" with LOADING, a passing state of the server (retry later): '],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'STORE_FAILED', false, 'Redis refused XADD for stream "a": '],
    ['ERR The ID specified in XADD is equal or smaller than the target stream top item', 'STORE_FAILED', false, 'Redis refused XADD for stream "a": '],
  ])('should classify the reply %j of a call and of a script alike, each in its own words', (reply, code, retryable, prefix) => {
    const cause = new Error(reply);
    const call = storeError(cause, 'a', 'XADD');
    expect(call).toEqual(new EventLogError(code as 'STORE_FAILED', 'a', prefix + reply, cause));
    expect(call).toMatchObject({ code, retryable, streamId: 'a', cause });
    const script = scriptRefusal(reply, 'a', what);
    const passing = code === 'STORE_UNAVAILABLE' ? ` with ${reply.split(' ')[0]!}, a passing state of the server (retry later)` : '';
    expect(script).toEqual(new EventLogError(code as 'STORE_FAILED', 'a', `Redis refused ${what}${passing}: ${reply}`));
    expect(script).toMatchObject({ code, retryable, streamId: 'a', cause: { message: reply } });
  });

  it('should tell a lost connection (no reply code) from a refusal in a call, and a script reply without a code is a refusal', () => {
    const lost = new Error('The client is closed');
    expect(storeError(lost, undefined, 'SSCAN')).toEqual(new EventLogError('STORE_UNAVAILABLE', undefined, "the Redis event store's connection failed during SSCAN: The client is closed", lost));
    expect(storeError(lost, 's', 'XRANGE')).toMatchObject({ message: "the Redis event store's connection failed during XRANGE for stream \"s\": The client is closed", retryable: true });
    expect(scriptRefusal('refused', 'a', what)).toMatchObject({ code: 'STORE_FAILED', retryable: false, message: `Redis refused ${what}: refused` });
  });

  it('should give an L0Error and a TypeError back as they are', () => {
    const own = new EventLogError('STORE_TIMEOUT', 'a', 'late');
    const input = new TypeError('bad seq');
    expect(storeError(own, 'a', 'XADD')).toBe(own);
    expect(storeError(input, 'a', 'XADD')).toBe(input);
  });
});
