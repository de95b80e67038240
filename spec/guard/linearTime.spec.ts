/** @test {guard} */
import { from } from 'rxjs';
import { describe, it } from 'vitest';
import { customPatternRule, detectDrift, guard, strictGuardrails, type L0Event } from 'l0-rx';
import { expectLinearTime } from '../helpers/linearTime.js';

/*
 * Every built-in rule and detector on 1 MB of adversarial input (long runs of one character, nested
 * brackets, near misses of every pattern) in linear time: 1 MB must take less than 8x what 256 KB
 * takes (linear: about 4x; a rescan of the text per token, or catastrophic backtracking: 16x and
 * more), and under 10 s outright (spec/helpers/linearTime.ts). Streamed in 64-character tokens, and
 * as one token.
 */

const KB = 1024;
const ADVERSARIAL: Record<string, string> = {
  'one character': 'a',
  spaces: ' ',
  'nested braces': '{',
  'nested brackets': '[[',
  'JSON near miss': '{"a":[1,{"b":"\\"',
  'meta near miss': 'As an A I languag ',
  'refusal near miss': 'I cannot provid ',
  'leak near miss': '[syste <|im_star ### Syst ',
  'leak heading near miss': '### System\n\n  Yo ## Instructions\nRespon',
  'refusal hedge near miss': 'I cannot provide a b c d e f g h i j k l m n bu ',
  'refusal partial near miss': 'I cannot provide so her however, I will summ instead, let m ',
  'leak instructions near miss': '## Instructions\n\nAlways preheat ## Instructions\nNever revea ',
  'code span near miss': '`` ```x\n~~~ \n\n` \\end{a} `[system]` ',
  'placeholder near miss': '[insert ',
  'latex near miss': '\\begin{aaaa \\end{ \\[ $$ \\fra',
  'markdown near miss': '| a | b |\n|--\n``\n- 1. ',
  'sentence loop': 'Same sentence here, again and again. ',
  'formal words': 'therefore thus hence moreover ',
};

const rules = [...strictGuardrails, customPatternRule([/\bsecret-[a-z]{3,20}\b/], 'secret')];

function timeFor(unit: string, size: number, tokenSize: number): number {
  const text = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const events: L0Event[] = [];
  for (let i = 0; i < text.length; i += tokenSize) events.push({ type: 'token', value: text.slice(i, i + tokenSize) });
  events.push({ type: 'complete', finishReason: 'stop' });
  const started = performance.now();
  from(events).pipe(guard(rules), detectDrift()).subscribe({ error: () => undefined });
  return performance.now() - started;
}

describe('guard and detectDrift on adversarial input', () => {
  for (const [name, unit] of Object.entries(ADVERSARIAL)) {
    it(`should run in linear time on ${name}`, () => {
      for (const tokenSize of [64, 1024 * KB]) expectLinearTime(`${name}, tokens of ${tokenSize}`, (size) => timeFor(unit, size, tokenSize), 256 * KB);
    });
  }
});
