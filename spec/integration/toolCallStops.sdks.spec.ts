/** @test {fromStream} */
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { z } from 'zod';
import { jsonSchema, streamText as streamText7, tool as tool7 } from 'ai';
import { streamText as streamText6, tool as tool6 } from 'ai6';
import { createOpenAICompatible as compatible3 } from '@ai-sdk/openai-compatible';
import { createOpenAICompatible as compatible2 } from 'openai-compatible2';
import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { ProcessToolResultArgs } from '@mastra/core/processors';
import { createTool } from '@mastra/core/tools';
import { isSchemaValidationError, parseToolArguments, type ToolCallEvent } from 'l0-rx';
import type { FaultServer } from 'l0-rx/testing';
import { eventsOf, expectComplete, PATIENT, RETRY, runL0, useFaultServer, type Outcome } from './harness.js';
import { MASTRA } from './mastraSdk.js';
import { faultyFetch, RESPONSES, SDKS, type Sdk } from './sdks.js';

// Tool calls where the model's answer stops: on a call that waits for the user's approval, and on
// the token limit in the middle of a call. The server's tool-call-fragments fault streams one
// get_weather call, `{"city": "Paris", "unit": "celsius", "days": 3}` in 4 fragments, finish tool_calls.

const ctx = useFaultServer(1);
const Weather = z.object({ city: z.string(), unit: z.string(), days: z.number().optional() });
const callsOf = (o: Outcome): ToolCallEvent[] => eventsOf(o.events, 'tool-call');

/** The body of a call the token limit cut: its last fragment gone, the finish reason `length`. */
const lengthCut = (data: string) => data.replace(' \\"days\\": 3}', '').replace('"finish_reason":"tool_calls"', '"finish_reason":"length"');

/** The same cut on the Responses route: the item closed `incomplete`, the response `response.incomplete` (max_output_tokens). */
const lengthCutResponse = (data: string) => {
  const cut = data.replaceAll(' \\"days\\": 3}', '').replaceAll('"status":"completed"', '"status":"incomplete"');
  return cut.includes('"type":"response.completed"')
    ? cut.replace('"type":"response.completed"', '"type":"response.incomplete"').replace('"incomplete_details":null', '"incomplete_details":{"reason":"max_output_tokens"}')
    : cut;
};

const CUTS = [...SDKS, MASTRA].map((sdk) => ({ sdk, edit: lengthCut })).concat(RESPONSES.map((sdk) => ({ sdk, edit: lengthCutResponse })));

/** The same cuts by a content filter: the finish reason `content_filter` (Responses: `incomplete_details.reason`). */
const filterCut = (data: string) => lengthCut(data).replace('"finish_reason":"length"', '"finish_reason":"content_filter"');
const filterCutResponse = (data: string) => lengthCutResponse(data).replace('"reason":"max_output_tokens"', '"reason":"content_filter"');
const FILTER_CUTS = [...SDKS, MASTRA].map((sdk) => ({ sdk, edit: filterCut })).concat(RESPONSES.map((sdk) => ({ sdk, edit: filterCutResponse })));

describe.each(FILTER_CUTS)('a tool call cut by a content filter + $sdk.name', ({ sdk, edit }: { sdk: Sdk; edit: (data: string) => string }) => {
  it('should complete with content-filter and its call marked truncated, which parseToolArguments refuses to run', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => quiet.mockRestore());
    const o = await runL0({ stream: sdk.via(ctx.server, 'fault:tool-call-fragments', { fetch: faultyFetch({ edit }) }), retry: RETRY, timeout: PATIENT });
    // before: not marked, as a `length` cut is (Mastra: finished tool-calls, its `rawReason` content_filter)
    expectComplete(o, 'content-filter', '');
    expect(callsOf(o)).toMatchObject([{ id: 'call_fault_1', name: 'get_weather', truncated: true }]);
    const error = await parseToolArguments(callsOf(o)[0]!, Weather).then(() => undefined, (e: unknown) => e);
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual(['INVALID_JSON', true, expect.stringContaining('content filter')]);
  });
});

