/** @test {consensus} */
import { afterEach, describe, expect, it } from 'vitest';
import { consensus } from 'l0-rx';
import { runConsensus } from './runConsensus.js';

/* A model's output is data: its keys are fields, whatever they are called. */
describe('structured consensus with a "__proto__" key in the outputs', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>)['polluted'];
  });

  it('should keep "__proto__" as a field of the merged value and never write to Object.prototype', () => {
    const text = '{"__proto__": {"polluted": "yes"}, "a": 1}';
    const { result, error } = runConsensus((answer) => consensus([answer(text), answer(text), answer('{"a": 2}')], { parse: (t) => JSON.parse(t) as unknown }));
    expect(error).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const merged = result!.consensus as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    expect(JSON.stringify(merged)).toBe('{"__proto__":{"polluted":"yes"},"a":1}');
    expect(result!.fields!['__proto__.polluted']).toMatchObject({ value: 'yes', agreement: 2 / 3 });
  });

  it('should keep a "__proto__" leaf as a field, never the merged value\'s prototype', () => {
    const text = '{"__proto__": [1], "a": 1}';
    const { result } = runConsensus((answer) => consensus([answer(text), answer(text)], { parse: (t) => JSON.parse(t) as unknown }));
    const merged = result!.consensus as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(JSON.stringify(merged)).toBe('{"__proto__":[1],"a":1}');
  });
});
