// Types of chatServer.mjs, for the TypeScript specs that start it.
import type { EventStore } from 'l0-rx';
export interface ChatServerOptions {
  readonly baseURL: string;
  readonly apiKey?: string;
  readonly model?: string;
  readonly fallbackModels?: readonly string[];
  readonly keepAliveMs?: number;
  readonly heartbeatMs?: number;
  readonly store?: EventStore;
}
export interface ChatServer {
  readonly url: string;
  close(): Promise<void>;
}
export function startChatServer(options: ChatServerOptions): Promise<ChatServer>;
