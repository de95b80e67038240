/** @test {truncate} */
import { describe, expect, it } from 'vitest';
import { dedent, escapeHtml, escapeRegex, normalizeNewlines, removeAnsi, sanitize, truncate } from 'l0-rx';

describe('string utilities', () => {
  it.each([
    [normalizeNewlines('a\r\nb\rc'), 'a\nb\nc'],
    [dedent('  a\n    b\n\n  c'), 'a\n  b\n\nc'],
    [dedent('a\n  b'), 'a\n  b'],
    [truncate('Hello world', 8), 'Hello w…'],
    [truncate('Hello', 5), 'Hello'],
    [truncate('ab😀cd', 4), 'ab…'],
    [truncate('Hello world', 8, '...'), 'Hello...'],
    [escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'],
    [removeAnsi('\u001b[31mred\u001b[0m'), 'red'],
    [sanitize('a\u0000b\u0007c\n\td'), 'abc\n\td'],
  ])('should give %j (expected %j)', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('should make a regex that matches the text literally', () => {
    const text = 'a.b*c(d)[e]{f}|g^h$i\\j/k+l?m-n';
    expect(new RegExp(`^${escapeRegex(text)}$`).test(text)).toBe(true);
  });

  it('should reject a bad max in truncate', () => {
    expect(() => truncate('x', -1)).toThrow(TypeError);
  });
});
