#!/usr/bin/env node
// Builds the browser client (src/clients/web) into dist/web/:
//   index.html (no-cache), assets/app-[hash].js and app-[hash].css (immutable),
//   plus .gz and .br siblings for each, and a size report.
// Fails when the initial JavaScript is over the budget (100 KB gzip).
// Usage: node scripts/build-web.mjs [--quiet]
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src/clients/web');
const out = join(root, 'dist/web');
const quiet = process.argv.includes('--quiet');
const BUDGET_GZ = 100 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(src, 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  tsconfig: join(root, 'tsconfig.web.json'),
});

const css = await build({
  entryPoints: { app: join(src, 'styles.css') },
  bundle: true,
  minify: true,
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const outputs = [...Object.keys(result.metafile.outputs), ...Object.keys(css.metafile.outputs)].map((p) => join(root, p));
const js = outputs.find((p) => p.endsWith('.js'));
const cssFile = outputs.find((p) => p.endsWith('.css'));
if (!js || !cssFile) throw new Error('build-web: esbuild produced no JS or CSS');

const html = readFileSync(join(src, 'index.html'), 'utf8')
  .replace('%JS%', '/assets/' + basename(js))
  .replace('%CSS%', '/assets/' + basename(cssFile));
writeFileSync(join(out, 'index.html'), html);

const rows = [];
let initialGz = 0;
for (const name of readdirSync(join(out, 'assets')).map((n) => 'assets/' + n).concat('index.html')) {
  const p = join(out, name);
  const body = readFileSync(p);
  const gz = gzipSync(body, { level: 9 });
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  writeFileSync(p + '.gz', gz);
  writeFileSync(p + '.br', br);
  rows.push({ file: relative(root, p), raw: body.length, gz: gz.length, br: br.length });
  if (name.endsWith('.js')) initialGz += gz.length;
}
writeFileSync(join(out, 'size-report.json'), JSON.stringify({ initialJsGzip: initialGz, budget: BUDGET_GZ, files: rows }, null, 2) + '\n');
if (!quiet) {
  const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
  console.log('web client built into dist/web/');
  for (const r of rows) console.log(`  ${r.file.padEnd(40)} ${kb(r.raw)}  gzip ${kb(r.gz)}  br ${kb(r.br)}`);
  console.log(`  initial JS (gzip): ${(initialGz / 1024).toFixed(1)} KB of ${BUDGET_GZ / 1024} KB budget`);
}
if (initialGz > BUDGET_GZ) {
  console.error(`build-web: initial JS is ${initialGz} bytes gzip, over the ${BUDGET_GZ} byte budget`);
  process.exit(1);
}
