/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { of } from 'rxjs';
import {
  BUILT_IN_ADAPTERS,
  fromStream,
  isInvalidStreamError,
  isProviderError,
  type L0Event,
  type StreamAdapter,
} from 'l0-rx';
import { chunksOf, collect, collectError, readableOf } from './streamHelpers.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const stop: L0Event = { type: 'complete', finishReason: 'stop' };

describe('fromStream inputs', () => {
  describe('text', () => {
    it('should turn an AsyncIterable<string> into tokens, dropping empty ones, then complete{stop}', async () => {
      expect(await collect(fromStream(() => chunksOf(['Hel', '', 'lo'])))).toEqual([start, tok('Hel'), tok('lo'), stop]);
    });

    it('should complete an empty AsyncIterable with only start and complete{stop}', async () => {
      expect(await collect(fromStream(() => chunksOf<string>([])))).toEqual([start, stop]);
    });

    it('should read a ReadableStream<string>', async () => {
      expect(await collect(fromStream(() => readableOf(['a', 'b'])))).toEqual([start, tok('a'), tok('b'), stop]);
    });

    it('should decode a ReadableStream<Uint8Array> with characters split across chunks', async () => {
      const bytes = new TextEncoder().encode('é€!');
      const chunks = [bytes.slice(0, 1), bytes.slice(1, 3), bytes.slice(3)];
      const events = await collect(fromStream(() => readableOf(chunks)));
      expect(events).toEqual([start, tok('é'), tok('€!'), stop]);
    });
  });

  describe('promises', () => {
    it('should await a promise of an AsyncIterable', async () => {
      expect(await collect(fromStream(async () => chunksOf(['a'])))).toEqual([start, tok('a'), stop]);
    });

    it('should await any thenable (such as openai APIPromise)', async () => {
      const thenable = { then: (resolve: (v: unknown) => void) => resolve(chunksOf(['a'])) };
      expect(await collect(fromStream(() => thenable))).toEqual([start, tok('a'), stop]);
    });

    it('should await a promise of an Observable<L0Event>', async () => {
      expect(await collect(fromStream(async () => of(tok('a'))))).toEqual([start, tok('a'), stop]);
    });
  });

  describe('unknown input', () => {
    const invalid = async (value: unknown) => {
      const { events, error } = await collectError(fromStream(() => value as never));
      expect(events).toEqual([start]);
      expect(isInvalidStreamError(error)).toBe(true);
      return error.message as string;
    };

    it('should error with InvalidStreamError naming a number', async () => {
      expect(await invalid(42)).toContain('returned number 42');
    });

    it('should error with InvalidStreamError naming a plain object', async () => {
      expect(await invalid({ choices: 1, foo: 2 })).toContain('an object with keys [choices, foo]');
    });

    it('should error with InvalidStreamError for undefined', async () => {
      expect(await invalid(undefined)).toContain('returned undefined');
    });

    it('should point away from textStream', async () => {
      expect(await invalid({ textStream: 'x' })).toContain('never pass `textStream`');
    });

    it("should point a fetch Response to the SDK's stream, not to its body", async () => {
      // before: "returned a Response with keys []", and no word of `body`; then "(return its `body`)", which read an
      // AI SDK toTextStreamResponse() as plain text, its errors hidden
      expect(await invalid(new Response('a'))).toContain(
        "returned a Response with keys [], which is not a stream fromStream can read (return the SDK's stream, not a Response)",
      );
    });

    it('should error with InvalidStreamError naming a first chunk no adapter detects', async () => {
      const message = await invalid(chunksOf([{ hello: 'world' }]));
      expect(message).toContain("first chunk, an object with keys [hello]");
      expect(message).toContain('tried mastra, openai-responses');
    });

    it('should error with InvalidStreamError for a ReadableStream that is already being read', async () => {
      const stream = readableOf(['a']);
      stream.getReader();
      expect(await invalid(stream)).toContain('can be read once');
    });
  });

  describe('adapters', () => {
    const shout: StreamAdapter = {
      name: 'shout',
      detect: (c) => typeof c === 'string',
      create: () => ({ push: (c, emit) => emit(tok(String(c).toUpperCase())), end: () => {} }),
    };

    it('should expose frozen built-ins with unique names', () => {
      expect(Object.isFrozen(BUILT_IN_ADAPTERS)).toBe(true);
      const names = BUILT_IN_ADAPTERS.map((a) => a.name);
      expect(names).toEqual(['mastra', 'openai-responses', 'openai-chat', 'ai-sdk-provider', 'ai-sdk', 'text']);
    });

    it('should try custom adapters before the built-ins', async () => {
      expect(await collect(fromStream(() => chunksOf(['a']), { adapters: [shout] }))).toEqual([start, tok('A'), stop]);
    });

    it('should error with InvalidStreamError when a custom adapter emits an invalid event', async () => {
      const broken: StreamAdapter = { ...shout, create: () => ({ push: (_c, emit) => emit({ type: 'token' } as never), end: () => {} }) };
      const { error } = await collectError(fromStream(() => chunksOf(['a']), { adapters: [broken] }));
      expect(isInvalidStreamError(error)).toBe(true);
      expect(error.message).toContain('the custom adapter "shout"');
    });

    it.each([
      ['an approvalId that is not a string', { approvalId: 5 }, '`approvalId` must be a string'],
      ['a truncated flag that is not a boolean', { truncated: 'yes' }, '`truncated` a boolean'],
    ])('should error with InvalidStreamError when a custom adapter emits a tool call with %s', async (_, extra, problem) => {
      const call = { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}', ...extra };
      const broken: StreamAdapter = { ...shout, create: () => ({ push: (_c, emit) => emit(call as never), end: () => {} }) };
      const { error } = await collectError(fromStream(() => chunksOf(['a']), { adapters: [broken] }));
      expect(isInvalidStreamError(error)).toBe(true);
      expect(error.message).toContain(problem);
    });

    it('should pass a custom adapter\'s tool call with truncated: false (a JavaScript adapter writing `truncated: cut`)', async () => {
      const call = { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}', truncated: false } as const;
      const ok: StreamAdapter = { ...shout, create: () => ({ push: (_c, emit) => emit(call as never), end: () => {} }) };
      expect(await collect(fromStream(() => chunksOf(['a']), { adapters: [ok] }))).toContainEqual(call);
    });

    it('should pass a custom adapter\'s tool call with approvalId and truncated', async () => {
      const call = { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":', approvalId: 'ap1', truncated: true } as const;
      const ok: StreamAdapter = { ...shout, create: () => ({ push: (_c, emit) => emit(call), end: () => {} }) };
      const events = await collect(fromStream(() => chunksOf(['a']), { adapters: [ok] }));
      expect(events).toContainEqual(call);
    });

    it('should let a custom adapter unwrap a top-level object', async () => {
      const wrapper: StreamAdapter = { ...shout, unwrap: (input) => (input as { words?: unknown }).words };
      const events = await collect(fromStream(() => ({ words: chunksOf(['hi']) }), { adapters: [wrapper] }));
      expect(events).toEqual([start, tok('HI'), stop]);
    });

    it('should treat an empty stream unwrapped from an SDK result as cut', async () => {
      const { error } = await collectError(fromStream(() => ({ stream: readableOf([]) })));
      expect(isProviderError(error) && error.code).toBe('INCOMPLETE_STREAM');
    });

    it('should fail with the error a custom adapter throws, normalised', async () => {
      const failing: StreamAdapter = {
        ...shout,
        create: () => ({ push: () => { throw Object.assign(new Error('overloaded'), { status: 529 }); }, end: () => {} }),
      };
      const { error } = await collectError(fromStream(() => chunksOf(['a']), { adapters: [failing] }));
      expect(isProviderError(error) && error.category).toBe('server');
    });
  });
});
