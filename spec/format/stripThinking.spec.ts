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
  ])('should turn %j into %j', (text, expected) => {
    expect(stripThinking(text)).toBe(expected);
  });
});
