/**
 * Plain data passed between the parsing step (`extract.ts`, possibly in a worker thread) and the
 * graph that resolves and orders what was found. Everything here is structured-clone-safe:
 * no classes, no functions, no Maps.
 */
import type { ResourceType } from '../manifest/model.js';
import type { FaceDescriptor } from './fonts.js';

/** What kind of file a parser reads. `js` is only parsed when module imports are followed. */
export type FileKind = 'html' | 'css' | 'js';

/**
 * The construct that referenced a URL. The graph types, orders and attributes a resource from
 * this, so it says exactly which element or CSS rule the URL came from.
 */
export type RefSource =
  | 'script' // <script src>, classic or module (see `module`)
  | 'stylesheet' // <link rel=stylesheet>
  | 'preload' // <link rel=preload as=…>
  | 'modulepreload' // <link rel=modulepreload>
  | 'icon' // <link rel=icon|apple-touch-icon>
  | 'manifest' // <link rel=manifest>
  | 'preconnect' // <link rel=preconnect|dns-prefetch>: only its origin matters
  | 'img' // <img src|srcset>
  | 'picture-source' // <picture><source srcset>
  | 'media-source' // <video|audio><source src>
  | 'video'
  | 'video-poster'
  | 'audio'
  | 'track'
  | 'iframe'
  | 'embed'
  | 'object'
  | 'input-image' // <input type=image src>
  | 'svg-image' // SVG <image href|xlink:href>
  | 'svg-use' // SVG <use href>: the file part only
  | 'css-import' // @import
  | 'css-url' // url() or image-set() in a property value
  | 'font-face' // @font-face src
  | 'js-import'; // static import / export … from

/** One alternative among several for the same slot (srcset, image-set(), @font-face src, <picture>). */
export interface Candidate {
  /** Refs with the same group in one file are alternatives for one slot. */
  group: number;
  /** The one a browser takes by default: `src`, the smallest density, the best font format. */
  isDefault: boolean;
  /** srcset `w` descriptor. */
  width?: number;
  /** srcset `x` descriptor, or the image-set() resolution in dppx. */
  density?: number;
  /** @font-face `format()` or image-set() `type()`. */
  format?: string;
}

/** A URL found in a file, as written (entities and CSS escapes decoded, not yet resolved). */
export interface Ref {
  url: string;
  source: RefSource;
  /** 1-based position of the reference in the file. */
  line: number;
  column: number;
  /** The type the referencing construct implies (`as` of a preload, `image` for <img>…); absent when only the extension can tell. */
  as?: ResourceType;
  /** The element's `crossorigin` attribute: `''` and unknown values mean anonymous. */
  crossorigin?: string;
  /** `media` of a stylesheet, `<source>`, preload or @import. */
  media?: string;
  /** A module script (type=module, modulepreload, or a static import). */
  module?: boolean;
  async?: boolean;
  defer?: boolean;
  /** `<script nomodule>`: only old browsers fetch it. */
  nomodule?: boolean;
  /** `loading=lazy`: not needed for the first render. */
  lazy?: boolean;
  /** `fetchpriority=high`: the author says this is the important image. */
  highPriority?: boolean;
  /** Found in CSS inside the HTML file (`<style>` or `style=""`), resolved against the page. */
  inline?: boolean;
  /** Found inside `<template>` content. */
  template?: boolean;
  /** Set when this ref is one of several alternatives. */
  candidate?: Candidate;
  /** `@font-face src`: the face's `font-family`, lower-cased (absent when the rule names none). */
  family?: string;
  /** `@font-face src`: the face's weight, style and `unicode-range`. */
  face?: FaceDescriptor;
  /** `<img srcset>`, `<picture><source srcset>`, preload `imagesrcset`: the candidates, as written, on the ref a hint names. */
  srcset?: { url: string; descriptor?: string }[];
  /** Set by the graph on a page's own refs: {@link srcset} with its URLs resolved, as hints name them. */
  resolvedSrcset?: string;
  /** The image element a ref comes from, numbered per document: the refs of one `<picture>` share it. */
  element?: number;
  /** The element's `sizes` (with `srcset`). */
  sizes?: string;
  /** The element's `fetchpriority`, lower-cased, when it is `high`, `low` or `auto`. */
  fetchpriority?: 'high' | 'low' | 'auto';
  /** `<picture><source type>`: the MIME type the source is. */
  mimeType?: string;
  /** An image inside the page's banner, navigation or footer (`<header>`, `<nav>`, `<footer>` outside sectioning content). */
  chrome?: boolean;
  /** An image whose `width` or `height` attribute says it is small (an icon, a logo). */
  tiny?: boolean;
}

