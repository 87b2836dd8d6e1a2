/**
 * The line store behind the caches' readers: a scan hands over every line with where it is, and a
 * line read back by that offset is the same text (or bytes), wherever it falls among the store's blocks.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineFileWriter } from '../../packages/core/src/util/json-lines.js';
import { LineSpans, LineStore } from '../../packages/core/src/util/line-store.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pm-line-store-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Lines of every length from empty to past the scan's chunk, in multi-byte text, so they cross block and chunk edges. */
function someLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(`${i}\t${'é€x'.repeat((i * 37) % 200)}`);
  lines.push('');
  lines.push('long\t' + 'ü'.repeat(700_000)); // 1.4 MB: longer than a scan chunk and read on its own
  lines.push('after the long line');
  return lines;
}

async function scan(file: string) {
  const spans = new LineSpans();
  const seen: string[] = [];
  const { store, complete } = await LineStore.open(file, (bytes, start, end, offset) => {
    spans.push(offset, end - start);
    seen.push(bytes.toString('utf8', start, end));
  });
  return { store, complete, spans, seen };
}

describe('LineStore', () => {
  it('scans every line with its offset, and reads each back by offset in any order', async () => {
    const lines = someLines();
    const file = path.join(scratch, 'lines.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { store, complete, spans, seen } = await scan(file);
    try {
      expect(complete).toBe(true);
      expect(seen).toEqual(lines);
      expect(spans.size).toBe(lines.length);
      // Backwards, then strided: every read goes through the block cache from another place.
      for (let i = lines.length - 1; i >= 0; i--) expect(store.line(spans.offset(i), spans.length(i))).toBe(lines[i]);
      for (let i = 0; i < lines.length; i += 7) expect(store.line(spans.offset(i), spans.length(i))).toBe(lines[i]);
      for (let i = 0; i < lines.length; i += 3) expect(store.bytes(spans.offset(i), spans.length(i)).toString('utf8')).toBe(lines[i]);
    } finally {
      await store.close();
    }
    expect(() => store.line(0, 1)).toThrow('closed');
  });

  it('copies lines as bytes into a LineFileWriter among lines of text, in order, byte for byte', async () => {
    const lines = someLines();
    const from = path.join(scratch, 'from.txt');
    writeFileSync(from, `${lines.join('\n')}\n`);
    const { store, spans } = await scan(from);
    const to = path.join(scratch, 'to.txt');
    const writer = new LineFileWriter(to);
    const expected: string[] = [];
    try {
      // Backwards, a line of text after every fifth copied one: text and bytes share chunks.
      for (let i = lines.length - 1; i >= 0; i--) {
        writer.addBytes(store.bytes(spans.offset(i), spans.length(i)));
        expected.push(lines[i]!);
        if (i % 5 === 0) {
          writer.add(`text ${i} ü`);
          expected.push(`text ${i} ü`);
        }
        if (writer.backlogged) await writer.drained();
      }
    } finally {
      await store.close();
    }
    await writer.commit();
    expect(readFileSync(to, 'utf8')).toBe(`${expected.join('\n')}\n`);
  });

  it('says a file without its last newline is not complete, and still hands over the last line', async () => {
    const file = path.join(scratch, 'cut.txt');
    writeFileSync(file, 'one\ntwo\nthr');
    const { store, complete, seen } = await scan(file);
    await store.close();
    expect(complete).toBe(false);
    expect(seen).toEqual(['one', 'two', 'thr']);
  });

  it('stops when the visitor says so, and rejects with ENOENT for a missing file', async () => {
    const file = path.join(scratch, 'stop.txt');
    writeFileSync(file, 'a\nb\nc\n');
    const seen: string[] = [];
    const { store, complete } = await LineStore.open(file, (bytes, start, end) => {
      seen.push(bytes.toString('utf8', start, end));
      return seen.length < 2;
    });
    await store.close();
    expect(complete).toBe(false);
    expect(seen).toEqual(['a', 'b']);
    await expect(LineStore.open(path.join(scratch, 'none.txt'), () => undefined)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
