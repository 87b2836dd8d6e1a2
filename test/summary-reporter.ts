import { relative } from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, so that CI logs (and the
 * tools that read them) see the outcome without parsing vitest's decorated summary.
 *
 * Tests that never finished (`pending`: their worker process died, e.g. of a native crash) and
 * unhandled errors are named on that line too. A run once ended "37 of 38 files, 526 of 533 tests"
 * with this line saying `0 failed, 7 skipped`, and vitest's own "Worker exited unexpectedly"
 * buried above it: the worker had died of SIGSEGV (see docs/serve.md) and nothing said so here.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let notRun = 0;
    const unfinished = new Set<string>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (state === 'skipped') skipped++;
        else {
          notRun++;
          unfinished.add(relative(process.cwd(), module.moduleId));
        }
      }
    }
    let line = `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
    if (notRun > 0) line += `, ${notRun} NOT RUN (unfinished: ${[...unfinished].join(', ')})`;
    if (unhandledErrors.length > 0) {
      line += `; ${unhandledErrors.length} unhandled error(s): ${unhandledErrors.map((error) => error.message ?? String(error)).join(' | ')}`;
    }
    process.stdout.write(`${line}\n`);
  }
}
