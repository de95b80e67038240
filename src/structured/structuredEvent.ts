/* The event types of structured output, typed by a Standard Schema's input and output. */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { L0Event, PartialEvent, ResultEvent } from '../events/eventTypes.js';

/** A deep-partial of `T`: what a `partial` event can hold while `T` streams. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * The events of a structured run: the L0 events, with `result` typed by the schema's output `T` and
 * `partial` by the deep-partial of `P`, the JSON not yet validated: `structured()` and
 * `parseStructured()` pass the schema's input type (before transforms: a `z.string().transform(...)`
 * field is a string in partials), or its output when the input type says nothing (`unknown`: a JSON
 * Schema, a preprocess). `P` defaults to `T`.
 */
export type StructuredEvent<T, P = T> = Exclude<L0Event, PartialEvent | ResultEvent> | PartialEvent<DeepPartial<P>> | ResultEvent<T>;

/** What a schema's partials are typed by (see {@link StructuredEvent}): its input, or its output when the input is `unknown`. */
export type PartialOf<S extends StandardSchemaV1> = unknown extends StandardSchemaV1.InferInput<S> ? StandardSchemaV1.InferOutput<S> : StandardSchemaV1.InferInput<S>;

/** The events of a structured run for the schema `S`: {@link StructuredEvent} of its output and {@link PartialOf}. */
export type EventsOf<S extends StandardSchemaV1> = StructuredEvent<StandardSchemaV1.InferOutput<S>, PartialOf<S>>;
