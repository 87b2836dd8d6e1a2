/**
 * The multi-page fixture as webpack 5 (html-webpack-plugin, mini-css-extract-plugin, asset
 * modules) and Rspack (its built-in HtmlRspackPlugin and CssExtractRspackPlugin) configs, and a
 * promise-returning build.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import webpack from 'webpack';
import { rspack } from '@rspack/core';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import MiniCssExtractPlugin from 'mini-css-extract-plugin';
import { PushManifestPlugin, type PushManifestPluginOptions } from '@push-manifest/webpack';
import { APP } from './apps.js';

/** Loaders by absolute path: the watch test builds a copy of the app outside the repository. */
const cssLoader = createRequire(import.meta.url).resolve('css-loader');

export type Bundler = 'webpack' | 'rspack';

/** The shared part of both configs: two entries, a shared initial chunk, a runtime chunk, hashed names. */
function common(app: string, outDir: string) {
  return {
    mode: 'production' as const,
    context: app,
    entry: { home: './src/home.js', about: './src/about.js' },
    output: {
      path: outDir,
      filename: '[name].[contenthash:8].js',
      chunkFilename: '[name].[contenthash:8].chunk.js',
      assetModuleFilename: '[name].[contenthash:8][ext]',
      publicPath: 'auto',
      clean: true,
    },
    devtool: 'source-map' as const,
    optimization: {
      minimize: false,
      runtimeChunk: 'single' as const,
      splitChunks: { cacheGroups: { shared: { name: 'shared', chunks: 'initial' as const, minChunks: 2, enforce: true } } },
    },
    infrastructureLogging: { level: 'error' as const },
    stats: 'none' as const,
  };
}

/** The config of one bundler; `app` is the fixture folder (a copy of it for the watch test). */
/** A config of either bundler, as the tests change it. */
export type AppConfig = ReturnType<typeof common> & { module: { rules: object[] }; plugins: object[] };

export function appConfig(bundler: Bundler, outDir: string, options: PushManifestPluginOptions = {}, app = APP): AppConfig {
  const base = common(app, outDir);
  const font = { test: /\.woff2$/, type: 'asset', parser: { dataUrlCondition: { maxSize: 4096 } } };
  const pages = [
    { template: join(app, 'templates/index.html'), filename: 'index.html', chunks: ['home'] },
    { template: join(app, 'templates/about.html'), filename: 'about.html', chunks: ['about'] },
  ];
  const css = { filename: '[name].[contenthash:8].css', chunkFilename: '[name].[contenthash:8].chunk.css' };
  if (bundler === 'webpack') {
    return {
      ...base,
      module: { rules: [{ test: /\.css$/, use: [MiniCssExtractPlugin.loader, cssLoader] }, font] },
      plugins: [...pages.map((page) => new HtmlWebpackPlugin(page)), new MiniCssExtractPlugin(css), new PushManifestPlugin(options)],
    };
  }
  return {
    ...base,
    module: { rules: [{ test: /\.css$/, use: [rspack.CssExtractRspackPlugin.loader, cssLoader], type: 'javascript/auto' }, font] },
    plugins: [...pages.map((page) => new rspack.HtmlRspackPlugin(page)), new rspack.CssExtractRspackPlugin(css), new PushManifestPlugin(options)],
  };
}

/** Build once; resolves with the compilation's warnings, rejects with its errors. */
export async function build(bundler: Bundler, config: AppConfig): Promise<string[]> {
  const compiler = bundler === 'webpack' ? webpack(config as unknown as webpack.Configuration) : rspack(config as unknown as Parameters<typeof rspack>[0]);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      compiler.run((error, stats) => {
        if (error) return reject(error);
        const json = stats!.toJson({ all: false, errors: true, warnings: true });
        if (stats!.hasErrors()) return reject(new Error((json.errors ?? []).map((e) => e.message).join('\n')));
        resolve((json.warnings ?? []).map((w) => w.message));
      });
    });
  } finally {
    await new Promise<void>((resolve) => compiler.close(() => resolve()));
  }
}
