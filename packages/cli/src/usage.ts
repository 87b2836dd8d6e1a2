/**
 * How every command reports a usage error and lists its options' valid values. A command's
 * registration in main.ts passes through {@link withUsage}; an option that takes a
 * comma-separated list of known words is made with {@link listOption}.
 */
import { existsSync, statSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, ExitError } from './exit.js';

/** The line that ends every usage error of `command`. */
export const seeHelp = (command: string): string => `(see push-manifest ${command} --help)`;

/**
 * A usage error raised by a command body (a flag value out of range, flags that do not go
 * together): exit 2, and the message is followed by {@link seeHelp}.
 */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(EXIT.USAGE, message);
  }
}

/**
 * Make a command print a usage error as one line plus `(see push-manifest <cmd> --help)`,
 * rather than commander's default of the whole help after the error. Returns the command.
 */
export function withUsage(command: Command): Command {
  return command.showHelpAfterError(false).configureOutput({
    outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')} ${seeHelp(command.name())}\n`),
  });
}

/**
 * An option that takes a comma-separated list of `values`: checked when the command line is
 * parsed (the error names the bad word and the valid ones), and `--help` lists every value.
 * The parsed value stays the string as given, so a command's flag types do not change.
 */
export function listOption(flags: string, description: string, values: readonly string[]): Option {
  return new Option(flags, `${description} (values: ${values.join(', ')})`).argParser((value: string) => {
    const words = value.split(',').map((word) => word.trim().toLowerCase()).filter(Boolean);
    const bad = words.find((word) => !values.includes(word));
    if (bad !== undefined) {
      const near = closest(bad, values);
      throw new InvalidArgumentError(`unknown value "${bad}"${near ? ` (did you mean ${near}?)` : ''}; expected a comma-separated list of ${values.join(', ')}.`);
    }
    return value;
  });
}

/**
 * A hint for a folder given as a positional argument where `--root` was meant (`generate dist`):
 * `did you mean --root dist?`, or undefined when `arg` is not an existing folder.
 */
export function rootHint(arg: string | undefined): string | undefined {
  if (arg === undefined) return undefined;
  try {
    return existsSync(arg) && statSync(arg).isDirectory() ? `did you mean --root ${arg}?` : undefined;
  } catch {
    return undefined;
  }
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Commander's own rule of thumb: at most 40% of the word may differ.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length * 0.4)) ? best : undefined;
}

/** Damerau–Levenshtein (optimal string alignment): a swap of two neighbours (`tpyes`) costs 1. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
