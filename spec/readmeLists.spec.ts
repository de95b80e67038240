/** @test {README.md} */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DRIFT_DETECTORS, escapeDelimiters, jsonOnlyGuardrails, latexOnlyGuardrails, markdownOnlyGuardrails, minimalGuardrails, recommendedGuardrails,
  strictGuardrails, type GuardRule,
} from 'l0-rx';
import { FAULT_NAMES, FAULT_SERVER_DEFAULTS } from 'l0-rx/testing';

// The README's lists that name the library's values rather than its types: the drift detectors'
// confidences, the guardrail presets' rules, the fault server's faults, the dependencies of
// package.json and the size budgets of scripts/size.mjs.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README rule, detector and fault tables', () => {
  /** The rows of the table whose header row is `header`, as trimmed cells. */
  const rowsOf = (header: string) => {
    const lines = readme.slice(readme.indexOf(header)).split('\n');
    expect(lines[0]).toBe(header);
    return lines.slice(2, lines.findIndex((line) => !line.startsWith('|'))).map((line) => line.slice(2, -2).split(' | '));
  };

  it('should give each drift detector its confidence', () => {
    const rows = rowsOf('| detector | catches | confidence |');
    const table = Object.fromEntries(rows.map(([type, , confidence]) => [/`(\w+)`/.exec(type!)![1]!, Number(/^[\d.]+/.exec(confidence!)![0])]));
    expect(table).toEqual(Object.fromEntries(Object.values(DRIFT_DETECTORS).map((d) => [d.type, d.confidence])));
  });

  it('should list the rules of each guardrail preset, in order', () => {
    const RULE_NAMES: Readonly<Record<string, string>> = {
      'json-structure': 'json', 'markdown-structure': 'markdown', 'latex-environments': 'latex', 'zero-output': 'zero output', 'pattern-detection': 'patterns',
    };
    const PRESETS: Readonly<Record<string, readonly GuardRule[]>> = {
      minimalGuardrails, recommendedGuardrails, strictGuardrails, jsonOnlyGuardrails, markdownOnlyGuardrails, latexOnlyGuardrails,
    };
    const listed = new Map<string, string>();
    for (const [names, rules] of rowsOf('| preset | rules |')) for (const [, name] of names!.matchAll(/`(\w+)`/g)) listed.set(name!, rules!);
    expect([...listed.keys()].sort()).toEqual(Object.keys(PRESETS).sort());
    for (const [name, rules] of Object.entries(PRESETS)) {
      const expected = rules.map((rule) => RULE_NAMES[rule.name]).join(', ');
      // "that rule and zero output" for the one-rule presets
      if (name.endsWith('OnlyGuardrails')) expect([listed.get(name), expected]).toEqual(['that rule and zero output', `${name.replace('OnlyGuardrails', '')}, zero output`]);
      else expect(listed.get(name)!.startsWith(expected), `${name}: ${listed.get(name)}`).toBe(true);
    }
  });

  it("should list every fault of the fault server's table", () => {
    const names = rowsOf('| fault | what the server does | argument (default) |').flatMap(([cell]) => [...cell!.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!));
    expect(names.sort()).toEqual([...FAULT_NAMES].sort());
  });

  it("should quote the fault server's default reply as it is, wherever it quotes it", () => {
    const flat = readme.replace(/\s+/g, ' ');
    expect(flat).toContain(`It streams "${FAULT_SERVER_DEFAULTS.reply}" to any model name`);
    expect(flat).toContain(`\`reply\` (default "${FAULT_SERVER_DEFAULTS.reply}"`);
  });
});

describe("README's formatting table", () => {
  it('should name every character escapeDelimiters changes', () => {
    const row = readme.split('\n').find((line) => line.startsWith('| `escapeDelimiters(text, d)`'))!;
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    // a character changed alone (at a line start) or after another one
    const changed = (['xml', 'markdown', 'brackets', 'none'] as const).flatMap((d) =>
      printable.filter((c) => escapeDelimiters(c, d) !== c || escapeDelimiters(`x${c}`, d) !== `x${c}`));
    expect(changed.length).toBeGreaterThan(0);
    expect([...new Set(changed)].filter((c) => !row.includes(`\`${c}\``))).toEqual([]);
  });
});

