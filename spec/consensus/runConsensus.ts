import type { Observable } from 'rxjs';
import type { ConsensusResult, L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const complete: L0Event = { type: 'complete', finishReason: 'stop' };

/** A source built by {@link runConsensus}: `text` as one token after `frames` frames, then complete; `''`: complete without any text. */
export type Answer = (text: string, frames?: number) => Observable<L0Event>;

/** Runs `build` under virtual time and returns the consensus result or the error it ended with. */
export function runConsensus<T>(build: (answer: Answer) => Observable<ConsensusResult<T>>): { result: ConsensusResult<T> | undefined; error: unknown } {
  let result: ConsensusResult<T> | undefined;
  let error: unknown;
  testScheduler().run(({ cold, flush }) => {
    const answer: Answer = (text, frames = 1) =>
      text === '' ? cold<L0Event>(`${'-'.repeat(frames)}(x|)`, { x: complete }) : cold<L0Event>(`${'-'.repeat(frames)}(ax|)`, { a: { type: 'token', value: text }, x: complete });
    build(answer).subscribe({ next: (r) => (result = r), error: (e: unknown) => (error = e) });
    flush();
  });
  return { result, error };
}
