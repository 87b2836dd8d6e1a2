/**
 * `@push-manifest/core/bundle-loader`: the bundle step (`@push-manifest/core/bundle`), loaded when
 * a build needs it. A bundler loads its config, and with it every plugin module, before it starts
 * building; the step's modules (zod for the options, parse5 and css-tree for the crawl) cost more
 * to load than a plugin's hook costs to run, and a config is also imported where nothing is
 * built (`vite dev`). A plugin imports only this module, starts the load once a build has
 * started, and awaits it where it needs it.
 *
 * Only types are imported statically here: importing this module loads nothing else.
 */
import type { ResolvedBundleOptions } from './options.js';

/** The `@push-manifest/core/bundle` module. */
export type BundleStep = typeof import('./index.js');

/** One plugin instance's lazily loaded bundle step and options. Each part starts loading on its first call. */
export interface BundleStepLoader {
  /**
   * The plugin's options, validated with zod (loaded on the first call). Rejects with
   * PushManifestError `BAD_OPTION` naming the plugin and the option, as `resolveBundleOptions` throws.
   */
  options(): Promise<ResolvedBundleOptions>;
  /** The bundle step's module (loaded on the first call, with the crawler and its parsers). */
  step(): Promise<BundleStep>;
}

/**
 * A loader for one plugin instance: `plugin` names the plugin in option errors, `raw` is the
 * options as the user passed them. Nothing loads until {@link BundleStepLoader.options} or
 * {@link BundleStepLoader.step} is first called; later calls return the same promise.
 */
export function bundleStepLoader(plugin: string, raw: unknown): BundleStepLoader {
  let options: Promise<ResolvedBundleOptions> | undefined;
  let step: Promise<BundleStep> | undefined;
  return {
    options() {
      options ??= started(import('./options.js').then((module) => module.resolveBundleOptions(plugin, raw)));
      return options;
    },
    step() {
      step ??= started(import('./index.js'));
      return step;
    },
  };
}

/**
 * A promise a plugin may start in one hook and await in a later one: a bad option rejects it
 * in between, which Node must not take for an unhandled rejection (it would end the process
 * instead of failing the build). The caller that awaits it still sees the rejection.
 */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