/** A problem found while parsing; the file still yields what could be read. */
export interface ExtractWarning {
  line?: number;
  column?: number;
  code: string;
  message: string;
}

/** In {@link FileExtract.fontFamilies}: a value the crawl cannot read might name any family. */
export const ANY_FONT_FAMILY = '*';

/** Everything one file references, in document order. The output of {@link extractFile}. */
export interface FileExtract {
  kind: FileKind;
  refs: Ref[];
  /** The first `<base href>` of an HTML document. */
  base?: { href: string; line: number; column: number };
  /** Inline module scripts' static imports are in `refs` with source `js-import`. */
  warnings: ExtractWarning[];
  /** Size of the file in bytes, set by the parser that read it. */
  bytes?: number;
  /**
   * Font families the file's CSS uses in `font`/`font-family` declarations (its `<style>` and
   * `style=""` for HTML), lower-cased; `'*'` when a value the crawl cannot read (`var()`) might
   * name any family. Absent when none.
   */
  fontFamilies?: string[];
  /**
   * Weights the file's CSS asks in `font-weight`/`font` outside `@font-face` (and, for HTML, 700
   * when it has elements a browser shows bold); `0` (`ANY_WEIGHT`) when a value might ask any.
   */
  fontWeights?: number[];
  /** Whether the CSS asks italic or oblique text (for HTML, also elements a browser shows italic). */
  fontSlanted?: boolean;
  /** HTML: the code points from U+0080 up of the document's text (outside `<script>`, `<style>` and other raw-text elements), sorted. */
  textCodePoints?: number[];
}

/** A file that could not be read: the crawl warns and goes on. */
export interface FileReadError {
  kind: 'error';
  /** The Node error code (`ENOENT`, `EACCES`, `EISDIR`…) or `EREAD`. */
  code: string;
  message: string;
}

/**
 * Reads and parses one file. The default runs in-process; the speed work swaps in a worker pool
 * or a cache. `parse` is called at most once per absolute path per run.
 */
export interface FileParser {
  parse(kind: FileKind, absPath: string): Promise<FileExtract | FileReadError>;
  /**
   * The same for a file whose bytes the caller has already read (the cache reads them to hash
   * them): saves reading the file twice. Optional; without it the caller uses `parse`.
   */
  parseBytes?(kind: FileKind, absPath: string, bytes: Uint8Array): Promise<FileExtract | FileReadError>;
  /**
   * The JSON text a result of `parseBytes` was rebuilt from, when it came from a worker thread;
   * handed over once (then forgotten). The parse cache stores it as it is rather than encode the
   * result again. Optional.
   */
  takeText?(result: FileExtract): string | undefined;
  /**
   * The size of a file this parser holds itself (an in-memory source: a bundler's emitted files),
   * or undefined to let the crawl look on disk. Optional; without it every file is on disk.
   */
  stat?(absPath: string): { size: number } | undefined;
  /**
   * What a file was when this parser read it this run: its stat, taken before the read, and a key
   * of the bytes read. The parse cache knows it; the result cache (result-cache.ts) stores it
   * rather than read and hash the file again. Optional.
   */
  contentOf?(absPath: string): FileSignature | undefined;
  /**
   * The caller vouches that the file is as it was when last read and will not ask for it this run
   * (the result cache holds the crawl that used it): keep what is cached of it. Optional.
   */
  retain?(absPath: string): void;
  close?(): Promise<void>;
}

/** A file as it was when read: size, mtime, ctime, inode (as git's index keeps them) and `<kind>:<SHA-1 of the bytes, base64url>`. */
export type FileSignature = readonly [size: number, mtimeMs: number, ctimeMs: number, ino: number, key: string];

/** Whether a parse result is a read error. */
export function isFileReadError(result: FileExtract | FileReadError): result is FileReadError {
  return result.kind === 'error';
}
