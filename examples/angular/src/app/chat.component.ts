import { ChangeDetectionStrategy, Component, computed, signal } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { answer$, failedView, IDLE, type AnswerView, type Question } from './answer';

@Component({
  selector: 'app-chat',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main [attr.data-status]="view().status" [attr.data-question]="view().question">
      <form (submit)="$event.preventDefault(); ask(question.value)">
        <input #question name="question" value="Tell me about the fox" aria-label="Question" required />
        <button type="submit">Ask</button>
      </form>
      <!-- a polite live region: it changes at each phase (connecting, streaming, retrying, the end), never per token -->
      <p class="status" role="status" data-testid="status">{{ statusLine() }}</p>
      <!-- busy while the answer streams: screen readers read it once it is final, not token by token -->
      <p
        class="answer"
        data-testid="answer"
        aria-live="polite"
        [attr.aria-busy]="busy()"
        [class.retrying]="view().status === 'retrying'"
        [class.failed]="view().status === 'error'"
        [class.cut-short]="cutShort()"
      >{{ view().content }}</p>
      <ol class="notes" data-testid="notes">
        @for (note of view().notes; track $index) {
          <li [attr.data-kind]="note.kind">{{ note.text }}</li>
        }
      </ol>
      @if (view().error; as error) {
        <p class="error" role="alert" data-testid="error">{{ error.code ?? error.name }}: {{ error.message }}</p>
      }
    </main>
  `,
})
export class ChatComponent {
  private readonly question = signal<Question | undefined>(undefined);

  /** A new question unsubscribes from the previous answer (its request aborts) and streams the new one. */
  private readonly answer = rxResource({
    params: () => this.question(),
    stream: ({ params }) => answer$(params),
    defaultValue: IDLE,
  });

  /** Reading `value()` of a resource in error throws, so an error is turned into a view first. */
  protected readonly view = computed<AnswerView>(() => (this.answer.status() === 'error' ? failedView(this.question()?.text ?? '', this.answer.error()) : this.answer.value()));

  protected readonly busy = computed(() => ['connecting', 'streaming', 'retrying'].includes(this.view().status) || this.view().reconnectingAfter !== undefined);

  /** A `complete` whose model stopped at its length limit or its content filter: a cut-short text, not the answer. */
  protected readonly cutShort = computed(() => {
    const v = this.view();
    return v.status === 'complete' && (v.finishReason === 'length' || v.finishReason === 'content-filter');
  });

  /** The live status: one line per phase, so no token count while streaming (it would be read out at every token). */
  protected readonly statusLine = computed(() => {
    const v = this.view();
    const model = v.fallbackIndex === 0 ? 'primary model' : `fallback model ${v.fallbackIndex}`;
    const tokens = `${v.tokenCount} token${v.tokenCount === 1 ? '' : 's'}`;
    if (v.reconnectingAfter !== undefined) return `Reconnecting: the connection dropped after event ${v.reconnectingAfter}; resuming from there`;
    switch (v.status) {
      case 'idle':
        return 'Ask something.';
      case 'connecting':
        return 'Connecting…';
      case 'streaming':
        return `Streaming: attempt ${v.attempt}, ${model}`;
      case 'retrying':
        // a fallback's state is 'retrying' too, with the next model's index already
        return v.notes.at(-1)?.kind === 'fallback'
          ? `Falling back to ${model}: the failed attempt was retracted`
          : 'Retrying: the failed attempt was retracted';
      case 'complete':
        // a model that stopped at its limit or its filter completed, but the text is not a whole answer
        if (v.finishReason === 'length') return `Cut short: the model hit its length limit (attempt ${v.attempt}, ${model}, ${tokens})`;
        if (v.finishReason === 'content-filter') return `Cut short: the content filter stopped the model (attempt ${v.attempt}, ${model}, ${tokens})`;
        return `Complete: attempt ${v.attempt}, ${model}, ${tokens}`;
      case 'error':
        return v.content === '' ? 'Failed' : 'Failed: the text shown is an incomplete attempt, not an answer';
    }
  });

  protected ask(text: string): void {
    this.question.set({ id: runId(), text });
  }
}

/**
 * A fresh run id (128 random bits, hex). Not `crypto.randomUUID()`: browsers offer it only in a
 * secure context (HTTPS or localhost), so the app served over plain HTTP on a LAN address failed
 * on the first question; `getRandomValues` works in every context.
 */
function runId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
