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
    ['```js\nconst a = 1;\n```\n\nAnd then:\n\n```js\nconst b = 2;\n```', {}, '```js\nconst a = 1;\n```\n\nAnd then:\n\n```js\nconst b = 2;\n```'],
    ['```\na\n```\n```\nb\n```', {}, '```\na\n```\n```\nb\n```'],
    ['````md\n```js\nx\n```\n````', {}, '```js\nx\n```'],
    ['```\nx\n`````', {}, 'x'],
    ['\n  ```json  \n{}\n```  \n', {}, '{}'],
    ['```\n```', {}, ''],
    ['```\nx\n~~~', {}, '```\nx\n~~~'],
    ['```\r\na\r\n```\r\nb\r\n```', { normalizeNewlines: false }, '```\r\na\r\n```\r\nb\r\n```'],
    ['~~~\r\na\r\n~~~', { normalizeNewlines: false }, 'a'],
  ] as const)('should clean %j with %j to %j', (text, config, expected) => {
    expect(cleanOutput(text, config)).toBe(expected);
  });

  // `/[ \t]+$/gm` rescanned a run of spaces from each of its characters (a second at 20 KB)
  it('should trim line ends in linear time (a line of 50 KB of spaces before its text)', () => {
    const text = `${' '.repeat(50_000)}x  \n  y  `;
    const t0 = performance.now();
    expect(cleanOutput(text, { trim: false })).toBe(`${' '.repeat(50_000)}x\n  y`);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('should throw a TypeError for an unknown option', () => {
    expect(() => cleanOutput('x', { strip: true } as never)).toThrow(/cleanOutput\(text, config\): unknown option/);
  });
});
