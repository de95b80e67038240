// What the chat component renders, as one pure fold: the L0State snapshots of accumulate() plus
// the notes a reader wants to see (a retracted attempt, a fallback, a resumed connection).
import { concatWith, defer, finalize, map, merge, of, scan, startWith, Subject, type Observable } from 'rxjs';
import { accumulate, fromServerSentEvents, serializeError, type L0State, type SerializedError } from 'l0-rx';

/** One question sent to the backend; `id` names its run there (and lets a reconnect resume it). */
export interface Question {
  readonly id: string;
  readonly text: string;
}

/** A line of the answer's history, shown under it. */
export interface Note {
  readonly kind: 'retry' | 'fallback' | 'resumed';
  readonly text: string;
}

export interface AnswerView {
  /** The question this answers ('' before the first). */
  readonly question: string;
  /** `idle` before the first question, `connecting` until the backend's first event, then the run's status. */
  readonly status: 'idle' | 'connecting' | L0State['status'];
  /** The current attempt's text: a retried or fallen-back attempt's text is gone from it; after a final failure, the last attempt's partial text. */
  readonly content: string;
  readonly attempt: number;
  readonly fallbackIndex: number;
  readonly tokenCount: number;
  /** Why the model stopped, once `complete`: `length` and `content-filter` mean the text is cut short. */
  readonly finishReason: L0State['finishReason'];
  /** The last event received before the connection dropped, while it reconnects (until the next state, or the end). */
  readonly reconnectingAfter: string | undefined;
  readonly notes: readonly Note[];
  readonly error: SerializedError | undefined;
}

export const IDLE: AnswerView = { question: '', status: 'idle', content: '', attempt: 0, fallbackIndex: 0, tokenCount: 0, finishReason: undefined, reconnectingAfter: undefined, notes: [], error: undefined };

/** The end of the stream: a reconnection that found nothing more to send (the run had ended) is over too. */
const END = { end: true } as const;
type Input = { readonly state: L0State } | { readonly resumedAfter: string } | typeof END;

/**
 * The answer to `question`, streamed from `GET /chat/<id>?q=...` (examples/server). It starts with
 * a `connecting` view at once (until its first value, a resource shows its default: the idle view).
 * A dropped connection reconnects with Last-Event-ID (fromServerSentEvents); a failure of the run is
 * a last view with `status: 'error'`, never an error notification (a signal that holds an error throws on read).
 */
export function answer$(question: Question, options: { readonly reconnectDelay?: number } = {}): Observable<AnswerView> {
  return defer(() => {
    const resumed = new Subject<Input>();
    // fromServerSentEvents sends Last-Event-ID only on a reconnection: that is the note.
    const noteReconnects: typeof fetch = (input, init) => {
      const after = new Headers(init?.headers).get('last-event-id');
      // a replay buffer's ids are `<run>:<seq>`: the note shows the event's number
      if (after !== null) resumed.next({ resumedAfter: after.slice(after.lastIndexOf(':') + 1) });
      return fetch(input, init);
    };
    const url = `/chat/${encodeURIComponent(question.id)}?q=${encodeURIComponent(question.text)}`;
    const states = fromServerSentEvents(url, { fetch: noteReconnects, reconnectDelay: options.reconnectDelay ?? 250 }).pipe(
      accumulate({ errorsAsState: true }),
      map((state): Input => ({ state })),
      concatWith(of(END)),
      finalize(() => resumed.complete()),
    );
    const connecting: AnswerView = { ...IDLE, question: question.text, status: 'connecting' };
    return merge(resumed, states).pipe(scan(fold, connecting), startWith(connecting));
  });
}

/** The view for a failure outside the stream (the resource itself erred): still state, never a throw. */
export function failedView(question: string, error: unknown): AnswerView {
  return { ...IDLE, question, status: 'error', error: serializeError(error) };
}

function fold(view: AnswerView, input: Input): AnswerView {
  if ('end' in input) return view.reconnectingAfter === undefined ? view : { ...view, reconnectingAfter: undefined };
  if ('resumedAfter' in input) {
    const note: Note = { kind: 'resumed', text: `Connection lost after event ${input.resumedAfter}; resuming from there` };
    return { ...view, reconnectingAfter: input.resumedAfter, notes: [...view.notes, note] };
  }
  const s = input.state;
  const notes = s.status === 'retrying' && view.status !== 'retrying' ? [...view.notes, retraction(view, s)] : view.notes;
  return {
    question: view.question,
    status: s.status,
    content: s.content,
    attempt: s.attempt,
    fallbackIndex: s.fallbackIndex,
    tokenCount: s.tokenCount,
    finishReason: s.finishReason,
    reconnectingAfter: undefined,
    notes,
    error: s.error,
  };
}

/** The note for the attempt a `retry` or `fallback` just retracted (`before` is the view before it). */
function retraction(before: AnswerView, s: L0State): Note {
  const lost = `${before.tokenCount} token${before.tokenCount === 1 ? '' : 's'} retracted`;
  return s.fallbackIndex !== before.fallbackIndex
    ? { kind: 'fallback', text: `Model ${before.fallbackIndex + 1} gave up (${lost}); falling back to model ${s.fallbackIndex + 1}` }
    : { kind: 'retry', text: `Attempt ${before.attempt} failed (${lost}); retrying` };
}
