/* l0-rx/stores/jsonl: the append-only JSONL file event store (Node only). */
export { createJsonlEventStore } from './jsonlEventStore.js';
export type { JsonlEventStoreOptions } from './jsonlEventStore.js';
