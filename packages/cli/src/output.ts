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

  const endProgress = () => {
    if (progressShown) {
      stderr.write('\r\x1b[2K');
      progressShown = false;
    }
  };
  const line = (text: string) => {
    endProgress();
    stderr.write(`${text}\n`);
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
        stderr.write(`\r\x1b[2K${message.slice(0, (stderr.columns || 80) - 1)}`);
        progressShown = true;
      } else {
        stderr.write(`${message}\n`);
      }
    },
    endProgress,
  };
}
