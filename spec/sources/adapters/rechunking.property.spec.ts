/** @test {fromStream} @test {BUILT_IN_ADAPTERS} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromStream, type FinishReason, type Usage } from 'l0-rx';
import { chunksOf, collect, readableOf } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';
import {
  aiSdkParts, chatChunks, cut, Dice, diceArb, expectedEvents, joined, mastraChunks, responsesEvents, responsesFinish, scriptArb, type Script,
} from './streamScripts.js';
import { runs } from '../../helpers/propertyRuns.js';

/*
 * Each format's chunks for one answer (text and reasoning, tool calls with their arguments in fragments,
 * a finish reason, usage), cut and batched every way the dice say: every cut gives the same events, text
 * joined, and they are the answer's (its text, its calls whole, its finish reason and usage).
 */

const RUNS = runs(150);
const decoded = async (chunks: readonly unknown[]) => joined(await collect(fromStream(() => chunksOf(chunks))));
const plainUsage = (s: Script, extra: Partial<Usage> = {}): Usage | undefined =>
  s.usage && { inputTokens: s.usage.input, outputTokens: s.usage.output, totalTokens: s.usage.input + s.usage.output, ...extra };

describe('any cut of a stream gives the answer it describes', () => {
  it('openai-chat: deltas cut anywhere, call fragments interleaved and batched, the finish reason on the last delta or its own chunk, a second choice', async () => {
    await fc.assert(fc.asyncProperty(scriptArb, diceArb, async (script, rolls) => {
      const finish: FinishReason = script.finish;
      expect(await decoded(chatChunks(script, new Dice(rolls)))).toEqual(expectedEvents(script, finish, plainUsage(script)));
    }), { numRuns: RUNS });
  });

  it('openai-chat through the real openai SDK, its SSE body cut into byte chunks anywhere (inside a character, a line end, a field name)', async () => {
    await fc.assert(fc.asyncProperty(scriptArb, diceArb, diceArb, async (script, rolls, byteRolls) => {
      const bytes = new TextEncoder().encode(sseText(chatChunks(script, new Dice(rolls))).replaceAll('\n', '\r\n'));
      const dice = new Dice(byteRolls);
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < bytes.length;) {
        const next = Math.min(bytes.length, at + 1 + dice.roll(24));
        pieces.push(bytes.subarray(at, next));
        at = next;
      }
      const client = fakeClient(() => readableOf(pieces));
      const events = joined(await collect(fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal }))));
      expect(events).toEqual(expectedEvents(script, script.finish, plainUsage(script)));
    }), { numRuns: runs(60) });
  });

  it('openai-responses: text, reasoning and argument deltas cut anywhere, text between the calls, completed or incomplete', async () => {
    await fc.assert(fc.asyncProperty(scriptArb, diceArb, async (script, rolls) => {
      const usage = plainUsage(script, { reasoningTokens: 0, cachedInputTokens: 0 });
      expect(await decoded(responsesEvents(script, new Dice(rolls)))).toEqual(expectedEvents(script, responsesFinish(script), usage));
    }), { numRuns: RUNS });
  });

  for (const level of ['result', 'provider'] as const) {
    it(`ai-sdk${level === 'provider' ? '-provider' : ''}: deltas and tool input cut anywhere, calls among the text, the step finished with the answer's reason`, async () => {
      await fc.assert(fc.asyncProperty(scriptArb, diceArb, async (script, rolls) => {
        expect(await decoded(aiSdkParts(script, new Dice(rolls), level))).toEqual(expectedEvents(script, script.finish, plainUsage(script)));
      }), { numRuns: RUNS });
    });
  }

  it('mastra: envelopes of text cut anywhere, calls among the text, the step finished with the answer\'s reason', async () => {
    await fc.assert(fc.asyncProperty(scriptArb, diceArb, async (script, rolls) => {
      expect(await decoded(mastraChunks(script, new Dice(rolls)))).toEqual(expectedEvents(script, script.finish, plainUsage(script)));
    }), { numRuns: RUNS });
  });

  it('text: bytes cut anywhere, inside a character too, give the text', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), diceArb, async (text, rolls) => {
      const bytes = new TextEncoder().encode(text);
      const dice = new Dice(rolls);
      const pieces = cut(Array.from(bytes, (b) => String.fromCharCode(b)).join(''), dice).map((p) => Uint8Array.from(p, (c) => c.charCodeAt(0)));
      const events = joined(await collect(fromStream(() => readableOf(pieces))));
      expect(events.slice(1)).toEqual([{ type: 'token', value: text }, { type: 'complete', finishReason: 'stop' }]);
    }), { numRuns: RUNS });
  });
});
