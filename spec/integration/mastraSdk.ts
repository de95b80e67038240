/* A real @mastra/core Agent as one more row of the SDK table (sdks.ts): its own module, so only the specs that use it load Mastra. */
import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { FaultServer } from 'l0-rx/testing';
import { modelFor, type Sdk } from './sdks.js';

/**
 * A Mastra agent whose model is @ai-sdk/openai-compatible on `server` asking for `model` (Mastra's own
 * retries off, one step); `fetch` replaces the provider's (e.g. sdks.ts' faultyFetch, to cut its bodies).
 */
export function mastraAgent(server: FaultServer, model: string, fetch?: typeof globalThis.fetch): Agent {
  const provider = createOpenAICompatible({ name: 'fault', baseURL: server.url, apiKey: 'x', includeUsage: true, ...(fetch ? { fetch } : {}) });
  // Mastra types its V4 model with its own copy of @ai-sdk/provider, whose doGenerate type differs
  // from the provider's; at runtime Mastra accepts the provider's model as it is
  const agent = new Agent({ id: 'fox', name: 'fox', instructions: 'Answer briefly.', model: provider.chatModel(model) as unknown as MastraModelConfig, maxRetries: 0 });
  // registering the agent with a Mastra whose logger is off keeps provider errors out of the test output
  new Mastra({ agents: { fox: agent }, logger: false });
  return agent;
}

/** `@mastra/core` 1.x: an agent per attempt (so each attempt can ask for another model), its signal passed on. */
export const MASTRA: Sdk = {
  name: '@mastra/core agent',
  kind: 'mastra',
  via: (server, models, options = {}) => ({ signal, attempt }) =>
    mastraAgent(server, modelFor(models, attempt), options.fetch).stream('Tell me about the fox.', { abortSignal: signal, maxSteps: 1 }),
};
