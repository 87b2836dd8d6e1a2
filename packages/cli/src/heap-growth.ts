/**
 * How far V8 lets the heap grow between full collections, for the crawl. By default V8 grows the
 * old generation to up to 4× what the last full collection left, because a crawl's garbage is
 * cheap to collect late: on a 100,000-page site with both caches that is 724 MiB of peak RSS for a
 * live heap under 200 MiB. A growing factor of 1.3 keeps it at 382 MiB (issue 15, docs/performance.md).
 *
 * It is a process-wide V8 setting, set after start (which Node documents as unsupported in
 * general; this flag is read each time V8 sizes the heap, and the measurements show it taking
 * effect), so the library never sets it: the CLI does, for the commands that crawl. A value the user
 * gave (`node --heap-growing-percent=N`, or in NODE_OPTIONS) is left as it is.
 */
import { setFlagsFromString } from 'node:v8';

/** The heap may grow by this percentage of the live size before the next full collection. */
export const CRAWL_HEAP_GROWING_PERCENT = 30;

/** Whether the process was started with its own `--heap-growing-percent` (on the command line or in NODE_OPTIONS). */
export function heapGrowthGiven(execArgv: readonly string[], nodeOptions: string): boolean {
  const given = (arg: string) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg);
  return execArgv.some(given) || nodeOptions.split(/\s+/).some(given);
}

/** Apply {@link CRAWL_HEAP_GROWING_PERCENT} unless the process was started with its own value. */
export function boundHeapGrowth(): void {
  if (heapGrowthGiven(process.execArgv, process.env.NODE_OPTIONS ?? '')) return;
  setFlagsFromString(`--heap-growing-percent=${CRAWL_HEAP_GROWING_PERCENT}`);
}
