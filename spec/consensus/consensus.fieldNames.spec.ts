/** @test {consensus} */
import { describe, expect, it } from 'vitest';
import { consensus, isConsensusError, isSchemaValidationError } from 'l0-rx';
import { runConsensus } from './runConsensus.js';

const parse = (t: string) => JSON.parse(t) as unknown;

describe('structured consensus: fields only a minority wrote', () => {
  // {a:1,x:9} and twice {a:1} merged to {a:1,x:9}: one output's x stood in the majority's answer
  it('should leave out of the merged value a field fewer than half the outputs wrote, and still report it', () => {
    const { result, error } = runConsensus((answer) => consensus([answer('{"a": 1, "x": 9}'), answer('{"a": 1}'), answer('{"a": 1}')], { parse, minimumAgreement: 0 }));
    expect(error).toBeUndefined();
    expect(result!.consensus).toEqual({ a: 1 });
    expect(result!.fields!['x']).toMatchObject({ value: 9, agreement: 1 / 3 });
    expect(result!.dissent).toEqual(['x']);
  });

  it('should keep a field half the outputs wrote', () => {
    const { result } = runConsensus((answer) => consensus([answer('{"a": 1, "x": 9}'), answer('{"a": 1}')], { parse, minimumAgreement: 0 }));
    expect(result!.consensus).toEqual({ a: 1, x: 9 });
  });

  it('should count the weight of the outputs that wrote a field, with strategy weighted', () => {
    const outputs = ['{"a": 1, "x": 9}', '{"a": 1}', '{"a": 1}'];
    const heavy = runConsensus((answer) => consensus(outputs.map((t) => answer(t)), { parse, strategy: 'weighted', weights: [3, 1, 1], minimumAgreement: 0 }));
    expect(heavy.result!.consensus).toEqual({ a: 1, x: 9 });
    const light = runConsensus((answer) => consensus(outputs.map((t) => answer(t)), { parse, strategy: 'weighted', weights: [1, 2, 2], minimumAgreement: 0 }));
    expect(light.result!.consensus).toEqual({ a: 1 });
  });

  // {a:{x:1}}, {a:{y:1}} and {a:{z:1}} merged to {}: every output's `a` was left out with the fields in it
  it('should keep the objects a majority wrote around fields only a minority did, emptied: {a: {}}, never {}', () => {
    const texts = ['{"a": {"x": 1}}', '{"a": {"y": 1}}', '{"a": {"z": 1}}'];
    const { result, error } = runConsensus((answer) => consensus(texts.map((t) => answer(t)), { parse, minimumAgreement: 0 }));
    expect([error, result!.consensus, result!.agreement, result!.dissent]).toEqual([undefined, { a: {} }, 1 / 3, ['a.x', 'a.y', 'a.z']]);
    const beside = runConsensus((answer) => consensus(texts.map((t) => answer(t.replace(/}$/, ', "b": 1}'))), { parse, minimumAgreement: 0 }));
    expect(beside.result!.consensus).toEqual({ a: {}, b: 1 });
    // the default minimumAgreement (0.6) refuses so little agreement
    const refused = runConsensus((answer) => consensus(texts.map((t) => answer(t)), { parse }));
    expect(isConsensusError(refused.error) && refused.error.info).toEqual({ kind: 'below-minimum-agreement', agreement: 1 / 3, minimumAgreement: 0.6 });
  });

  it('should leave out an object only a minority wrote, with its fields, by weight', () => {
    const outputs = ['{"a": 1, "x": {"y": 9}}', '{"a": 1, "x": {"z": 8}}', '{"a": 1}'];
    const { result } = runConsensus((answer) => consensus(outputs.map((t) => answer(t)), { parse, strategy: 'weighted', weights: [1, 1, 3], minimumAgreement: 0 }));
    expect(result!.consensus).toEqual({ a: 1 });
    const heavy = runConsensus((answer) => consensus(outputs.map((t) => answer(t)), { parse, strategy: 'weighted', weights: [2, 2, 3], minimumAgreement: 0 }));
    expect(heavy.result!.consensus).toEqual({ a: 1, x: {} });
  });

  // the object's writers were counted over the fields left after the shape vote: o0 wrote `a` too (its `a.b` a value, outvoted by
  // the objects), so a, written by three outputs of five, was left out as a minority's
  it('should keep an object a majority wrote when some of them lost a shape vote under it', () => {
    const texts = ['{"a": {"b": 5}}', '{"a": {"b": {"c": 1}}}', '{"a": {"b": {"d": 1}}}', '{"z": 1}', '{"z": 2}'];
    const { result } = runConsensus((answer) => consensus(texts.map((t) => answer(t)), { parse, minimumAgreement: 0 }));
    expect(result!.consensus).toEqual({ a: {} });
  });

  it("should take every field's winner with resolveConflicts 'merge', a minority's fields included", () => {
    const { result } = runConsensus((answer) => consensus([answer('{"a": 1, "x": 9}'), answer('{"a": 1}'), answer('{"a": 1}')], { parse, resolveConflicts: 'merge', minimumAgreement: 0 }));
    expect(result!.consensus).toEqual({ a: 1, x: 9 });
  });
});

describe('structured consensus: field names', () => {
  // both were "a.b": the second overwrote the first in `fields`, and `dissent` named one field twice
  it('should name a key containing a dot apart from a nested key (the dot escaped)', () => {
    const { result } = runConsensus((answer) => consensus([answer('{"a.b": 1}'), answer('{"a": {"b": 2}}'), answer('{"a": {"b": 2}}')], { parse, minimumAgreement: 0 }));
    expect(Object.keys(result!.fields!).sort()).toEqual(['a.b', 'a\\.b']);
    expect(result!.fields!['a\\.b']).toMatchObject({ value: 1, agreement: 1 / 3 });
    expect(result!.fields!['a.b']).toMatchObject({ value: 2, agreement: 2 / 3 });
    expect(result!.dissent).toEqual(['a\\.b', 'a.b']);
  });

  // a key 'a\\' holding b, and a key 'a.b': with dots alone escaped, both were 'a\\.b'
  it('should escape a backslash in a key too, so no two paths share a name', () => {
    const text = '{"a\\\\": {"b": 1}, "a.b": 2}';
    const { result } = runConsensus((answer) => consensus([answer(text), answer(text)], { parse }));
    expect(Object.keys(result!.fields!).sort()).toEqual(['a\\.b', 'a\\\\.b']);
  });
});

describe('structured consensus: a parse that gives what JSON cannot hold', () => {
  // JSON.stringify's own "Do not know how to serialize a BigInt" came out of the run
  it('should error the run with a TypeError naming parse and the BigInt', () => {
    const { error } = runConsensus((answer) => consensus([answer('1'), answer('1')], { parse: (t) => ({ n: BigInt(t) }) }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^consensus\(\{parse\}\) gave a value JSON cannot hold \(.*BigInt.*\)/);
    expect(isSchemaValidationError(error)).toBe(false);
  });

  // the walk of its leaves recursed into the cycle for seconds and ended in a RangeError (Maximum call stack size exceeded)
  it('should error the run with a TypeError naming a cycle through objects', () => {
    const cyclic = () => {
      const value: Record<string, unknown> = { a: 1 };
      value['self'] = value;
      return value;
    };
    const { error } = runConsensus((answer) => consensus([answer('1'), answer('1')], { parse: cyclic }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^consensus\(\{parse\}\) gave a value JSON cannot hold \(.*circular/);
  });
});
