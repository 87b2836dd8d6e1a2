import { spawn } from 'node:child_process';

const cli = new URL('../../packages/cli/dist/main.js', import.meta.url).pathname;

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI with arguments, in `cwd`, without a TTY and without colours. */
export function runCli(args: string[], cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Absolute path of a file under fixtures/manifests. */
export const manifestFixture = (name: string): string => new URL(`../../fixtures/manifests/${name}`, import.meta.url).pathname;
