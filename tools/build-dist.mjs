// Assembles dist/ from the wasm-bindgen output and www/: optimises the wasm
// with wasm-opt, gives every asset a content-hashed name (so a deploy never
// mixes old and new files), and fills the placeholders in index.html and the
// worker loader. Run by `make dist`; see ARCHITECTURE.md.
//
//   node tools/build-dist.mjs [--no-opt]
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, transformSync } from 'esbuild';

const BINDGEN = 'target/wasm-bindgen';
const OUT = 'dist';
const WASM_OPT = 'node_modules/.bin/wasm-opt';
// The features rustc's wasm32 target emits; wasm-opt must accept them all.
const FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-reference-types', '--enable-multivalue', '--enable-mutable-globals'];
const optimise = !process.argv.includes('--no-opt');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const names = {};
const minify = (code) => transformSync(code, { minify: true, format: 'esm', target: 'es2020', logLevel: 'error' }).code;
const hashed = (logical, bytes) => {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 10);
  // app_bg.wasm -> app-<hash>_bg.wasm; style.css -> style-<hash>.css
  const cut = logical.includes('_bg.') ? logical.indexOf('_bg.') : logical.indexOf('.');
  const name = `${logical.slice(0, cut)}-${hash}${logical.slice(cut)}`;
  writeFileSync(join(OUT, name), bytes);
  names[logical] = name;
  return name;
};
const fill = (text) => text.replace(/\{\{([\w.-]+)\}\}/g, (_, key) => {
  if (!names[key]) throw new Error(`no asset for placeholder {{${key}}}`);
  return names[key];
});

for (const [crate, logical] of [['explorer', 'app'], ['worker', 'worker'], ['metadata_yaml', 'metadata-yaml'], ['chart_svg', 'chart-svg'], ['parquet_json', 'parquet-json']]) {
  const wasmIn = join(BINDGEN, `${crate}_bg.wasm`);
  if (!existsSync(wasmIn)) throw new Error(`${wasmIn} is missing: run wasm-bindgen first (make dist does)`);
  let wasm = wasmIn;
  if (optimise) {
    wasm = join(BINDGEN, `${crate}_bg.opt.wasm`);
    execFileSync(WASM_OPT, ['-Oz', '--strip-debug', '--strip-producers', ...FEATURES, wasmIn, '-o', wasm], { stdio: 'inherit' });
  }
  const bytes = readFileSync(wasm);
  // An import from "env" is a C symbol left undefined (an SQLite OMIT
  // option whose parser still calls it, say): the browser refuses the
  // module, so the build must fail here rather than there.
  const unresolved = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).filter((i) => i.module === 'env');
  if (unresolved.length) throw new Error(`${wasm} imports undefined symbols: ${unresolved.map((i) => i.name).join(', ')}`);
  hashed(`${logical}_bg.wasm`, bytes);
  // wasm-bindgen's glue is readable JS; minified it is a third the gzip.
  hashed(`${logical}.js`, Buffer.from(minify(readFileSync(join(BINDGEN, `${crate}.js`), 'utf8'))));
}
hashed('data-cache.js', Buffer.from(minify(readFileSync('www/data-cache.js', 'utf8'))));
// The worker's entry, with the data cache and the wasm glue bundled in:
// one module to fetch before the wasm, not a loader and then its imports.
const loader = await build({
  stdin: { contents: fill(readFileSync('www/worker-loader.js', 'utf8')), resolveDir: OUT, sourcefile: 'worker-loader.js' },
  bundle: true, format: 'esm', minify: true, write: false, logLevel: 'error',
});
hashed('worker-loader.js', Buffer.from(loader.outputFiles[0].contents));
rmSync(join(OUT, names['worker.js']));
delete names['worker.js'];
// The SQL editor (CodeMirror 6 from node_modules) as one ES module.
const editor = await build({
  entryPoints: ['www/editor/editor.mjs'], bundle: true, format: 'esm', minify: true, write: false, logLevel: 'error',
});
hashed('editor.js', Buffer.from(editor.outputFiles[0].contents));
hashed('style.css', Buffer.from(transformSync(readFileSync('www/style.css', 'utf8'), { loader: 'css', minify: true, logLevel: 'error' }).code));
const statics = ['favicon.svg', 'demo.db', 'manifest.webmanifest', 'icon-192.png', 'icon-512.png', 'embed-example.html'];
for (const file of statics) copyFileSync(join('www', file), join(OUT, file));
writeFileSync(join(OUT, 'index.html'), fill(readFileSync('index.html', 'utf8')));
// The service worker precaches the shell; its cache is named for this build.
const shell = ['./', ...Object.values(names), ...statics.filter((f) => f !== 'embed-example.html')];
const version = createHash('sha256').update(shell.join('\n')).update(readFileSync(join(OUT, 'index.html'))).digest('hex').slice(0, 12);
writeFileSync(join(OUT, 'service-worker.js'), readFileSync('service-worker.js', 'utf8')
  .replace("'{{VERSION}}'", JSON.stringify(version))
  .replace('{{ASSETS}}', JSON.stringify(shell)));
writeFileSync(join(OUT, 'assets.json'), JSON.stringify(names, null, 2) + '\n');
console.log(`dist/ written: ${Object.values(names).join(', ')}`);
