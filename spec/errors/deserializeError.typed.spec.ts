/** @test {deserializeError} the classes rebuilt from their `info` */
import { describe, expect, it } from 'vitest';
import {
  BudgetExceededError, CircuitOpenError, ConsensusError, deserializeError, EventLogError, isBudgetExceededError, isCircuitOpenError, isConsensusError,
  isEventLogError, serializeError, type L0Error, type SerializedError,
} from 'l0-rx';

const roundTrip = (e: unknown): L0Error => deserializeError(JSON.parse(JSON.stringify(serializeError(e))) as SerializedError);

describe('deserializeError: typed classes', () => {
  const cases: readonly (readonly [string, () => L0Error, new (...a: never[]) => L0Error, (e: unknown) => boolean])[] = [
    ['CircuitOpenError', () => new CircuitOpenError({ key: 'gpt-4o', state: 'half-open', retryInMs: 0 }), CircuitOpenError, isCircuitOpenError],
    ['BudgetExceededError', () => new BudgetExceededError({ limit: 'maxCost', max: 0.5, reached: 0.51, outputTokens: 900 }), BudgetExceededError, isBudgetExceededError],
    ['ConsensusError', () => new ConsensusError({ kind: 'below-minimum-agreement', agreement: 0.4, minimumAgreement: 0.6 }), ConsensusError, isConsensusError],
  ];

  for (const [name, make, Class, guard] of cases) {
    it(`should rebuild a ${name} as its class, with its info, fields and run info`, () => {
      const original = make().withRunInfo({ attempt: 2, fallbackIndex: 1 });
      const back = roundTrip(original);
      expect([back instanceof Class, guard(back)]).toEqual([true, true]);
      expect(back).toMatchObject({ name, message: original.message, code: original.code, category: original.category, retryable: original.retryable, attempt: 2, fallbackIndex: 1 });
      expect((back as L0Error & { info: unknown }).info).toEqual((original as L0Error & { info: unknown }).info);
      expect(Object.isFrozen((back as L0Error & { info: unknown }).info)).toBe(true);
      expect(serializeError(back)).toEqual(serializeError(original));
    });
  }

  it('should give an EventLogError its streamId back (isEventLogError promises one), from its info', () => {
    const back = roundTrip(new EventLogError('STREAM_NOT_FOUND', 'req-42', 'no log for req-42'));
    expect(isEventLogError(back) && back.streamId).toBe('req-42');
    expect(back).toMatchObject({ name: 'EventLogError', code: 'STREAM_NOT_FOUND', info: { streamId: 'req-42' } });
    expect(serializeError(back)).toEqual(serializeError(new EventLogError('STREAM_NOT_FOUND', 'req-42', 'no log for req-42')));
  });

  it('should keep a recorded message and cause the class would not make itself', () => {
    const plain = { ...serializeError(new CircuitOpenError({ key: 'm', state: 'open', retryInMs: 5 })), message: 'edited', cause: { name: 'Error', message: 'root' } };
    const back = deserializeError(plain);
    expect([isCircuitOpenError(back), back.message, back.cause]).toEqual([true, 'edited', { name: 'Error', message: 'root' }]);
  });

  it('should fall back to a generic L0Error with the name when the info lacks a field the class needs', () => {
    const plain: SerializedError = { name: 'CircuitOpenError', message: 'open', code: 'CIRCUIT_OPEN', category: 'server', retryable: false, info: { key: 'm' } };
    const back = deserializeError(plain);
    expect([back instanceof CircuitOpenError, back.name, back.code, (back as L0Error & { info: unknown }).info]).toEqual([false, 'CircuitOpenError', 'CIRCUIT_OPEN', { key: 'm' }]);
  });

  it.each(['CircuitOpenError', 'BudgetExceededError', 'ConsensusError'])('should rebuild a %s recorded with info null as a generic L0Error with the name (a TypeError reading its field)', (name) => {
    const back = deserializeError({ name, message: 'm', code: 'X', info: null } as unknown as SerializedError);
    expect([back.name, back.message, back.code, (back as L0Error & { info: unknown }).info]).toEqual([name, 'm', 'X', {}]);
  });

  it('should not treat a name inherited from Object.prototype as a class', () => {
    expect(deserializeError({ name: 'toString', message: 'm', info: {} }).name).toBe('toString');
  });

  it.each([
    [null, 'null'],
    [1, '1'],
    [{ name: 'Error' }, 'an object'],
    [{ message: 'm' }, 'an object'],
  ])('should refuse %j with a TypeError naming it (null crashed, 1 gave an empty message)', (plain, described) => {
    expect(() => deserializeError(plain as unknown as SerializedError)).toThrow(new TypeError(`deserializeError(plain): plain must be a SerializedError (an object with a string name and message), got ${described}`));
  });

  it('should name an error of an AllStreamsExhaustedError\'s errors that is no serialised error (it crashed unnamed)', () => {
    const plain = { name: 'AllStreamsExhaustedError', message: 'x', errors: [{ name: 'Error', message: 'a' }, null] } as unknown as SerializedError;
    expect(() => deserializeError(plain)).toThrow(new TypeError('deserializeError(plain): plain.errors[1] must be a SerializedError (an object with a string name and message), got null'));
  });
});
