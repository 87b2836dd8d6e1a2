/**
 * The type of an old http2-push-manifest entry written with `"type": ""`, which that tool wrote for
 * every extension outside its short list (`.jpeg`, `.mjs`, `.ttf`, `.avif`, …). Only extensions
 * whose use is certain get a type: a `.json` may be a `fetch` or a `manifest`, an `.html` a
 * `document` or an iframe's page, so those (and anything unknown) have none and the entry is dropped.
 */
import type { ResourceType } from '../model.js';

const CERTAIN: Record<string, ResourceType> = {
  css: 'style',
  js: 'script',
  mjs: 'script',
  cjs: 'script',
  png: 'image',
  apng: 'image',
  jpg: 'image',
  jpeg: 'image',
  jfif: 'image',
  pjpeg: 'image',
  pjp: 'image',
  gif: 'image',
  webp: 'image',
  avif: 'image',
  svg: 'image',
  ico: 'image',
  cur: 'image',
  bmp: 'image',
  woff: 'font',
  woff2: 'font',
  ttf: 'font',
  otf: 'font',
  eot: 'font',
  vtt: 'track',
};

/** The preload type an extension is certain to mean, or `undefined`. `url` is a manifest path (query allowed). */
export function typeFromOldExtension(url: string): ResourceType | undefined {
  const path = url.replace(/[?#].*$/s, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return Object.hasOwn(CERTAIN, name.slice(dot + 1).toLowerCase()) ? CERTAIN[name.slice(dot + 1).toLowerCase()] : undefined;
}
