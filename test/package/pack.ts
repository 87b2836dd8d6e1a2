/**
 * Pack the workspace's packages as they would be published (`pnpm pack`: `workspace:*` becomes the
 * real version, `files` decides what ships) and install the tarballs with npm into a fresh project
 * outside the repository. One install per test run; npm fetches the packages' own dependencies
 * from the registry through its shared cache (`~/.npm`, or `npm_config_cache`).
 *
 * A new package (a bundler plugin) is included by adding its folder name to {@link PACKAGES}.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;

/** Folders under packages/ that are published, in dependency order. */
export const PACKAGES = ['core', 'cli'];

/** Extra npm packages the temp project installs: types for the tsc check, optional peers our subpaths need. */
const EXTRA_DEPENDENCIES = ['@types/node@^20.19.0', 'fastify@^5.0.0'];

/** One packed package. */
export interface PackedPackage {
  /** Folder name under packages/. */
  dir: string;
  /** Its package.json. */
  manifest: { name: string; version: string; exports?: Record<string, unknown>; bin?: Record<string, string> };
  /** The tarball. */
  tarball: string;
}

/**
 * npm in a child must not see the variables pnpm sets for its scripts (`npm_config_user_agent`,
 * `npm_package_*`, …): they would make it act as if inside the repo's workspace.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_') || keep.has(key.toLowerCase())));
}

/** `pnpm pack` every package of {@link PACKAGES} into `dest`. The packages must be built. */
export async function packAll(dest: string): Promise<PackedPackage[]> {
  await mkdir(dest, { recursive: true });
  const packed: PackedPackage[] = [];
  for (const dir of PACKAGES) {
    const cwd = join(repo, 'packages', dir);
    const before = new Set(await readdir(dest));
    await run('npx', ['-y', 'pnpm@10.34.8', 'pack', '--pack-destination', dest], { cwd, env: cleanEnv(), timeout: 120_000 });
    const made = (await readdir(dest)).filter((name) => name.endsWith('.tgz') && !before.has(name));
    if (made.length !== 1) throw new Error(`pnpm pack in packages/${dir} made ${made.length} tarballs`);
    packed.push({ dir, manifest: JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')), tarball: join(dest, made[0]!) });
  }
  return packed;
}

/** A temp project with the tarballs installed by npm. */
export interface InstalledProject {
  dir: string;
  packages: PackedPackage[];
  /** Run a command in the project (no shell), with npm's child environment. */
  exec(command: string, args: string[], options?: { timeout?: number }): Promise<{ stdout: string; stderr: string }>;
}

/** Pack everything and `npm install` the tarballs into a new project under the OS temp folder. */
export async function installPacked(): Promise<InstalledProject> {
  const base = await mkdtemp(join(tmpdir(), 'pm-install-'));
  const packages = await packAll(join(base, 'tarballs'));
  const dir = join(base, 'project');
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'pm-install-test', private: true, type: 'module' }, null, 2)}\n`);
  const env = cleanEnv();
  const exec = async (command: string, args: string[], options: { timeout?: number } = {}) =>
    run(command, args, { cwd: dir, env: { ...env, NO_COLOR: '1' }, timeout: options.timeout ?? 60_000, maxBuffer: 16 << 20 });
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packages.map((p) => p.tarball), ...EXTRA_DEPENDENCIES], {
    timeout: 300_000,
  });
  return { dir, packages, exec };
}
