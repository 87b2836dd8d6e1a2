#!/usr/bin/env node
/**
 * Micro-benchmark of the HTML extractor alone, in one process, CPU time per round: the default
 * token extractor (text runs skipped with a regex scan), the same with the portable text skip
 * (one `advance()` per code point, what a parse5 without the preprocessor fields it sets gets),
 * the tree-based extractor, and parse5's bare `Tokenizer` with a handler that does nothing.
 * Rounds alternate the order; the first round or two warm the JIT up.
 *
 * Run: pnpm build && node bench/html-extract.mjs [--pages 1500] [--rounds 8]
 * (on the corpus of `pnpm bench`; generates it when missing). Numbers are noisy on a shared machine.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCorpus, parseArgs } from './corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const coreDist = path.join(here, '..', 'packages/core/dist');
const args = parseArgs(process.argv.slice(2));
const pages = Number(args.pages ?? 1500);
const rounds = Number(args.rounds ?? 8);

const { extractHtmlTokens } = await import(pathToFileURL(path.join(coreDist, 'crawl/html-tokens.js')).href);
const { extractHtml } = await import(pathToFileURL(path.join(coreDist, 'crawl/html.js')).href);
const fromCore = createRequire(path.join(here, '..', 'packages/core/package.json'));
const { Tokenizer } = await import(pathToFileURL(fromCore.resolve('parse5')).href);

const corpus = generateCorpus({});
const files = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.html')) files.push(full);
  }
})(corpus.root);
const texts = files.sort().slice(0, pages).map((file) => readFileSync(file, 'utf8'));

const noop = () => {};
const handler = { onComment: noop, onDoctype: noop, onStartTag: noop, onEndTag: noop, onEof: noop, onCharacter: noop, onNullCharacter: noop, onWhitespaceCharacter: noop, onParseError: null };
const cases = {
  tokens: () => texts.forEach((text) => extractHtmlTokens(text)),
  'tokens, portable skip': () => texts.forEach((text) => extractHtmlTokens(text, { portableTextSkip: true })),
  tree: () => texts.forEach((text) => extractHtml(text)),
  'parse5 Tokenizer, no-op handler': () => texts.forEach((text) => new Tokenizer({ sourceCodeLocationInfo: true }, handler).write(text, true)),
};

const bytes = texts.reduce((n, text) => n + text.length, 0);
process.stdout.write(`${texts.length} pages, ${(bytes / 2 ** 20).toFixed(1)} MiB of HTML; CPU ms per round\n`);
const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? Object.keys(cases) : Object.keys(cases).reverse();
  for (const name of order) {
    const before = process.cpuUsage();
    cases[name]();
    const used = process.cpuUsage(before);
    results[name].push(Math.round((used.user + used.system) / 1000));
  }
}
for (const [name, ms] of Object.entries(results)) {
  const steady = [...ms.slice(2)].sort((a, b) => a - b);
  process.stdout.write(`${name.padEnd(32)} ${ms.join(' ').padEnd(48)} median after warm-up ${steady[Math.floor((steady.length - 1) / 2)] ?? '-'}\n`);
}
