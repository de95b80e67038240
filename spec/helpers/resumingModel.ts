import type { Observable } from 'rxjs';
import type { DataPayload, L0Event, StreamContext } from 'l0-rx';
import { fakeModel, type FakeItem } from 'l0-rx/testing';

/** One piece of a scripted answer: a token, a tool call or data. */
export type AnswerPiece = string | { readonly toolCall: { readonly id: string; readonly name: string; readonly arguments: string } } | { readonly data: DataPayload };

/** A {@link resumingModel}: a factory, with the checkpoint each call was handed. */
export interface ResumingModel {
  (ctx: StreamContext): Observable<L0Event>;
  readonly checkpoints: (string | undefined)[];
}

/**
 * A fake model that writes `answer` the way a real one prompted with a checkpoint would go on: a
 * call handed `ctx.checkpoint` (the text of the answer's first tokens) plays the pieces after the
 * checkpoint's last token, so a tool call or data made after that token is made again, and one made
 * before it is not. Call n plays `cuts[n]` pieces (at most the rest) then fails with a network
 * reset; a call past `cuts` plays to the end and completes. A checkpoint that is no token boundary
 * of the answer's text throws (no real model could go on from it). On virtual time (fakeModel).
 */
export function resumingModel(answer: readonly AnswerPiece[], cuts: readonly number[]): ResumingModel {
  const checkpoints: (string | undefined)[] = [];
  const model = (ctx: StreamContext): Observable<L0Event> => {
    const checkpoint = ctx.checkpoint ?? '';
    let from = 0;
    for (let text = ''; text !== checkpoint; from++) {
      if (from === answer.length || !checkpoint.startsWith(text)) throw new Error(`resumingModel: "${checkpoint}" is no token boundary of the answer`);
      const piece = answer[from]!;
      if (typeof piece === 'string') text += piece;
    }
    const cut = cuts[checkpoints.length];
    checkpoints.push(ctx.checkpoint);
    const rest: FakeItem[] = answer.slice(from);
    const items = cut === undefined ? rest : [...rest.slice(0, cut), { error: { network: 'ECONNRESET' } } as const];
    return fakeModel({ items })(ctx);
  };
  return Object.assign(model, { checkpoints });
}

/** The answer's text, tool call ids and data, as the final state must hold them. */
export function answerParts(answer: readonly AnswerPiece[]): { text: string; callIds: string[]; data: DataPayload[] } {
  return {
    text: answer.filter((p) => typeof p === 'string').join(''),
    callIds: answer.flatMap((p) => (typeof p !== 'string' && 'toolCall' in p ? [p.toolCall.id] : [])),
    data: answer.flatMap((p) => (typeof p !== 'string' && 'data' in p ? [p.data] : [])),
  };
}

/** The checkpoints that follow a `tool-call` or `data` event of their attempt (none may). */
export function checkpointsAfterCalls(events: readonly L0Event[]): L0Event[] {
  let called = false;
  return events.filter((e) => {
    if (e.type === 'start' || e.type === 'retry' || e.type === 'fallback' || e.type === 'resume') called = false;
    else if (e.type === 'tool-call' || e.type === 'data') called = true;
    return called && e.type === 'checkpoint';
  });
}
