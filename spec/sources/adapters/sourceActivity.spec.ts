/** @test {openaiChatAdapter} @test {openaiResponsesAdapter} @test {aiSdkAdapter} @test {mastraAdapter} */
import { describe, expect, it } from 'vitest';
import { aiSdkAdapter, mastraAdapter, openaiChatAdapter, openaiResponsesAdapter, type L0Event, type StreamAdapter } from 'l0-rx';

/*
 * ChunkDecoder rule 6: `push` returns true for a chunk that emits nothing yet shows the provider at
 * work (fromStream then tells withTimeouts), anything else with nothing in it is silence. Before
 * that rule every chunk without an event counted; these are the chunks that did and must still.
 */
function pushed(adapter: StreamAdapter, chunks: readonly unknown[]): { said: boolean[]; events: L0Event[] } {
  const decoder = adapter.create();
  const events: L0Event[] = [];
  const said = chunks.map((c) => decoder.push(c, (e) => events.push(e)) === true);
  return { said, events };
}

const chat = (index: number, delta: Record<string, unknown>, finish: string | null = null) =>
  ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index, delta, finish_reason: finish }] });

describe('which chunks that emit nothing are the provider\'s activity', () => {
  // n: 2, the first choice finished: the second one streams on, unread (before: silence, an interToken timeout)
  it('should count another choice\'s content (n > 1) as activity, its empty deltas and role as silence', () => {
    const { said, events } = pushed(openaiChatAdapter, [
      chat(0, { role: 'assistant', content: 'Hi' }),
      chat(0, {}, 'stop'),
      chat(1, { role: 'assistant', content: '' }),
      chat(1, { content: 'a longer' }),
      chat(1, { content: null, refusal: null }),
      chat(1, { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      chat(1, { reasoning_content: 'hmm' }),
    ]);
    expect(said).toEqual([false, false, false, true, false, true, true]);
    expect(events).toEqual([{ type: 'token', value: 'Hi' }]);
  });

  it.each([
    ['response.web_search_call.searching', true],
    ['response.mcp_call.in_progress', true],
    // the hosted MCP server's tool listing, which may take as long as a search (before: silence)
    ['response.mcp_list_tools.in_progress', true],
    ['response.mcp_list_tools.completed', true],
    ['response.in_progress', false],
    ['response.content_part.added', false],
  ])('should take the Responses event %s as activity: %s', (type, active) => {
    expect(pushed(openaiResponsesAdapter, [{ type, sequence_number: 1, item_id: 'i', output_index: 0 }]).said).toEqual([active]);
  });

  it('should take an AI SDK tool result and a call the provider runs itself as activity, a ping or a step bound as silence', () => {
    const { said } = pushed(aiSdkAdapter, [
      { type: 'start-step', request: {}, warnings: [] },
      { type: 'tool-input-delta', id: 't', delta: '' },
      { type: 'tool-input-delta', id: 't', delta: '{"a"' },
      { type: 'tool-result', toolCallId: 't', toolName: 'f', input: {}, output: 1 },
      { type: 'ping' },
      // a call the provider runs itself (a hosted web search): not emitted, but the provider is at work (before: silence)
      { type: 'tool-call', toolCallId: 'ws', toolName: 'web_search', input: {}, providerExecuted: true },
    ]);
    expect(said).toEqual([false, false, true, true, false, true]);
  });

  it('should take a Mastra tool\'s output as activity, a step bound as silence', () => {
    const env = (type: string, payload: object) => ({ type, runId: 'r', from: 'AGENT', payload });
    const { said } = pushed(mastraAdapter, [env('step-start', {}), env('tool-output', { output: { type: 'text-delta' } }), env('tool-call-delta', { argsTextDelta: '' })]);
    expect(said).toEqual([false, true, false]);
  });
});
