#!/usr/bin/env node
// The `push-manifest` bin. A file of its own, committed, rather than dist/main.js itself: a package
// manager links a bin only if its file exists at install time, and in a fresh clone of the
// workspace `dist/` does not exist until the first build.
try {
  await import('../dist/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    console.error('push-manifest: not built yet; run `npx -y pnpm@10.34.8 build` in the repository first');
    process.exitCode = 2;
  } else {
    throw error;
  }
}