describe.each(CUTS)('a tool call cut by the token limit + $sdk.name', ({ sdk, edit }: { sdk: Sdk; edit: (data: string) => string }) => {
  it('should complete with length and its call marked truncated, which parseToolArguments refuses to run', async () => {
    // Mastra says why it makes cut arguments `{}` on the console
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => quiet.mockRestore());
    const o = await runL0({ stream: sdk.via(ctx.server, 'fault:tool-call-fragments', { fetch: faultyFetch({ edit }) }), retry: RETRY, timeout: PATIENT });
    expectComplete(o, 'length', '');
    // openai and the AI SDK keep the cut text, Mastra makes it `{}`, which parses and would run (Responses: the item is `incomplete`)
    expect(callsOf(o)).toMatchObject([{ id: 'call_fault_1', name: 'get_weather', truncated: true }]);
    expect(o.state.toolCalls).toMatchObject([{ id: 'call_fault_1', truncated: true }]);
    const error = await parseToolArguments(callsOf(o)[0]!, Weather).then(() => undefined, (e: unknown) => e);
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual(['INVALID_JSON', true, expect.stringContaining('get_weather (call_fault_1)')]);
  });

  it('should not mark the call of an answer that finished with tool_calls', async () => {
    const o = await runL0({ stream: sdk.via(ctx.server, 'fault:tool-call-fragments'), retry: RETRY, timeout: PATIENT });
    expectComplete(o, 'tool-calls', '');
    expect(callsOf(o)[0]).not.toHaveProperty('truncated');
    expect(await parseToolArguments(callsOf(o)[0]!, Weather)).toEqual({ city: 'Paris', unit: 'celsius', days: 3 });
  });
});

/** The Responses route's cut call (its last fragment gone) with less said about it: only the response's own status or reason, or the item never closed. */
const cutArgs = (data: string) => data.replaceAll(' \\"days\\": 3}', '');
const maxTokens = (data: string) => data.replace('"incomplete_details":null', '"incomplete_details":{"reason":"max_output_tokens"}');
const RESPONSE_CUTS = [
  // the item closed `completed`, as the fault server closes it: the response says max_output_tokens
  ['response.incomplete, its item closed completed', (d: string) => maxTokens(cutArgs(d).replace('"type":"response.completed"', '"type":"response.incomplete"'))],
  // a server that ends an incomplete response with `response.completed`, its status `incomplete`
  ['response.completed with status incomplete', (d: string) => maxTokens(cutArgs(d).replace(/("object":"response","created_at":\d+,"status":)"completed"/, '$1"incomplete"'))],
  // the cut item never closed: no output_item.done, only the response's `output` holds it
  ['no output_item.done for the cut item', (d: string) => RESPONSE_CUTS[0]![1](d).replace(/^\{"type":"response\.output_item\.done"(.*"type":"function_call")/, '{"type":"response.output_item.unknown"$1')],
] as const;

/** The token limit's cut, or a content filter's (`incomplete_details.reason: 'content_filter'`). */
const CUT_BY = [
  { by: 'the token limit', finish: 'length', said: (d: string) => d },
  { by: 'a content filter', finish: 'content-filter', said: (d: string) => d.replace('"reason":"max_output_tokens"', '"reason":"content_filter"') },
] as const;

describe.each(RESPONSES.flatMap((sdk) => CUT_BY.map((cut) => ({ sdk, ...cut }))))('a Responses call cut by $by, said otherwise + $sdk.name', ({ sdk, finish, said }) => {
  it.each(RESPONSE_CUTS)(`should complete with ${finish} and mark the call truncated: %s`, async (_, cut) => {
    const edit = (d: string) => said(cut(d));
    const o = await runL0({ stream: sdk.via(ctx.server, 'fault:tool-call-fragments', { fetch: faultyFetch({ edit }) }), retry: RETRY, timeout: PATIENT });
    // before: not marked (or lost, or finished tool-calls), and parseToolArguments would run the cut arguments
    // (a content filter's cut: not marked, and lost when its item never closed)
    expectComplete(o, finish, '');
    expect(callsOf(o)).toMatchObject([{ id: 'call_fault_1', name: 'get_weather', truncated: true }]);
    expect(callsOf(o)[0]!.arguments).toMatch(/^\{"city": "Paris", "unit": "celsius",?$/);
  });
});

const weatherSchema = jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } });
const AI_SDKS = [
  { name: 'ai 7 + @ai-sdk/openai-compatible 3', streamText: streamText7, tool: tool7, compatible: compatible3 },
  // ai 6's functions, typed as 7's: the options these specs pass are the same
  { name: 'ai 6 + @ai-sdk/openai-compatible 2', streamText: streamText6 as unknown as typeof streamText7, tool: tool6 as unknown as typeof tool7, compatible: compatible2 as unknown as typeof compatible3 },
];

describe.each(AI_SDKS)('a client tool that needs approval + $name', ({ streamText, tool, compatible }) => {
  it('should emit its call once, with the approvalId of its tool-approval-request, and complete with tool-calls', async () => {
    const provider = compatible({ name: 'fault', baseURL: ctx.server.url, apiKey: 'x', includeUsage: true });
    const tools = { get_weather: tool({ inputSchema: weatherSchema, needsApproval: true }) };
    const approvals: string[] = [];
    const o = await runL0({
      stream: ({ signal }) => {
        const result = streamText({ model: provider.chatModel('fault:tool-call-fragments'), prompt: 'p', tools, abortSignal: signal, maxRetries: 0 });
        // the approval ids the SDK made up, read from its own stream
        void (async () => {
          for await (const part of result.fullStream as AsyncIterable<{ type: string; approvalId?: string }>) if (part.type === 'tool-approval-request') approvals.push(part.approvalId!);
        })();
        return result;
      },
      retry: RETRY,
      timeout: PATIENT,
    });
    expectComplete(o, 'tool-calls', '');
    expect(approvals).toHaveLength(1);
    expect(callsOf(o)).toEqual([{ type: 'tool-call', id: 'call_fault_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":3}', approvalId: approvals[0] }]);
    expect(o.state.toolCalls[0]?.approvalId).toBe(approvals[0]);
  });
});

