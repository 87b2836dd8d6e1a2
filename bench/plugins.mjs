// pnpm bench:plugins — what @push-manifest/vite and @push-manifest/webpack add to a build's wall
// time. A generated multi-page app (200 pages by default: each an HTML page with its own entry,
// its own CSS, two of twenty shared modules, a lazy import, and a shared stylesheet with an
// @font-face) is built by Vite 8 and by webpack 5 (html-webpack-plugin per page,
// mini-css-extract-plugin, asset modules), with and without the plugin, in interleaved rounds
// (the order flips every round) after one warm-up build of each, in this process. Prints each
// variant's median and the ratio with/without; the target is at most 1.05. On a loaded machine the
// medians drift between rounds, so it also prints the median of each round's own ratio (the two
// builds of a round run back to back) and the time spent in the plugin's hook itself, measured
// inside the build (Vite: its generateBundle; webpack: between the stages just before and after
// PROCESS_ASSETS_STAGE_REPORT), as a share of the build.
// With --fresh, every build runs in a process of its own, as `vite build` or `webpack` does: the
// time then also holds loading the plugin (its modules and dependencies) and its first, unoptimised
// run, which the in-process rounds pay once before they start timing. The child reports the
// plugin's load time and its hook's time; the parent times the whole process, spawn to exit.
// Usage: node bench/plugins.mjs [--pages 200] [--rounds 5] [--only vite|webpack] [--fresh]
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    // Internal, for --fresh: one build in this process, of the app already generated in --work.
    child: { type: 'string' },
    with: { type: 'boolean', default: false },
    work: { type: 'string' },
  },
});
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);
const ONLY = values.only;
if (ONLY !== undefined && ONLY !== 'vite' && ONLY !== 'webpack') throw new Error(`--only vite|webpack, got ${ONLY}`);
const CHILD = values.child;
if (CHILD !== undefined && (CHILD !== 'vite' && CHILD !== 'webpack' || values.work === undefined)) throw new Error(`--child vite|webpack --work DIR, got ${CHILD}`);

const require = createRequire(join(repo, 'package.json'));
// Loaded only where a build runs: with --fresh, each child loads its bundler (and the plugin if it uses it).
const loadVite = () => import('vite');
const loadVitePlugin = async () => (await import(join(repo, 'packages/vite/dist/index.js'))).pushManifest;
const loadWebpackPlugin = async () => (await import(join(repo, 'packages/webpack/dist/index.js'))).PushManifestPlugin;

/** Milliseconds spent in the plugin's own hook, per build with the plugin. */
const hookTimes = [];

/** The Vite plugins with their generateBundle timed. */
function timedVitePlugins(pushManifest) {
  const plugins = pushManifest();
  for (const plugin of plugins) {
    const hook = plugin.generateBundle;
    if (typeof hook !== 'function') continue;
    plugin.generateBundle = async function (...args) {
      const started = performance.now();
      try {
        return await hook.apply(this, args);
      } finally {
        hookTimes.push(performance.now() - started);
      }
    };
  }
  return plugins;
}

/** Times what runs between the stages just before and after REPORT: the push-manifest plugin alone. */
class WebpackHookTimer {
  apply(compiler) {
    const stage = compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT;
    compiler.hooks.thisCompilation.tap('bench', (compilation) => {
      let started = 0;
      compilation.hooks.processAssets.tap({ name: 'bench:before', stage: stage - 1 }, () => void (started = performance.now()));
      compilation.hooks.processAssets.tap({ name: 'bench:after', stage: stage + 1 }, () => void hookTimes.push(performance.now() - started));
    });
  }
}

const work = values.work ?? mkdtempSync(join(tmpdir(), 'pm-bench-plugins-'));
const app = join(work, 'app');

