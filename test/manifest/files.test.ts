import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANY_PAGE,
  checkManifestFiles,
  formatProblem,
  readJsonFile,
  readManifestFile,
  serializeManifest,
  writeManifestFile,
  type Manifest,
} from '@push-manifest/core/manifest';
import { fixturePath } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const onePage: Manifest = { pages: new Map([['/index.html', [{ url: '/app.css', type: 'style', weight: 1 }]]]) };

describe('readManifestFile', () => {
  it('reads a file in any format', async () => {
    const manifest = await readManifestFile(fixturePath('http2-push-manifest/multi.json'));
    expect([...manifest.pages.keys()]).toEqual(['/index.html', '/page.html']);
  });

  it('ENOENT for a missing file, naming it', async () => {
    const file = join(dir, 'missing.json');
    await expect(readManifestFile(file)).rejects.toMatchObject({ code: 'ENOENT', message: `${file}: no such file` });
  });

  it('BAD_INPUT for a file that is not JSON, one line naming the file', async () => {
    const file = fixturePath('invalid/truncated.json');
    await expect(readManifestFile(file)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON \\([^\n]+\\)$`)),
    });
  });

  it('BAD_INPUT for bytes that are not UTF-8, and for a folder', async () => {
    const file = join(dir, 'latin1.json');
    await writeFile(file, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    await expect(readJsonFile(file)).rejects.toMatchObject({ code: 'BAD_INPUT', message: `${file}: not UTF-8 text` });
    await expect(readJsonFile(dir)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const file = join(dir, 'bom.json');
    await writeFile(file, `\ufeff${serializeManifest(onePage, 'multi')}`);
    expect((await readManifestFile(file)).pages.get('/index.html')).toEqual([{ url: '/app.css', type: 'style', weight: 1 }]);
  });

  it('INVALID_MANIFEST with the file and the JSON path for a schema problem', async () => {
    await expect(readManifestFile(fixturePath('invalid/header-injection.json'))).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
      file: fixturePath('invalid/header-injection.json'),
      path: ['/app.css\r\nSet-Cookie: a=b'],
    });
  });
});

describe('writeManifestFile', () => {
  it('writes the serialised text, and a second write replaces it whole', async () => {
    const file = join(dir, 'push-manifest.json');
    await writeManifestFile(file, onePage, 'multi');
    expect(await readFile(file, 'utf8')).toBe(serializeManifest(onePage, 'multi'));
    await writeManifestFile(file, { pages: new Map() }, 'multi');
    expect(await readFile(file, 'utf8')).toBe('{}\n');
    expect(await readdir(dir)).toEqual(['push-manifest.json']);
  });

  it('leaves the old file untouched and no temp file behind when the model cannot be written', async () => {
    const file = join(dir, 'push-manifest.json');
    await writeFile(file, 'old content');
    const bad: Manifest = { pages: new Map([['/i.html', [{ url: '/x\n.js', type: 'script', weight: 1 }]]]) };
    await expect(writeManifestFile(file, bad, 'multi')).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    const twoPages: Manifest = { pages: new Map([['/a.html', []], ['/b.html', []]]) };
    await expect(writeManifestFile(file, twoPages, 'single')).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(await readFile(file, 'utf8')).toBe('old content');
    expect(await readdir(dir)).toEqual(['push-manifest.json']);
  });

  it('ENOENT naming the file when its folder does not exist', async () => {
    const file = join(dir, 'nope', 'm.json');
    await expect(writeManifestFile(file, onePage)).rejects.toMatchObject({ code: 'ENOENT', message: `${file}: its folder does not exist` });
  });
});

describe('checkManifestFiles', () => {
  let root: string;
  beforeEach(async () => {
    root = join(dir, 'site');
    await mkdir(join(root, 'css'), { recursive: true });
    await writeFile(join(root, 'css', 'app.css'), 'body{}');
    await writeFile(join(root, 'café.js'), '');
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await symlink(join(dir, 'secret.txt'), join(root, 'link.txt'));
  });

  const manifestOf = (...urls: string[]): Manifest => ({
    pages: new Map([
      ['/index.html', urls.map((url) => ({ url, type: 'script' as const, weight: 1 }))],
      ['/about/index.html', urls.slice(0, 2).map((url) => ({ url, type: 'script' as const, weight: 1 }))],
    ]),
  });

  it('finds files by path, ignoring ?query and #hash, percent-decoding once', async () => {
    const problems = await checkManifestFiles(manifestOf('/css/app.css?v=3', '/caf%C3%A9.js', '/css/app.css#x'), { root });
    expect(problems).toEqual([]);
  });

  it('reports each missing URL once, at the first page that lists it, with how many pages do', async () => {
    const problems = await checkManifestFiles(manifestOf('/css/missing.css', '/css/app.css', '/gone.js'), { root });
    expect(problems.map((p) => formatProblem(p))).toEqual([
      '"/index.html" → "/css/missing.css": no file at css/missing.css under the root (listed by 2 pages)',
      '"/index.html" → "/gone.js": no file at gone.js under the root',
    ]);
  });

  it('treats paths that leave the root, symlinks out, folders and bad escapes as problems', async () => {
    const problems = await checkManifestFiles(
      { pages: new Map([[ANY_PAGE, ['/..%2F..%2Fsecret.txt', '/link.txt', '/css', '/%E0%A4%A.js', '/a%00b'].map((url) => ({ url, type: 'fetch' as const, weight: 1 }))]]) },
      { root },
    );
    expect(problems.map((p) => p.message)).toEqual([
      'points outside the root',
      'is a symlink that leaves the root',
      'css is not a file',
      'has a malformed %-escape',
      'decodes to a path with NUL in it',
    ]);
  });

  it('ENOENT when the root is not a folder', async () => {
    await expect(checkManifestFiles(onePage, { root: join(dir, 'no-site') })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
