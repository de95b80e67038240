/** @test {cleanOutput} */
import { describe, expect, it } from 'vitest';
import { cleanOutput } from 'l0-rx';

describe('cleanOutput', () => {
  it.each([
    ['```json\n{"a": 1}\n```\n', {}, '{"a": 1}'],
    ['~~~\ncode\n~~~', {}, 'code'],
    ['Hello  \r\nworld  ', {}, 'Hello\nworld'],
    ['Here is the JSON: {"a": 1}', {}, 'Here is the JSON: {"a": 1}'],
    ['Surely this works.', {}, 'Surely this works.'],
    ['Intro\n```js\nx\n```\nOutro', {}, 'Intro\n```js\nx\n```\nOutro'],
    ['a\n\n\n\nb   c', { collapseWhitespace: true }, 'a\n\nb c'],
    ['  def f():\n      return 1', {}, 'def f():\n      return 1'],
    ['```\nx\n```', { stripFences: false }, '```\nx\n```'],
    ['  x  ', { trim: false, trimLines: false }, '  x  '],
  ] as const)('should clean %j with %j to %j', (text, config, expected) => {
    expect(cleanOutput(text, config)).toBe(expected);
  });

  it('should throw a TypeError for an unknown option', () => {
    expect(() => cleanOutput('x', { strip: true } as never)).toThrow(/cleanOutput\(text, config\): unknown option/);
  });
});