/** The generated app: pages/pNNN.html → src/pNNN.js, shared modules, CSS with an @import and a font. */
function generateApp() {
  mkdirSync(join(app, 'src/shared'), { recursive: true });
  mkdirSync(join(app, 'src/styles'), { recursive: true });
  mkdirSync(join(app, 'pages'), { recursive: true });
  mkdirSync(join(app, 'templates'), { recursive: true });
  cpSync(join(repo, 'fixtures/apps/multi-page/src/fonts/brand.woff2'), join(app, 'src/styles/brand.woff2'));
  writeFileSync(join(app, 'src/styles/base.css'), 'h1 { color: teal; }\n');
  writeFileSync(join(app, 'src/styles/site.css'), "@import './base.css';\n@font-face { font-family: Brand; src: url('./brand.woff2') format('woff2'); }\nbody { font-family: Brand, sans-serif; }\n");
  writeFileSync(join(app, 'src/lazy.js'), 'export const lazy = () => document.body.append("lazy");\n');
  for (let s = 0; s < 20; s++) {
    writeFileSync(join(app, `src/shared/s${s}.js`), `import '../styles/site.css';\nexport function s${s}(x) { return [${s}, x, ${JSON.stringify('shared '.repeat(40))}].join(':'); }\n`);
  }
  const templates = [];
  for (let p = 0; p < PAGES; p++) {
    const id = String(p).padStart(3, '0');
    const a = p % 20;
    const b = (p * 7 + 3) % 20;
    writeFileSync(join(app, `src/styles/p${id}.css`), `.p${id} { color: #${(p * 2654435761 % 0xffffff).toString(16).padStart(6, '0')}; }\n`);
    writeFileSync(
      join(app, `src/p${id}.js`),
      `import { s${a} } from './shared/s${a}.js';\nimport { s${b} } from './shared/s${b}.js';\nimport './styles/p${id}.css';\n` +
        `document.title = s${a}('${id}') + s${b}('${id}');\ndocument.querySelector('button')?.addEventListener('click', () => import('./lazy.js').then((m) => m.lazy()));\n`,
    );
    const body = `<h1 class="p${id}">Page ${id}</h1><button>more</button>`;
    writeFileSync(join(app, `pages/p${id}.html`), `<!doctype html><html><head><meta charset="utf-8"><title>${id}</title><script type="module" src="/src/p${id}.js"></script></head><body>${body}</body></html>\n`);
    writeFileSync(join(app, `templates/p${id}.html`), `<!doctype html><html><head><meta charset="utf-8"><title>${id}</title></head><body>${body}</body></html>\n`);
    templates.push(id);
  }
  return templates;
}

const ids = CHILD === undefined ? generateApp() : Array.from({ length: PAGES }, (_, p) => String(p).padStart(3, '0'));

async function buildVite(withPlugin) {
  const vite = await loadVite();
  const plugins = withPlugin ? timedVitePlugins(await loadVitePlugin()) : [];
  const input = Object.fromEntries(ids.map((id) => [`p${id}`, join(app, `pages/p${id}.html`)]));
  await vite.build({
    root: app,
    configFile: false,
    logLevel: 'error',
    cacheDir: join(work, 'vite-cache'),
    build: { outDir: join(work, 'vite-dist'), emptyOutDir: true, rolldownOptions: { input } },
    plugins,
  });
}

