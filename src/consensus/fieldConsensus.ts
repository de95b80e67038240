/*
 * Per-field voting for structured consensus.
 * Internal: never re-exported from an entry point.
 */
import { setOwn } from '../structured/partialJsonFrames.js';

/** How one field (a dotted path) was voted. */
export interface FieldConsensus {
  /** The winning value (most weight; ties: the first seen in input order). */
  readonly value: unknown;
  /** The winning value's weight over the total weight of the successful outputs and of those `earlyExit` cancelled. */
  readonly agreement: number;
  /** Every output voted this field, for the same value. */
  readonly unanimous: boolean;
  /** Each distinct value with the indices (source positions) that voted it, winner first. */
  readonly votes: readonly { readonly value: unknown; readonly indices: readonly number[] }[];
}

/** The fields of each value, voted with weights (`absent`: weight of sources that never voted). Keys are compared in canonical form (key order never matters). */
export function voteFields(values: readonly { index: number; value: unknown; weight: number }[], absent = 0): Record<string, FieldConsensus> {
  const total = values.reduce((s, v) => s + v.weight, absent);
  const byPath = new Map<string, Map<string, { value: unknown; weight: number; indices: number[] }>>();
  for (const { index, value, weight } of values) {
    json(value); // a cycle through objects: its TypeError here, never a walk of its leaves down to a RangeError
    for (const [path, leaf] of leaves(value, '')) {
      let votes = byPath.get(path);
      if (!votes) byPath.set(path, (votes = new Map()));
      const key = canonical(leaf);
      const vote = votes.get(key) ?? { value: leaf, weight: 0, indices: [] };
      vote.weight += weight;
      vote.indices.push(index);
      votes.set(key, vote);
    }
  }
  const out: Record<string, FieldConsensus> = {};
  for (const [path, votes] of byPath) {
    const ranked = [...votes.values()].sort((a, b) => b.weight - a.weight); // stable: ties keep first-seen order
    const top = ranked[0]!;
    out[path] = Object.freeze({
      value: top.value,
      agreement: total > 0 ? top.weight / total : 0,
      unanimous: ranked.length === 1 && top.indices.length === values.length,
      votes: Object.freeze(ranked.map((v) => Object.freeze({ value: v.value, indices: Object.freeze(v.indices) }))),
    });
  }
  return out;
}

/**
 * Rebuilds an object from winning leaf values (the inverse of `leaves`), the fields whose writers (the
 * outputs that gave them a value) `keep` accepts; one it refuses leaves out its value but not the objects
 * around it that it accepts the writers of (every output with a field under one in `all`, the fields
 * before {@link mergeableFields} dropped a shape's losers: `{a: {b: 5}}` wrote `a` as `{a: {b: {c: 1}}}`
 * did): `{a: {}}` when each output's `a` held a field of its own. Every key is an own property, as
 * `JSON.parse` makes it: a model's `"__proto__"` key is a field like any other, never an assignment to
 * the prototype (of the result, or through it of `Object.prototype`). The fields hold no value where
 * another has fields (see {@link mergeableFields}).
 */
export function buildFromFields(fields: Readonly<Record<string, FieldConsensus>>, keep: (indices: readonly number[]) => boolean = () => true, all = fields): unknown {
  if ('' in fields) return fields['']!.value;
  // ('' in `all`: a top-level value the objects outvoted, under no object)
  const parsed = (f: typeof fields) => Object.entries(f).map(([path, v]) => [JSON.parse(path || '[]') as string[], v.votes.flatMap((x) => x.indices), v.value] as const);
  const list = parsed(fields);
  const writers = new Map<string, Set<number>>();
  const at = (keys: readonly string[], d: number) => JSON.stringify(keys.slice(0, d));
  for (const [keys, indices] of parsed(all)) {
    for (let d = 1; d < keys.length; d++) {
      let w = writers.get(at(keys, d));
      if (!w) writers.set(at(keys, d), (w = new Set()));
      for (const i of indices) w.add(i);
    }
  }
  const root: Record<string, unknown> = {};
  for (const [keys, indices, value] of list) {
    const last = keys.length - 1;
    let node = root;
    let d = 0;
    // an object's writers include its fields': once one is refused, so is every field under it
    for (; d < last && keep([...writers.get(at(keys, d + 1))!]); d++) {
      if (!Object.hasOwn(node, keys[d]!)) setOwn(node, keys[d]!, {});
      node = node[keys[d]!] as Record<string, unknown>;
    }
    if (d === last && keep(indices)) setOwn(node, keys[last]!, value);
  }
  return root;
}