describe('README dependencies', () => {
  it("should name every dependency, peer and development dependency of package.json in its Dependencies section", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const start = readme.indexOf('\n## Dependencies\n');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const names = ['dependencies', 'peerDependencies', 'devDependencies'].flatMap((field) => Object.keys(pkg[field] ?? {}));
    expect(names.filter((name) => !section.includes(`\`${name}\``) && !(name === 'rxjs' && section.includes('the `rxjs` peer')))).toEqual([]);
  });
});

describe('README install', () => {
  it('should name the tarball `npm pack` writes, and the Node and RxJS versions package.json requires', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string; engines: { node: string }; peerDependencies: Record<string, string> };
    const install = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n## Contents\n'));
    const tarballs = [...install.matchAll(/l0-rx-[\w.-]+?\.tgz/g)].map((m) => m[0]);
    expect(tarballs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tarballs)).toEqual(new Set([`${pkg.name}-${pkg.version}.tgz`]));
    expect(install).toContain(`Node ${pkg.engines.node.replace('>=', '')} or newer`);
    expect(install).toContain(`RxJS ${pkg.peerDependencies.rxjs!.replace(/^\^(\d+\.\d+)\.0$/, '$1')}`);
  });
});

describe("README's size table", () => {
  it('should give each bundle the budget scripts/size.mjs checks', () => {
    const script = readFileSync(new URL('../scripts/size.mjs', import.meta.url), 'utf8');
    // each case of the script, by its label: the import between the quotes, or the words before the parenthesis
    const budgets = new Map([...script.matchAll(/label: (["'])(.*?)\1,[^]*?budget: ([\d.]+)/g)].map((m) => [m[2]!, Number(m[3])]));
    const LABELS: Readonly<Record<string, string>> = {
      "`import { l0 } from 'l0-rx'`": "import { l0 } from 'l0-rx'",
      '`l0` with `recommendedGuardrails`': "l0 with guardrails (import { l0, recommendedGuardrails } from 'l0-rx')",
      '`structured` (with jsonrepair)': "import { structured } from 'l0-rx' (with jsonrepair)",
      '`parseStructured` from `l0-rx/operators` (with jsonrepair)': "import { parseStructured } from 'l0-rx/operators' (with jsonrepair)",
      '`guard`, `recommendedGuardrails`, `detectDrift` on their own': 'guardrails and drift on their own (guard, recommendedGuardrails, detectDrift)',
      'a browser consuming a backend stream (`accumulate`, `ofType`, `withTimeouts`, `retryWithBackoff`, `fallbackTo`, `tapLifecycle`)':
        'a browser consuming a backend stream (accumulate, ofType, withTimeouts, retryWithBackoff, fallbackTo, tapLifecycle)',
      'a browser reading a backend over SSE (`fromServerSentEvents`, `accumulate`, `retryWithBackoff`)':
        'a browser reading a backend over SSE (fromServerSentEvents, accumulate, retryWithBackoff)',
      '`accumulate` alone': "import { accumulate } from 'l0-rx'",
      '`formatContext`, `stripThinking`, `extractCode`': "import { formatContext, stripThinking, extractCode } from 'l0-rx'",
      '`l0-rx/operators`, everything': "import * from 'l0-rx/operators'",
      '`l0-rx`, everything (every capability with jsonrepair)': "import * from 'l0-rx' (whole root entry)",
    };
    const lines = readme.slice(readme.indexOf('  | Import | Size | Budget |')).split('\n');
    const rows = lines.slice(2, lines.findIndex((line) => !line.startsWith('  |'))).map((line) => line.trim().slice(2, -2).split(' | '));
    expect(rows.map(([label]) => label).sort()).toEqual(Object.keys(LABELS).sort());
    expect(budgets.size).toBe(rows.length);
    for (const [label, , budget] of rows) expect(Number(/^[\d.]+/.exec(budget!)![0]), label).toBe(budgets.get(LABELS[label!]!));
  });
});
