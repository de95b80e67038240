/** @test {accumulate} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { accumulate, isInvalidStreamError, type AccumulateConfig, type L0Event, type L0State } from 'l0-rx';

const tok = (value: string): L0Event => ({ type: 'token', value });
const fold = (values: unknown[], config?: AccumulateConfig): Promise<L0State[] | unknown> =>
  lastValueFrom((of(...values) as Observable<L0Event>).pipe(accumulate(config), toArray())).catch((e: unknown) => e);

/* accumulate() folds L0 events; anything else is a typed error naming it, not a broken state. */
describe('accumulate on values that are not L0 events', () => {
  it.each([
    ['undefined', undefined, /got undefined$/],
    ['null', null, /got null$/],
    ['a string', 'Hello', /got "Hello"$/],
    ['a number', 42, /got 42$/],
    ['an object without a type', { value: 'x' }, /got an object$/],
    ['an unknown type', { type: 'nope' }, /got an object with unknown type "nope"$/],
    ['a token without a value', { type: 'token' }, /got a token event whose value is undefined$/],
    ['a token whose value is a number', { type: 'token', value: 3 }, /got a token event whose value is 3$/],
    ['a reasoning event whose value is null', { type: 'reasoning', value: null }, /got a reasoning event whose value is null$/],
    ['a resume without a checkpoint', { type: 'resume' }, /got a resume event whose checkpoint is undefined$/],
    ['a retry without an error', { type: 'retry', attempt: 1, delayMs: 0, reason: 'x' }, /got a retry event whose error is undefined$/],
  ])('should error with an InvalidStreamError for %s', async (_, value, got) => {
    const error = await fold([tok('a'), value]);
    expect(isInvalidStreamError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^accumulate\(\) expects L0 events/);
    expect((error as Error).message).toMatch(got);
  });

  it('should emit the states before the bad value, and none with undefined', async () => {
    const states: L0State[] = [];
    const error = await new Promise((resolve) => {
      (of(tok('a'), { type: 'nope' }, tok('b')) as Observable<L0Event>).pipe(accumulate()).subscribe({
        next: (s) => states.push(s),
        error: resolve,
      });
    });
    expect(isInvalidStreamError(error)).toBe(true);
    expect(states.map((s) => s.content)).toEqual(['a']);
  });

  it('should fold the error into a last state with errorsAsState', async () => {
    const states = (await fold([tok('a'), 'oops'], { errorsAsState: true })) as L0State[];
    expect(states.at(-1)).toMatchObject({ status: 'error', content: 'a', error: { name: 'InvalidStreamError', code: 'INVALID_STREAM' } });
  });

  it('should shorten a long string in the message', async () => {
    const error = (await fold(['x'.repeat(10_000)])) as Error;
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('accumulate options', () => {
  it('should reject a misspelled option and suggest the closest one', () => {
    expect(() => accumulate({ errorAsState: true } as never)).toThrow(
      new TypeError('accumulate(config): unknown option `errorAsState` (did you mean `errorsAsState`?)'),
    );
  });

  it('should throw a TypeError for an errorsAsState that is not a boolean', () => {
    expect(() => accumulate({ errorsAsState: 'yes' } as never)).toThrow(
      new TypeError('accumulate({errorsAsState}) must be a boolean, got "yes"'),
    );
  });

  it('should throw a TypeError for a config that is not an object', () => {
    expect(() => accumulate(null as never)).toThrow(new TypeError('accumulate(config) must be an object, got null'));
  });
});

describe('accumulate: the tool calls it keeps', () => {
  it('should keep a call\'s id, name, arguments, approvalId and truncated, and nothing else a source put on its event', async () => {
    // a custom source's event carrying its raw chunk (or a replayed log's newer fields): none of it stays in every snapshot
    const calls = [
      { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}', approvalId: 'a1', raw: { huge: 'chunk' } },
      { type: 'tool-call', id: 'c2', name: 'g', arguments: '{"a":', truncated: true, providerMetadata: {} },
      { type: 'tool-call', id: 'c3', name: 'h', arguments: '{}', approvalId: undefined },
    ];
    const states = (await fold(calls)) as L0State[];
    expect(states.at(-1)!.toolCalls.map((c) => Object.keys(c))).toEqual([
      ['id', 'name', 'arguments', 'approvalId'],
      ['id', 'name', 'arguments', 'truncated'],
      ['id', 'name', 'arguments'],
    ]);
    expect(states.at(-1)!.toolCalls[1]).toEqual({ id: 'c2', name: 'g', arguments: '{"a":', truncated: true });
  });
});
