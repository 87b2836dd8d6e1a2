import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/summary-reporter.js';

const core = (path: string) => fileURLToPath(new URL(`./packages/core/src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of core, so a test never sees a stale build.
    // CLI tests spawn the built CLI instead (the `test` script builds first).
    alias: [
      { find: /^@push-manifest\/core$/, replacement: core('index.ts') },
      { find: /^@push-manifest\/core\/manifest$/, replacement: core('manifest/index.ts') },
      { find: /^@push-manifest\/core\/runtime$/, replacement: core('runtime/index.ts') },
      { find: /^@push-manifest\/core\/export$/, replacement: core('export/index.ts') },
      { find: /^@push-manifest\/core\/fastify$/, replacement: core('runtime/fastify.ts') },
      { find: /^@push-manifest\/core\/inspect$/, replacement: core('inspect/index.ts') },
      { find: /^@push-manifest\/core\/bundle$/, replacement: core('bundle/index.ts') },
      { find: /^@push-manifest\/core\/bundle-loader$/, replacement: core('bundle/loader.ts') },
      { find: /^@push-manifest\/vite$/, replacement: fileURLToPath(new URL('./packages/vite/src/index.ts', import.meta.url)) },
      { find: /^@push-manifest\/webpack$/, replacement: fileURLToPath(new URL('./packages/webpack/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', new SummaryReporter()],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
