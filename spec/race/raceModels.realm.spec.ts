/** @test {raceModels} @test {fakeModel} */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { NEVER, of, type Observable } from 'rxjs';
import { raceModels, type L0Event, type StartEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * A record of models made in another realm (node:vm, an iframe, a jest environment) has that
 * realm's Object.prototype: raceModels compared the prototype with this realm's and refused a plain
 * record with "got an object", a message that names nothing wrong. Any plain object is a record
 * (prototype null, or an Object.prototype of any realm); a Map, a class instance are still refused,
 * by name.
 */

const start = (model?: string): StartEvent => ({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false, ...(model ? { model } : {}) });
const tok = (value: string): L0Event => ({ type: 'token', value });
const inOtherRealm = <T>(code: string, given: Record<string, unknown> = {}): T => runInNewContext(code, given) as T;

describe('raceModels with a record from another realm', () => {
  it('should race a plain object made in a node:vm context', () => {
    const sources = inOtherRealm<Record<string, Observable<L0Event>>>('({ gpt: source })', { source: of(start(), tok('a')) });
    expect(Object.getPrototypeOf(sources)).not.toBe(Object.prototype); // the other realm's
    const events: L0Event[] = [];
    raceModels(sources).subscribe((e) => events.push(e));
    expect(events).toEqual([start('gpt'), tok('a')]);
  });

  it('should race a record with no prototype made in another realm', () => {
    const sources = inOtherRealm<Record<string, Observable<L0Event>>>('Object.assign(Object.create(null), { gpt: source })', { source: of(start(), tok('a')) });
    const events: L0Event[] = [];
    raceModels(sources).subscribe((e) => events.push(e));
    expect(events).toEqual([start('gpt'), tok('a')]);
  });

  it.each([
    ['a Map of another realm', () => inOtherRealm('new Map([["gpt", source]])', { source: NEVER }), /got a Map/],
    ['a class instance', () => new (class Models { gpt = NEVER })(), /got a Models/],
    ['a class instance of another realm', () => inOtherRealm('new (class Models { constructor() { this.gpt = source } })()', { source: NEVER }), /got a Models/],
    ['an object whose prototype is a record', () => Object.create({ gpt: NEVER }) as unknown, /sources must be an array or a record of Observables/],
  ])('should still refuse %s with a TypeError naming it', (_, make, message) => {
    expect(() => raceModels(make() as never)).toThrow(message);
  });
});

describe('fakeModel values from another realm', () => {
  it('should take a values record made in a node:vm context', () => {
    const values = inOtherRealm<Record<string, string>>('({ a: "hello" })');
    const model = fakeModel('a|', { values });
    testScheduler().run(({ expectObservable }) => {
      expectObservable(model({ attempt: 1, fallbackIndex: 0, signal: new AbortController().signal })).toBe('a(c|)', { a: tok('hello'), c: { type: 'complete', finishReason: 'stop' } });
    });
  });
});
