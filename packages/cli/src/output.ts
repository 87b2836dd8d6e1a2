import { styleText } from 'node:util';

/** Where a command talks to people (stderr) and where it writes data (stdout). */
export interface Output {
  /** Data for programs: a manifest, a `--json` summary. The only thing that goes to stdout. */
  data(text: string): void;
  /** A step a person may want to see; hidden by `--quiet`. */
  info(message: string): void;
  /** Detail for `--verbose` only. */
  verbose(message: string): void;
  /** Something the user should look at; the task still succeeded. Hidden by `--quiet`. */
  warn(message: string): void;
  /** Why the task failed. Always shown. */
  error(message: string): void;
  /**
   * A live progress line: rewritten in place on a TTY, a plain line per call elsewhere
   * (CI logs want phases, not carriage returns), nothing under `--quiet`.
   */
  progress(message: string): void;
  /** Clear a live progress line before other output or exit. */
  endProgress(): void;
  /** Lines a screenful of stderr holds (the terminal's height on a TTY, 24 elsewhere). */
  readonly rows: number;
}

/** How chatty a command is. */
export interface OutputOptions {
  quiet?: boolean;
  verbose?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

type Style = Parameters<typeof styleText>[0];

/** Build the {@link Output} for one command run. Colours only where the stream can show them and `NO_COLOR` is unset. */
export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  // hasColors() honours NO_COLOR, FORCE_COLOR and TERM; Node 20's styleText does not check itself.
  const colour = typeof stderr.hasColors === 'function' && stderr.isTTY === true && stderr.hasColors();
  const paint = (style: Style, text: string) => (colour ? styleText(style, text) : text);
  const live = stderr.isTTY === true && !process.env.CI;
  let progressShown = false;
  let progressText = '';

  const drawProgress = () => {
    stderr.write(`\r\x1b[2K${progressText.slice(0, (stderr.columns || 80) - 1)}`);
    progressShown = true;
  };
  const endProgress = () => {
    if (progressShown) {
      stderr.write('\r\x1b[2K');
      progressShown = false;
    }
  };
  // A line printed during a live progress line goes above it: the progress stays at the bottom.
  const line = (text: string) => {
    const redraw = progressShown;
    endProgress();
    stderr.write(`${text}\n`);
    if (redraw) drawProgress();
  };

  return {
    data: (text) => {
      stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    info: (message) => {
      if (!options.quiet) line(message);
    },
    verbose: (message) => {
      if (options.verbose && !options.quiet) line(paint('gray', message));
    },
    warn: (message) => {
      if (!options.quiet) line(`${paint('yellow', 'warning')} ${message}`);
    },
    error: (message) => line(`${paint('red', 'error')} ${message}`),
    progress: (message) => {
      if (options.quiet) return;
      if (live) {
        progressText = message;
        drawProgress();
      } else {
        stderr.write(`${message}\n`);
      }
    },
    endProgress,
    rows: stderr.isTTY === true && stderr.rows > 0 ? stderr.rows : 24,
  };
}

/** What people call each kind of crawl warning, by its code; other codes are shown as they are. */
const KIND_NAMES: Record<string, string> = {
  MISSING: 'missing files',
  OUTSIDE_ROOT: 'references out of the root',
  CSS_PARSE: 'malformed CSS',
  HTML_TRUNCATED: 'malformed HTML',
  JS_PARSE: 'unparsable JavaScript',
  BAD_URL: 'bad URLs',
  BAD_SRCSET: 'bad srcset',
  BAD_PRELOAD_AS: 'bad preload as=',
  NOT_UTF8: 'files not in UTF-8',
  UNREADABLE: 'unreadable files',
  NOT_A_FILE: 'not files',
  IMPORT_IGNORED: 'imports not followed',
};

/** A stream of warnings, summarised for people: see {@link createWarningSummary}. */
export interface WarningSummary {
  /** One warning of kind `code`, as its printed line. */
  add(code: string, text: string): void;
  /** Print the counts of what was not shown (call once, after the last warning). */
  finish(): void;
}

/**
 * Warnings as a person can read them. `--verbose`: every one. Otherwise at most a screenful: the
 * first few of each kind, then, at the end, one line per kind counting the rest, and where to get
 * them all. The same on a TTY and in a CI log (a log is read by a person too).
 */
export function createWarningSummary(out: Output, options: { verbose?: boolean; perKind?: number } = {}): WarningSummary {
  const perKind = options.perKind ?? 3;
  // Room for the shown warnings, the per-kind counts, the hint and the result line.
  const budget = Math.max(6, out.rows - 12);
  const kinds = new Map<string, { shown: number; hidden: number }>();
  let shown = 0;
  return {
    add(code, text) {
      let kind = kinds.get(code);
      if (!kind) kinds.set(code, (kind = { shown: 0, hidden: 0 }));
      if (options.verbose || (kind.shown < perKind && shown < budget)) {
        kind.shown++;
        shown++;
        out.warn(text);
      } else {
        kind.hidden++;
      }
    },
    finish() {
      const hidden = [...kinds].filter(([, kind]) => kind.hidden > 0).sort(([, a], [, b]) => b.hidden - a.hidden);
      if (hidden.length === 0) return;
      for (const [code, kind] of hidden) {
        out.warn(`… ${kind.hidden.toLocaleString('en')} more: ${KIND_NAMES[code] ?? code} (${(kind.shown + kind.hidden).toLocaleString('en')} in all)`);
      }
      out.warn('(--verbose prints every warning; --warnings <file.json> writes them all as data)');
    },
  };
}
