/** Types for bench/corpus.mjs (the benchmark corpus generator), so tests can import it under strict TypeScript. */

export declare const GENERATOR_VERSION: number;

/** Generator parameters; every field has a default (see DEFAULTS). */
export interface CorpusParams {
  seed: string;
  pages: number;
  css: number;
  images: number;
  fonts: number;
  scripts: number;
  modules: number;
  libs: number;
  minKB: number;
  maxKB: number;
  malformed: number;
}

export declare const DEFAULTS: Readonly<CorpusParams>;
export declare const NEGATIVE_KINDS: readonly string[];
export declare const SPECIAL_KINDS: readonly string[];

/** Per page: references per kind written in the page itself, and distinct URLs per kind a full crawl must list. */
export interface PageCounts {
  refs: Record<string, number>;
  expect: Record<string, string[]>;
  malformed?: number;
}

export interface CorpusCounts {
  version: number;
  params: CorpusParams;
  totals: Record<'html' | 'css' | 'other', { files: number; bytes: number }>;
  refTotals: Record<string, number>;
  css: Record<string, { refs: Record<string, number>; malformed: boolean }>;
  pages: Record<string, PageCounts>;
}

export interface Corpus {
  dir: string;
  root: string;
  params: CorpusParams;
  counts: CorpusCounts;
  reused: boolean;
}

export interface Random {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

export declare function createRandom(seed: string): Random;
export declare function resolveParams(options?: Partial<CorpusParams>): CorpusParams;
export declare function corpusName(params: CorpusParams): string;
export declare function generateCorpus(options?: Partial<CorpusParams> & { force?: boolean }, dir?: string): Corpus;
export declare function parseArgs(argv: string[]): Record<string, string | boolean>;
