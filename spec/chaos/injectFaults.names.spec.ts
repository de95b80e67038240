/** @test {injectFaults} */
import { describe, expect, it } from 'vitest';
import { injectFaults, type StreamContext } from 'l0-rx';
import { unhandledDuring } from '../helpers/unhandled.js';

const CLEAN = { clean: true };
const ctx = () => ({ attempt: 1, fallbackIndex: 0, signal: new AbortController().signal }) as StreamContext;

describe('injectFaults: enabled answers and fault names', () => {
  // any truthy answer was "on": 'no' injected faults, and so did a promise of false
  it.each<[unknown, string]>([
    ['no', 'injectFaults({enabled}) must return a boolean, got "no"'],
    [1, 'injectFaults({enabled}) must return a boolean, got 1'],
    [undefined, 'injectFaults({enabled}) must return a boolean, got undefined'],
  ])('should fail the call when enabled returns %j, which is no boolean', (answer, message) => {
    const factory = injectFaults(() => CLEAN, { faults: ['rate-limit'], enabled: () => answer as boolean });
    expect(() => factory(ctx())).toThrow(message);
  });

  it('should fail the call when enabled returns a promise, and leave its rejection handled', async () => {
    const factory = injectFaults(() => CLEAN, { faults: ['rate-limit'], enabled: (() => Promise.reject(new Error('late'))) as never });
    const unhandled = await unhandledDuring(async () => {
      expect(() => factory(ctx())).toThrow('injectFaults({enabled}) must return a boolean, got a Promise');
    });
    expect(unhandled).toEqual([]);
  });

  // the server's model name in another case, copied whole, was an unknown fault "Fault"
  it.each([
    ['Fault:stall', 'fault "Fault:stall": injectFaults takes the fault without its fault: prefix (did you mean "stall"?)'],
    ['FAULT:rate-limit:2', 'fault "FAULT:rate-limit:2": injectFaults takes the fault without its fault: prefix (did you mean "rate-limit:2"?)'],
  ])('should name the fault behind a %s prefix in any case', (fault, message) => {
    expect(() => injectFaults(() => CLEAN, { faults: [fault] })).toThrow(message);
  });
});