/** An output processor that blocks every tool's result (Mastra's tripwire, after the call ran). */
const BLOCK_RESULTS = { id: 'block-results', processToolResult: ({ abort }: ProcessToolResultArgs) => abort('no weather today') };

/** A Mastra agent on the fault server with a get_weather tool that needs approval or suspends itself (`blocked`: runs, its result blocked). */
function weatherAgent(server: FaultServer, waits: 'approval' | 'suspend' | 'nested' | 'blocked'): Agent {
  const provider = createOpenAICompatible3(server);
  const get_weather = createTool({
    id: 'get_weather',
    description: 'The weather in a city',
    inputSchema: Weather,
    ...(waits === 'approval' ? { requireApproval: true } : {}),
    execute: async (_input, context) =>
      waits === 'suspend'
        ? context?.agent?.suspend?.({ ask: 'which day?' })
        : waits === 'nested'
          // what an agent-as-tool does when a tool of its own needs approval: the inner call asks through the outer one
          ? context?.agent?.suspend?.({}, { requireToolApproval: { toolName: 'delete_file', args: { path: 'a.txt' } } } as never)
          : { sunny: true },
  });
  const agent = new Agent({ id: 'fox', name: 'fox', instructions: 'Answer briefly.', model: provider as unknown as MastraModelConfig, tools: { get_weather }, maxRetries: 0, ...(waits === 'blocked' ? { outputProcessors: [BLOCK_RESULTS] } : {}) });
  new Mastra({ agents: { fox: agent }, logger: false });
  return agent;
}
const createOpenAICompatible3 = (server: FaultServer) =>
  compatible3({ name: 'fault', baseURL: server.url, apiKey: 'x', includeUsage: true }).chatModel('fault:tool-call-fragments');

/** Asks `agent` for the weather through l0(), keeping each attempt's Mastra run id. */
async function askWeather(agent: ReturnType<typeof weatherAgent>) {
  const runs: string[] = [];
  const o = await runL0({
    stream: async ({ signal }) => {
      const output = await agent.stream('Weather in Paris?', { abortSignal: signal, maxSteps: 2 });
      runs.push(output.runId);
      return output;
    },
    retry: RETRY,
    timeout: PATIENT,
  });
  return { o, runs };
}

describe('a Mastra tool that waits for the user', () => {
  it('should keep the outer call of an approval asked from inside it, the inner call carried as suspendPayload', async () => {
    const { o, runs } = await askWeather(weatherAgent(ctx.server, 'nested'));
    expectComplete(o, 'tool-calls', '');
    // before: the call under get_weather's id was named delete_file, with the inner arguments
    expect(callsOf(o)).toEqual([{
      type: 'tool-call', id: 'call_fault_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":3}', approvalId: runs[0],
      suspendPayload: { toolName: 'delete_file', arguments: '{"path":"a.txt"}' },
    }]);
  });

  it.each(['approval', 'suspend'] as const)('should complete with tool-calls and the call carrying the run id (%s), not fail as a cut stream', async (waits) => {
    const { o, runs } = await askWeather(weatherAgent(ctx.server, waits));
    // before: the stream ends without `finish`, an INCOMPLETE_STREAM that was retried, asking again each time
    expectComplete(o, 'tool-calls', '');
    expect(runs).toHaveLength(1);
    // a suspended tool's question comes with it (before: left out)
    expect(callsOf(o)).toEqual([{
      type: 'tool-call', id: 'call_fault_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":3}', approvalId: runs[0],
      ...(waits === 'suspend' ? { suspendPayload: { ask: 'which day?' } } : {}),
    }]);
  });
});

describe('a Mastra tool whose result an output processor blocks (a tripwire after the call ran)', () => {
  it('should complete with content-filter and its whole call unmarked: no content filter cut it', async () => {
    const { o } = await askWeather(weatherAgent(ctx.server, 'blocked'));
    expectComplete(o, 'content-filter', '');
    // before: marked truncated (the tripwire's complete, content-filter, taken for a filter's cut), though Mastra ran it whole
    expect(callsOf(o)).toEqual([{ type: 'tool-call', id: 'call_fault_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":3}' }]);
    expect(await parseToolArguments(callsOf(o)[0]!, Weather)).toEqual({ city: 'Paris', unit: 'celsius', days: 3 });
  });
});
