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
    // a citation, a shell command added, a context compaction at work: new from the provider (before: silence)
    ['response.output_text.annotation.added', true],
    ['response.shell_call_command.added', true],
    ['response.compaction.compacting', true],
    // the response's status, and the bounds that repeat what streamed: silence
    ['response.queued', false],
    ['response.output_text.done', false],
    ['response.function_call_arguments.done', false],
    ['response.reasoning_summary_part.done', false],
    ['response.mcp_call_arguments.done', false],
  ])('should take the Responses event %s as activity: %s', (type, active) => {
    expect(pushed(openaiResponsesAdapter, [{ type, sequence_number: 1, item_id: 'i', output_index: 0 }]).said).toEqual([active]);
  });

  it('should take a hosted shell\'s output (a `{stdout, stderr}` delta) as activity (before: silence)', () => {
    const output = { type: 'response.shell_call_output_content.delta', sequence_number: 1, item_id: 'i', output_index: 0, command_index: 0 };
    expect(pushed(openaiResponsesAdapter, [{ ...output, delta: { stdout: 'a.txt\n', stderr: '' } }, { ...output, delta: '' }]).said).toEqual([true, false]);
  });

  // before: every copy counted, so a stalled server repeating one citation (or an empty shell output) never hit interToken
  it('should take the same citation, item or command added again, and an empty shell output, as silence', () => {
    const cite = (annotation_index: number) => ({ type: 'response.output_text.annotation.added', sequence_number: 1, item_id: 'i', output_index: 0, content_index: 0, annotation_index, annotation: { type: 'url_citation', url: 'https://a.example' } });
    const item = { type: 'response.output_item.added', sequence_number: 1, output_index: 1, item: { type: 'web_search_call', id: 'ws' } };
    const command = (command_index: number) => ({ type: 'response.shell_call_command.added', sequence_number: 1, output_index: 2, command_index, command: 'ls' });
    const output = (delta: unknown) => ({ type: 'response.shell_call_output_content.delta', sequence_number: 1, item_id: 's', output_index: 2, command_index: 0, delta });
    expect(pushed(openaiResponsesAdapter, [cite(0), cite(0), cite(1), cite(0), item, item, command(0), command(0), command(1)]).said)
      .toEqual([true, false, true, false, true, false, true, false, true]);
    expect(pushed(openaiResponsesAdapter, [output({ stdout: '', stderr: '' }), output({ stdout: '', stderr: 'x' }), output({ stdout: '', stderr: '' })]).said)
      .toEqual([false, true, false]);
  });

  // a compatible server that sends no indexes: before, every item after the first was taken for the first added again
  it('should tell items and citations added with no indexes apart by what they are', () => {
    const item = (id: string, type: string) => ({ type: 'response.output_item.added', sequence_number: 1, item: { type, id } });
    const cite = (url: string) => ({ type: 'response.output_text.annotation.added', item_id: 'i', annotation: { type: 'url_citation', url } });
    expect(pushed(openaiResponsesAdapter, [item('ws', 'web_search_call'), item('fc', 'function_call'), { ...item('ws', 'web_search_call'), sequence_number: 9 }]).said).toEqual([true, true, false]);
    expect(pushed(openaiResponsesAdapter, [cite('https://a.example'), cite('https://b.example'), cite('https://a.example')]).said).toEqual([true, true, false]);
  });

  // llama.cpp with `return_progress`: the chunks it sends while it reads a long prompt (before: silence, an initialToken timeout)
  it('should count llama.cpp\'s prompt_progress as activity while `processed` grows, not when it repeats', () => {
    const progress = (processed: number) => ({ ...chat(0, { role: 'assistant', content: null }), prompt_progress: { total: 9000, cache: 0, processed, time_ms: processed } });
    const { said, events } = pushed(openaiChatAdapter, [progress(0), progress(2048), progress(2048), progress(4096), chat(0, {})]);
    expect(said).toEqual([false, true, false, true, false]);
    expect(events).toEqual([]);
  });

  it('should count OpenRouter\'s reasoning_details alone (encrypted reasoning) as activity, an empty list as silence', () => {
    const { said, events } = pushed(openaiChatAdapter, [
      chat(0, { role: 'assistant', content: '', reasoning: null, reasoning_details: [{ type: 'reasoning.encrypted', data: 'gAAAA', format: 'openai-responses-v1', index: 0 }] }),
      chat(0, { content: '', reasoning_details: [] }),
      // a second choice before the first: its activity is kept (before: the first choice's silence replaced it)
      { ...chat(1, { content: 'b' }), choices: [{ index: 1, delta: { content: 'b' }, finish_reason: null }, { index: 0, delta: { content: '' }, finish_reason: null }] },
    ]);
    expect(said).toEqual([true, false, true]);
    expect(events.filter((e) => e.type !== 'token' || e.value !== '')).toEqual([]);
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
