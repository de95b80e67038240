/** @test {markdownRule} */
import { describe, expect, it } from 'vitest';
import { guard, isGuardrailViolationError, markdownRule } from 'l0-rx';
import { runSync, text } from './helpers.js';

const check = (...chunks: string[]) => runSync(text(...chunks), guard([markdownRule()]));

describe('markdownRule', () => {
  it('should fail an answer that ends inside a code fence, once', () => {
    const r = check('Here:\n```js\n', 'const x = 1;\n');
    expect(r.violations).toEqual([{ ruleId: 'markdown-structure', message: 'the answer ends inside a code fence', severity: 'error', recoverable: true }]);
    expect(isGuardrailViolationError(r.error)).toBe(true);
  });

  it('should accept closed fences, with tildes and longer closers, split anywhere', () => {
    const md = 'Intro\n```py\nprint(1)\n```\n~~~\nx\n~~~~\nEnd.';
    for (let i = 1; i < md.length; i++) expect(check(md.slice(0, i), md.slice(i)).violations).toEqual([]);
  });

  it('should warn about a table row with the wrong number of cells, not fail', () => {
    const r = check('| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |\n');
    expect(r.violations).toEqual([expect.objectContaining({ severity: 'warning', message: 'a table row has 1 cells, the header 2', position: 30 })]);
    expect(r.error).toBeUndefined();
  });

  it('should accept consistent tables and pipes inside fences', () => {
    expect(check('| a | b |\n| :-- | --: |\n| 1 | 2 |\n\n```\n| x |\n|---|---|\n| 1 |\n```\n').violations).toEqual([]);
  });

  it('should warn when a list switches between ordered and unordered items at one level', () => {
    expect(check('- a\n1. b\n').violations[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('list switches') });
    expect(check('- a\n  1. nested\n- b\n\n1. new list\n').violations).toEqual([]);
  });

  it('should leave plain prose alone', () => {
    expect(check('Just a sentence without markdown, ending without punctuation').violations).toEqual([]);
  });
});
