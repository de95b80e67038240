/** @test {truncate} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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
    [removeAnsi('\u001b]8;;https://x.dev\u001b\\link\u001b]8;;\u001b\\'), 'link'],
    [removeAnsi('\u001b]0;title\u0007text'), 'text'],
    [removeAnsi('a\u001b]0;cut\u001b[1mb'), 'a\u001b]0;cutb'],
    [sanitize('a\u0000b\u0007c\n\td'), 'abc\n\td'],
  ])('should give %j (expected %j)', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  // the common indentation was taken as a count of characters, a tab and a space alike: '\ta' and '  b' lost a space
  // that the first line never had (Python's textwrap.dedent: tabs and spaces are both whitespace, but not equal)
  it.each([
    ['\ta\n  b', '\ta\n  b'],
    ['    x = 1\n\ty = 2', '    x = 1\n\ty = 2'],
    ['\t  a\n\t b\n\n\t\tc', '  a\n b\n\n\tc'],
    [' \t a\n \t  b\n   ', 'a\n b\n'],
  ])('should dedent %j by only the indentation its lines have in common', (text, expected) => {
    expect(dedent(text)).toBe(expected);
  });

  it('should make a regex that matches the text literally', () => {
    const text = 'a.b*c(d)[e]{f}|g^h$i\\j/k+l?m-n';
    expect(new RegExp(`^${escapeRegex(text)}$`).test(text)).toBe(true);
  });

  it('should escape `-` as \\x2d, valid with the u and v flags', () => {
    expect(escapeRegex('2024-01-01')).toBe('2024\\x2d01\\x2d01');
    expect(new RegExp(`^${escapeRegex('2024-01-01')}$`, 'u').test('2024-01-01')).toBe(true);
    expect(new RegExp(`^[${escapeRegex('a-z')}]+$`, 'v').test('-az')).toBe(true);
    expect(new RegExp(`^[${escapeRegex('a-z')}]+$`, 'v').test('b')).toBe(false);
  });

  it.each(['', 'u', 'v'])('should make a regex that matches any text literally with flags %j (property)', (flags) => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: fc.constantFrom(...'.*+?^${}()|[]\\/-,=<>#&!%:;@~\'`"a1 ') }), fc.string({ unit: 'binary' })), (text) => {
      expect(new RegExp(`^${escapeRegex(text)}$`, flags).test(text)).toBe(true);
      expect(new RegExp(`^[${escapeRegex(text)}]*$`, flags === 'v' ? 'u' : flags).test(text)).toBe(true);
    }));
  });

  // an OSC sequence without its terminator made the old pattern scan to the end for every `ESC ]`
  it('should remove ANSI sequences in linear time (120 KB of unterminated OSC openings)', () => {
    const text = '\u001b]x'.repeat(40_000);
    const t0 = performance.now();
    expect(removeAnsi(text)).toBe(text);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('should reject a bad max in truncate', () => {
    expect(() => truncate('x', -1)).toThrow(TypeError);
  });
});