/**
 * The fields a merged value can hold together. Where some outputs have a value at a path and others
 * an object with fields under it (`{a: 5}` against `{a: {x: 1}}`; `[]` or `{}` against `{a: 1}` at
 * the top), the side with more weight (`weight(i)` per source position; a tie: the side of the first
 * output in input order) keeps its fields and the other side's are left out, shallowest paths
 * first. So the merge never takes a minority's shape, nor sets a key on a primitive.
 */
export function mergeableFields(fields: Readonly<Record<string, FieldConsensus>>, weight: (i: number) => number): Record<string, FieldConsensus> {
  const entries = Object.entries(fields).map(([path, field]) => ({ path, keys: path === '' ? [] : (JSON.parse(path) as string[]), field }));
  const isUnder = (a: readonly string[], b: readonly string[]) => b.length > a.length && a.every((k, j) => k === b[j]);
  const voters = (list: readonly (typeof entries)[number][]) => new Set(list.flatMap((e) => e.field.votes.flatMap((v) => v.indices)));
  const sum = (set: Set<number>) => [...set].reduce((t, i) => t + weight(i), 0);
  let kept = entries;
  for (const leaf of [...entries].sort((x, y) => x.keys.length - y.keys.length)) {
    const below = kept.includes(leaf) ? kept.filter((e) => isUnder(leaf.keys, e.keys)) : [];
    if (below.length === 0) continue;
    const [asLeaf, asObject] = [voters([leaf]), voters(below)];
    const [a, b] = [sum(asLeaf), sum(asObject)];
    const leafWins = a > b || (a === b && Math.min(...asLeaf) < Math.min(...asObject));
    kept = kept.filter((e) => (leafWins ? !below.includes(e) : e !== leaf));
  }
  return Object.fromEntries(kept.map((e) => [e.path, e.field]));
}

/**
 * A path's public name: its keys joined with dots, a dot or backslash in a key escaped with a
 * backslash, so `{"a.b": 1}` (`a\.b`) and `{a: {b: 1}}` (`a.b`) are two fields, never one name.
 */
export const fieldName = (path: string): string => (path === '' ? '' : (JSON.parse(path) as string[]).map((k) => k.replace(/[.\\]/g, '\\$&')).join('.'));

function* leaves(value: unknown, path: string, keys: string[] = []): Generator<[string, unknown]> {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) yield* leaves(v, '', [...keys, k]);
    return;
  }
  yield [keys.length === 0 ? path : JSON.stringify(keys), value];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON with object keys sorted at every depth: `{b:1,a:2}` and `{a:2,b:1}` are one vote. A value JSON
 * cannot hold (a BigInt) is a TypeError naming it, never the raw one of `JSON.stringify`.
 */
export function canonical(value: unknown): string {
  return json(value, (_k, v: unknown) => (isPlainObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/** `JSON.stringify`, its error a TypeError naming it. Without a replacer it names a cycle (a replacer's copies hide one: a RangeError). */
function json(value: unknown, replacer?: (k: string, v: unknown) => unknown): string {
  try {
    return JSON.stringify(value, replacer) ?? 'undefined';
  } catch (e) {
    throw new TypeError(`consensus({parse}) gave a value JSON cannot hold (${(e as Error).message}): fields are voted as JSON`, { cause: e });
  }
}