async function buildWebpack(withPlugin) {
  const webpack = require('webpack');
  const HtmlWebpackPlugin = require('html-webpack-plugin');
  const MiniCssExtractPlugin = require('mini-css-extract-plugin');
  const PushManifestPlugin = withPlugin ? await loadWebpackPlugin() : undefined;
  const config = {
    mode: 'production',
    context: app,
    entry: Object.fromEntries(ids.map((id) => [`p${id}`, `./src/p${id}.js`])),
    output: { path: join(work, 'webpack-dist'), filename: '[name].[contenthash:8].js', chunkFilename: '[name].[contenthash:8].chunk.js', assetModuleFilename: '[name].[contenthash:8][ext]', clean: true },
    optimization: { minimize: false, runtimeChunk: 'single', splitChunks: { chunks: 'all', minSize: 0 } },
    module: {
      rules: [
        { test: /\.css$/, use: [MiniCssExtractPlugin.loader, require.resolve('css-loader')] },
        { test: /\.woff2$/, type: 'asset', parser: { dataUrlCondition: { maxSize: 4096 } } },
      ],
    },
    plugins: [
      ...ids.map((id) => new HtmlWebpackPlugin({ template: join(app, `templates/p${id}.html`), filename: `p${id}.html`, chunks: [`p${id}`] })),
      new MiniCssExtractPlugin({ filename: '[name].[contenthash:8].css', chunkFilename: '[name].[contenthash:8].chunk.css' }),
      ...(withPlugin ? [new PushManifestPlugin(), new WebpackHookTimer()] : []),
    ],
    infrastructureLogging: { level: 'error' },
    stats: 'none',
  };
  const compiler = webpack(config);
  await new Promise((resolve, reject) =>
    compiler.run((error, stats) => {
      if (error || stats.hasErrors()) reject(error ?? new Error(stats.toString('errors-only')));
      else resolve();
    }),
  );
  await new Promise((resolve) => compiler.close(resolve));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

if (CHILD !== undefined) {
  // One build; the parent reads the plugin's load time and its hook's time from the last line.
  // The bundler loads first, as its CLI loads before the config that names the plugin.
  if (CHILD === 'vite') await loadVite();
  else require('webpack');
  const started = performance.now();
  if (values.with) await (CHILD === 'vite' ? loadVitePlugin() : loadWebpackPlugin());
  const load = performance.now() - started;
  await (CHILD === 'vite' ? buildVite : buildWebpack)(values.with);
  console.log(JSON.stringify({ load, hook: hookTimes[0] }));
  process.exit(0);
}

/** Build in a fresh process; the hook's time goes to hookTimes, the plugin's load time to loadTimes. */
const loadTimes = [];
function freshBuild(bundler) {
  return (withPlugin) =>
    new Promise((resolve, reject) => {
      const args = [fileURLToPath(import.meta.url), '--child', bundler, '--work', work, '--pages', String(PAGES), ...(withPlugin ? ['--with'] : [])];
      execFile(process.execPath, args, { cwd: repo, maxBuffer: 16 << 20, timeout: 300_000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`${bundler} build failed: ${stderr || error.message}`));
        const report = JSON.parse(stdout.trim().split('\n').at(-1));
        if (withPlugin) {
          hookTimes.push(report.hook);
          loadTimes.push(report.load);
        }
        resolve();
      });
    });
}

const bundlers = [
  ['vite 8', values.fresh ? freshBuild('vite') : buildVite],
  ['webpack 5', values.fresh ? freshBuild('webpack') : buildWebpack],
].filter(([name]) => ONLY === undefined || name.startsWith(ONLY));

console.log(`${PAGES} pages, ${ROUNDS} rounds${values.fresh ? ', each build in a fresh process' : ''}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
try {
  for (const [name, build] of bundlers) {
    await build(false);
    await build(true);
    hookTimes.length = 0;
    loadTimes.length = 0;
    const times = { without: [], with: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Flip the order every round, so drift in the machine's load hits both variants alike.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const withPlugin of order) times[withPlugin ? 'with' : 'without'].push(await timed(() => build(withPlugin)));
    }
    const without = median(times.without);
    const withPlugin = median(times.with);
    const paired = median(times.with.map((t, i) => t / times.without[i]));
    const hook = median(hookTimes);
    const share = median(hookTimes.map((t, i) => t / times.with[i]));
    console.log(
      `${name.padEnd(10)} without ${(without / 1000).toFixed(2)} s  with ${(withPlugin / 1000).toFixed(2)} s  ratio ${(withPlugin / without).toFixed(3)}  per-round ratio ${paired.toFixed(3)}` +
        `  plugin hook ${Math.round(hook)} ms (${(share * 100).toFixed(1)}% of the build)` +
        (loadTimes.length > 0 ? `  plugin load ${Math.round(median(loadTimes))} ms` : '') +
        `\n           without: ${times.without.map((t) => Math.round(t)).join(' ')} ms; with: ${times.with.map((t) => Math.round(t)).join(' ')} ms; hook: ${hookTimes.map((t) => Math.round(t)).join(' ')} ms` +
        (loadTimes.length > 0 ? `; load: ${loadTimes.map((t) => Math.round(t)).join(' ')} ms` : ''),
    );
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
