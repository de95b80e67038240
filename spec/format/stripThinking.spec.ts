/** @test {stripThinking} */
import { describe, expect, it } from 'vitest';
import { stripThinking } from 'l0-rx';

describe('stripThinking', () => {
  it.each([
    ['<think>2+2 is...</think>\n4', '4'],
    ['<THINKING>hm</THINKING>Paris', 'Paris'],
    ['<thought>a</thought>x<reasoning>b</reasoning>y', 'xy'],
    ['The answer <think>still thinking', 'The answer '],
    ['reasoning without an opening tag</think>\n\nAnswer', 'Answer'],
    ['No thinking at all <b>bold</b>', 'No thinking at all <b>bold</b>'],
    ['<think>a</thinking>b', ''],
    ['', ''],
    ['<Think>a</THINK> b <thought>c</thought>\n\nd', 'b d'],
    ['x <think>a</thought> still thinking', 'x '],
    ['<think>a<think>b</think>c', 'c'],
    ['plan</think> answer', 'answer'],
    ['<think>a</think>b</think>c', 'b</think>c'],
    ['a <think>b</think>', 'a '],
  ])('should turn %j into %j', (text, expected) => {
    expect(stripThinking(text)).toBe(expected);
  });

  // the lazy block regex scanned to the end for every opening tag without its closing tag (seconds at this size)
  it.each([
    ['unclosed opening tags', '<think>'.repeat(60_000), ''],
    ['mismatched tag pairs', '<think>a</thinking>'.repeat(25_000), ''],
    ['orphan closing tags after a block', `<think>a</think>${'</reasoning>'.repeat(36_000)}`, '</reasoning>'.repeat(36_000)],
  ])('should run in linear time on %s (about 450 KB)', (_name, text, expected) => {
    const t0 = performance.now();
    expect(stripThinking(text)).toBe(expected);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('should keep the whitespace after a block when the text before it ends in a word (as splitThinking does)', () => {
    expect(stripThinking('Hello world<think>x</think> and more')).toBe('Hello world and more');
    expect(stripThinking('Hello world <think>x</think> and more')).toBe('Hello world and more');
    expect(stripThinking('<think>x</think>\n\nAnswer')).toBe('Answer');
  });
});
