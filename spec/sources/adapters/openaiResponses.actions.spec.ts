/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { ResponseOutputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { detectZeroOutput, fromStream, type L0Event } from 'l0-rx';
import { collect } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

// The built-in tools whose calls the client carries out (computer use, local shell, shell, apply
// patch): a response that is only such a call must hand it over, not look like an empty answer.
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const usage = { input_tokens: 10, output_tokens: 5, total_tokens: 15, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };

/** The events of a response whose output is `items` (each added, then done), read by the real SDK. */
function respond(items: readonly ResponseOutputItem[], zeroOutput = false): Promise<L0Event[]> {
  let sequence_number = 0;
  const response = { id: 'resp_1', object: 'response', status: 'in_progress', output: [] };
  const events = [
    { type: 'response.created', response, sequence_number: sequence_number++ },
    ...items.flatMap((item, output_index) => [
      { type: 'response.output_item.added', item: { ...item, status: 'in_progress' }, output_index, sequence_number: sequence_number++ },
      { type: 'response.output_item.done', item, output_index, sequence_number: sequence_number++ },
    ]),
    { type: 'response.completed', response: { ...response, status: 'completed', output: items, usage }, sequence_number: sequence_number++ },
  ] as ResponseStreamEvent[];
  const client = fakeClient(() => sseText(events, { done: false }));
  const events$ = fromStream(({ signal }) => client.responses.create({ model: 'm', input: 'Open the settings.', stream: true }, { signal }));
  return collect(zeroOutput ? events$.pipe(detectZeroOutput()) : events$);
}

const complete = { type: 'complete', finishReason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 0, cachedInputTokens: 0 } };

describe('openai-responses adapter: calls of built-in tools the client runs', () => {
  it('should emit a computer_call as a computer tool call (action and safety checks as arguments) and finish with tool-calls', async () => {
    const action = { type: 'click', button: 'left', x: 10, y: 20 } as const;
    const checks = [{ id: 'sc_1', code: 'malicious_instructions', message: 'Check the page.' }];
    const events = await respond([{ type: 'computer_call', id: 'cu_1', call_id: 'call_cu', action, pending_safety_checks: checks, status: 'completed' }]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_cu', name: 'computer', arguments: JSON.stringify({ action, pending_safety_checks: checks }) },
      complete,
    ]);
  });

  it('should emit local_shell_call, shell_call and apply_patch_call as local_shell, shell and apply_patch calls, in order', async () => {
    const exec = { type: 'exec' as const, command: ['ls'], env: {} };
    const commands = { commands: ['ls -la'], max_output_length: null, timeout_ms: null };
    const operation = { type: 'delete_file', path: 'a.txt' } as const;
    const events = await respond([
      { type: 'local_shell_call', id: 'ls_1', call_id: 'call_ls', action: exec, status: 'completed' },
      { type: 'shell_call', id: 'sh_1', call_id: 'call_sh', action: commands, environment: { type: 'local' }, status: 'completed' },
      { type: 'apply_patch_call', id: 'ap_1', call_id: 'call_ap', operation, status: 'completed' },
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_ls', name: 'local_shell', arguments: JSON.stringify({ action: exec }) },
      { type: 'tool-call', id: 'call_sh', name: 'shell', arguments: JSON.stringify({ action: commands, environment: { type: 'local' } }) },
      { type: 'tool-call', id: 'call_ap', name: 'apply_patch', arguments: JSON.stringify({ operation }) },
      complete,
    ]);
  });

  it('should leave out a shell_call that ran in a hosted container: there is nothing for the client to run', async () => {
    const commands = { commands: ['ls'], max_output_length: null, timeout_ms: null };
    const events = await respond([
      { type: 'shell_call', id: 'sh_1', call_id: 'call_sh', action: commands, environment: { type: 'container_reference', container_id: 'cntr_1' }, status: 'completed' },
    ]);
    expect(events.map((e) => e.type)).toEqual(['start', 'complete']);
  });

  it('should emit an mcp_approval_request as an mcp_approval_request call (its id, as approvalId too, the tool, server and arguments), not as an empty answer', async () => {
    // the request waits for the client's mcp_approval_response: a zero-output retry would ask again and again
    const request = { type: 'mcp_approval_request', id: 'mcpr_1', arguments: '{"sides":6}', name: 'roll', server_label: 'dice' } as const;
    const events = await respond([request], true);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'mcpr_1', name: 'mcp_approval_request', arguments: JSON.stringify({ arguments: '{"sides":6}', name: 'roll', server_label: 'dice' }), approvalId: 'mcpr_1' },
      complete,
    ]);
  });

  it('should emit an mcp_approval_request once when its output_item.done comes twice (a replayed event)', async () => {
    const request = { type: 'mcp_approval_request', id: 'mcpr_1', arguments: '{}', name: 'roll', server_label: 'dice' } as const;
    const events = await respond([request, request]);
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([{ type: 'tool-call', id: 'mcpr_1', name: 'mcp_approval_request', arguments: expect.any(String), approvalId: 'mcpr_1' }]);
  });

  it('should emit a tool_search_call the client runs as a tool_search call, and leave out one the server ran', async () => {
    const search = { query: 'weather tools' };
    const events = await respond([
      { type: 'tool_search_call', id: 'ts_1', call_id: 'call_ts', arguments: search, execution: 'server', status: 'completed' },
      { type: 'tool_search_call', id: 'ts_2', call_id: null, arguments: search, execution: 'client', status: 'completed' },
    ]);
    expect(events).toEqual([start, { type: 'tool-call', id: 'ts_2', name: 'tool_search', arguments: JSON.stringify({ arguments: search, execution: 'client' }) }, complete]);
  });
});
