#!/usr/bin/env node
// `npm run bench`: runs every suite in bench/suites, prints one table and
// writes the same figures to bench/results/<date>.json. Each figure is
// measured beside a baseline in the same run and reported as a ratio too:
// these machines are shared and noisy, so absolute numbers travel badly.
//
//   npm run bench                 all suites
//   npm run bench -- worker       suites whose name contains "worker"
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nodeProgramOptions } from '../scripts/bundle-options.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const outdir = path.join(here, '.build');

const files = (await readdir(path.join(here, 'suites'))).filter((f) => f.endsWith('.ts')).sort();
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
await build({
  entryPoints: selected.map((f) => path.join(here, 'suites', f)),
  outdir,
  ...nodeProgramOptions(root),
});

const require = createRequire(import.meta.url);
const progress = (message) => process.stderr.write(`  … ${message}\n`);
const rows = [];
for (const file of selected) {
  const name = file.replace(/\.ts$/, '');
  process.stderr.write(`▶ ${name}\n`);
  const suite = require(path.join(outdir, `${name}.js`));
  const started = Date.now();
  for (const row of await suite.run({ progress, root })) rows.push({ suite: name, ...row });
  process.stderr.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const fmt = (n) =>
  typeof n === 'number' ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)) : String(n ?? '');
const table = rows.map((r) => ({
  figure: r.name,
  value: `${fmt(r.value)} ${r.unit}`,
  baseline: r.baseline ? `${fmt(r.baseline.value)} ${r.unit} (${r.baseline.name})` : '',
  ratio: r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
  target: r.target ?? '',
  met: r.met === undefined ? '' : r.met ? 'yes' : 'NO',
}));
console.table(table);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
await mkdir(path.join(here, 'results'), { recursive: true });
const out = path.join(here, 'results', `${stamp}.json`);
await writeFile(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, rows }, null, 2)}\n`,
);
console.log(`results written to ${path.relative(root, out)}`);
