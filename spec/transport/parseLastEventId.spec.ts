/** @test {parseLastEventId} */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { parseLastEventId } from 'l0-rx';

describe('parseLastEventId', () => {
  it('should read a header value as the sequence number to resume after', () => {
    expect([parseLastEventId('12'), parseLastEventId(' 7 '), parseLastEventId(3)]).toEqual([12, 7, 3]);
  });

  it('should read the sequence number of an id tagged with its run (`<run>:<seq>`, a replay buffer\'s ids)', () => {
    expect([parseLastEventId('mi7fz3k2.0:12'), parseLastEventId(['0.1:3'])]).toEqual([12, 3]);
  });

  it('should throw on a tagged id without a number or with an empty run', () => {
    expect(() => parseLastEventId('r1:')).toThrow('got "r1:"');
    expect(() => parseLastEventId(':5')).toThrow('got ":5"');
  });

  it('should read no header, null and an empty one as 0 (from the start)', () => {
    expect([parseLastEventId(undefined), parseLastEventId(null), parseLastEventId('')]).toEqual([0, 0, 0]);
  });

  it('should read the last of repeated headers', () => {
    expect(parseLastEventId(['2', '5'])).toBe(5);
  });

  it('should throw a TypeError naming a malformed header value', () => {
    expect(() => parseLastEventId('12abc')).toThrow(new TypeError('Last-Event-ID must be a non-negative integer sequence number, got "12abc"'));
    expect(() => parseLastEventId('-1')).toThrow('got "-1"');
  });

  it('should name NaN, Infinity and other invalid numbers as such', () => {
    expect(() => parseLastEventId(Number.NaN)).toThrow('got NaN');
    expect(() => parseLastEventId(Number.POSITIVE_INFINITY)).toThrow('got Infinity');
    expect(() => parseLastEventId(1.5)).toThrow('got 1.5');
    expect(() => parseLastEventId(-1)).toThrow('got -1');
  });

  it('should carry its JSDoc (editors and the .d.ts show it: nothing may sit between the comment and the function)', () => {
    const file = new URL('../../src/transport/sseFrames.ts', import.meta.url);
    const source = ts.createSourceFile('sseFrames.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const fn = source.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'parseLastEventId');
    const docs = ts.getJSDocCommentsAndTags(fn!).map((d) => d.getText());
    expect(docs.join('\n')).toContain('Reads a `Last-Event-ID` header');
  });
});
