/** @test {createJsonlEventStore} its run ledger: what one JSONL store remembers of the runs it wrote. */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, L0Event } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { RunLedger } from '../../src/stores/jsonl/runLedger.js';
import { useTempDir } from '../helpers/tempDir.js';

const token: L0Event = { type: 'token', value: 'a' };
const at = (streamId: string, seq: number, run: string, event: L0Event = token): EventEnvelope => ({ v: 1, streamId, seq, ts: seq, run, event });
/** The runs the ledger holds, recording and ended (private state, read as the encoder's spec reads its own). */
const held = (ledger: RunLedger) => {
  const { open, ended } = ledger as unknown as { open: Map<string, string>; ended: Map<string, string> };
  return { open: open.size, ended: ended.size };
};

describe('the JSONL store\'s run ledger', () => {
  const tmp = useTempDir('l0-run-ledger-');

  it('should not keep an entry per failed run forever: a run whose append failed after its seq 0 counts as ended (at most 10,000 kept)', () => {
    const ledger = new RunLedger();
    for (let i = 0; i < 12_000; i++) {
      ledger.admit([at(`s${i}`, 0, `r${i}`)]);
      const failed = [at(`s${i}`, 1, `r${i}`)];
      ledger.admit(failed);
      ledger.lost(failed); // its recorder stops: it writes nothing more, its terminal envelope included
    }
    // it held 12,000 open runs (one per failed run, for as long as the store lived)
    expect(held(ledger)).toEqual({ open: 0, ended: 10_000 });
  });

  it('should keep a failed run\'s stream its own: its own later envelope is admitted, another run\'s seq 0 refused until it is deleted', () => {
    const ledger = new RunLedger();
    ledger.admit([at('s', 0, 'r'), at('s', 1, 'r')]);
    ledger.lost([at('s', 2, 'r')]);
    expect(ledger.admit([at('s', 2, 'r')]).refused).toBeUndefined();
    expect(ledger.admit([at('s', 0, 'new')]).refused).toMatchObject({ name: 'EventLogError', code: 'RUN_MISMATCH' });
    ledger.forget('s');
    expect(ledger.admit([at('s', 0, 'new')]).refused).toBeUndefined();
  });

  it('should forget a run whose seq 0 was lost with its later envelopes (it opened nothing)', () => {
    const ledger = new RunLedger();
    const batch = [at('s', 0, 'r'), at('s', 1, 'r')];
    ledger.admit(batch);
    ledger.lost(batch);
    expect(held(ledger)).toEqual({ open: 0, ended: 0 });
    expect(ledger.admit([at('s', 0, 'other')]).refused).toBeUndefined();
  });

  it('should close a run whose real append failed (an event that cannot be serialised) in the store, its prefix still its own', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([at('s', 0, 'r')]);
    await expect(store.append([at('s', 1, 'r', { type: 'token', value: 10n as unknown as string })])).rejects.toThrow(/BigInt/);
    await expect(store.append([at('s', 0, 'other')])).rejects.toMatchObject({ code: 'RUN_MISMATCH' });
    expect((await store.read('s')).map((e) => e.seq)).toEqual([0]);
  });
});
