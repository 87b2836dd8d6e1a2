/**
 * Loading `push-manifest.config.{js,mjs,json}`: from `--config`, or the first of those names in
 * the current folder. Paths in it are relative to the config file's folder.
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_KEYS, PushManifestError, pushManifestConfigSchema, type PushManifestConfig } from '@push-manifest/core';
import { closest } from './usage.js';

/** Names looked for in the current folder, in this order. */
export const CONFIG_NAMES = ['push-manifest.config.js', 'push-manifest.config.mjs', 'push-manifest.config.json'];

/** A loaded config and where it came from. */
export interface LoadedConfig {
  file?: string;
  config: PushManifestConfig;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Validate a loaded config with core's zod schema, as strictly as the flags: the first problem
 * becomes one line naming the file and the key (`unknown key "tpyes" (did you mean "types"?)`).
 */
function checkConfig(value: object, file: string): PushManifestConfig {
  const parsed = pushManifestConfigSchema.safeParse(value);
  if (parsed.success) return { ...(parsed.data as PushManifestConfig) };
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const near = closest(key, CONFIG_KEYS);
    const hint = near ? `did you mean "${near}"?` : `valid keys: ${CONFIG_KEYS.join(', ')}`;
    throw new PushManifestError('BAD_INPUT', `${file}: unknown key "${key}" (${hint})`, { file });
  }
  const where = issue.path.map(String).join('.');
  throw new PushManifestError('BAD_INPUT', `${file}: ${where ? `"${where}": ` : ''}${issue.message}`, { file });
}

/** Load the config named by `--config`, or the default one in `cwd`; `{ config: {} }` when there is none. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  let file: string | undefined;
  if (explicit !== undefined) {
    file = resolve(cwd, explicit);
    if (!(await exists(file))) throw new PushManifestError('ENOENT', `config file ${explicit} does not exist`, { file: explicit });
  } else {
    for (const name of CONFIG_NAMES) {
      const candidate = resolve(cwd, name);
      if (await exists(candidate)) {
        file = candidate;
        break;
      }
    }
  }
  if (file === undefined) return { config: {} };

  let value: unknown;
  if (extname(file) === '.json') {
    const text = await readFile(file, 'utf8');
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new PushManifestError('BAD_INPUT', `${file}: not valid JSON (${(error as Error).message})`, { file });
    }
  } else {
    try {
      const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
      value = module.default;
    } catch (error) {
      throw new PushManifestError('BAD_INPUT', `${file}: cannot load it (${(error as Error).message.split('\n')[0]})`, { file });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PushManifestError('BAD_INPUT', `${file}: the config must be an object (export default defineConfig({...}))`, { file });
  }
  const config = checkConfig(value, file);
  const folder = dirname(file);
  if (typeof config.root === 'string') config.root = resolve(folder, config.root);
  if (typeof config.out === 'string' && config.out !== '-') config.out = resolve(folder, config.out);
  if (typeof config.cacheDir === 'string') config.cacheDir = resolve(folder, config.cacheDir);
  return { file, config };
}
