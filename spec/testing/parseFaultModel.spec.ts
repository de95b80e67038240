/** @test {parseFaultModel} */
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, parseFaultModel } from 'l0-rx/testing';

describe('parseFaultModel', () => {
  it('should return undefined for an ordinary model', () => {
    expect(parseFaultModel('gpt-4o-mini')).toBeUndefined();
    expect(parseFaultModel('my-fault:rate-limit')).toBeUndefined();
  });

  it('should parse a name, an argument and a *k limit', () => {
    expect(parseFaultModel('fault:stall')).toEqual({ name: 'stall' });
    expect(parseFaultModel('fault:cut-after-n:5')).toEqual({ name: 'cut-after-n', arg: '5' });
    expect(parseFaultModel('fault:rate-limit:0.5*2')).toEqual({ name: 'rate-limit', arg: '0.5', limit: 2 });
    expect(parseFaultModel('fault:unavailable*1')).toEqual({ name: 'unavailable', limit: 1 });
    expect(parseFaultModel('fault:refusal:delta')).toEqual({ name: 'refusal', arg: 'delta' });
  });

  it('should accept every name in FAULT_NAMES', () => {
    for (const name of FAULT_NAMES) expect(parseFaultModel(`fault:${name}`)).toEqual({ name });
  });

  it('should accept arguments up to the limits', () => {
    expect(parseFaultModel('fault:repetition-loop:10000')).toEqual({ name: 'repetition-loop', arg: '10000' });
    expect(parseFaultModel('fault:tool-call-fragments:47')).toEqual({ name: 'tool-call-fragments', arg: '47' });
    expect(parseFaultModel('fault:cut-after-n:0')).toEqual({ name: 'cut-after-n', arg: '0' });
    expect(parseFaultModel('fault:cut-tool-call:4')).toEqual({ name: 'cut-tool-call', arg: '4' });
    expect(parseFaultModel('fault:rate-limit-date:3600')).toEqual({ name: 'rate-limit-date', arg: '3600' });
    expect(parseFaultModel('fault:rate-limit-ms:3600000')).toEqual({ name: 'rate-limit-ms', arg: '3600000' });
  });

  it('should throw a TypeError naming an unknown fault', () => {
    expect(() => parseFaultModel('fault:explode')).toThrow(TypeError);
    expect(() => parseFaultModel('fault:explode:3')).toThrow(/unknown fault "explode" in "fault:explode:3" \(known faults: rate-limit, /);
  });

  it('should throw a TypeError naming the lower-case spelling for a fault name or prefix in another case, never an ordinary model', () => {
    for (const model of ['Fault:stall', 'FAULT:STALL', 'fault:Stall', 'fault:STALL:2*1']) {
      expect(() => parseFaultModel(model)).toThrow(new TypeError(`fault "${model}": fault names and the fault: prefix are lower-case (did you mean "${model.toLowerCase()}"?)`));
    }
  });

  it('should suggest the closest fault name for a misspelled one', () => {
    expect(() => parseFaultModel('fault:rate-limt:2')).toThrow(/unknown fault "rate-limt" in "fault:rate-limt:2" \(did you mean "rate-limit"\? known faults:/);
    expect(() => parseFaultModel('fault:cut-after:3')).toThrow(/did you mean "cut-after-n"\?/);
  });

  it.each([
    ['fault:cut-after-n:x', /cut-after-n takes a whole number >= 0, got "x"/],
    ['fault:cut-after-n:1.5', /cut-after-n takes a whole number/],
    ['fault:rate-limit:-1', /rate-limit takes a number >= 0/],
    ['fault:server-error:3', /server-error takes no argument/],
    ['fault:refusal:loud', /refusal takes one of content, delta/],
    ['fault:stall*0', /\*<k> must be a whole number >= 1, got "\*0"/],
    ['fault:stall*', /\*<k> must be a whole number >= 1/],
    ['fault:repetition-loop:10001', /repetition-loop takes a whole number of at most 10000, got "10001"/],
    ['fault:tool-call-fragments:30000000', /tool-call-fragments takes a whole number of at most 47 \(one character of the arguments each\)/],
    ['fault:tool-call-fragments:48', /tool-call-fragments takes a whole number of at most 47/],
    ['fault:tool-call-fragments:0', /tool-call-fragments takes a whole number >= 1, got "0"/],
    ['fault:repetition-loop:0', /repetition-loop takes a whole number >= 1, got "0"/],
    ['fault:rate-limit:3601', /rate-limit takes at most 3600 seconds, got "3601"/],
    ['fault:rate-limit-date:99999999999999', /rate-limit-date takes at most 3600 seconds/],
    ['fault:rate-limit-ms:3600001', /rate-limit-ms takes at most 3600000 ms/],
    ['fault:slow-first-token:1e9', /slow-first-token takes a number >= 0/],
    ['fault:cut-tool-call:5', /cut-tool-call takes a whole number of at most 4 \(the call has 4 argument fragments\), got "5"/],
  ])('should throw a TypeError naming the problem in %s', (model, message) => {
    expect(() => parseFaultModel(model)).toThrow(message);
  });
});
