#!/usr/bin/env node
// Builds the native addons in native/filtered-hnsw (filtered_hnsw: in-graph filtered HNSW
// search; exact_topk: exact ranking of a run of vectors in one call) with npm's own node-gyp,
// against the headers of the running node when they are installed (no download needed).
// Run by `npm install` and `npm run build`; skipped when the addon is newer than its source.
// A failed build is a warning, not an error: Quiver then searches without the in-graph
// strategy (exact or ANN-then-filter only) and ranks exact scans row by row.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'filtered-hnsw');
const addons = ['filtered_hnsw', 'exact_topk'].map((name) => join(dir, 'build', 'Release', `${name}.node`));
const sources = ['filtered_hnsw.cpp', 'exact_topk.cpp', 'binding.gyp'].map((f) => join(dir, f));

const built = (addon) => existsSync(addon) && sources.every((s) => statSync(s).mtimeMs <= statSync(addon).mtimeMs);
if (addons.every(built)) process.exit(0);

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  for (const base of [npmDir, root]) {
    try {
      return createRequire(join(base, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
    } catch { /* next */ }
  }
  return undefined;
}

const gyp = nodeGyp();
if (!gyp) {
  console.warn('quiver: node-gyp not found; in-graph filtered search is off');
  process.exit(0);
}
const prefix = join(dirname(process.execPath), '..');
const args = [gyp, 'rebuild', '--loglevel', 'warn', '--directory', dir];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
if (r.status !== 0) console.warn('quiver: building native/filtered-hnsw failed; in-graph filtered search is off');
