#!/usr/bin/env node
// The end-to-end tests drive real peers: Chromium (browser claims), nghttp (pushes) and curl
// (103 Early Hints, Link). They come from Debian's packages, so that `pnpm test` works on a fresh
// machine that has only Node and npm, this installs the missing ones with apt-get when it can
// (as root, or through password-less sudo), and otherwise says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';

/** Command on PATH → the Debian package that provides it. */
const TOOLS = { chromium: 'chromium', nghttp: 'nghttp2-client', curl: 'curl', script: 'bsdutils' };

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(Object.entries(TOOLS).filter(([command]) => !onPath(command)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = isRoot ? [] : onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo'] : null;
if (!onPath('apt-get') || sudo === null) {
  console.error(`the end-to-end tests need ${missing.join(', ')}: install ${missing.length === 1 ? 'it' : 'them'} (Debian: apt-get install ${missing.join(' ')}) and run the tests again`);
  process.exit(1);
}

const run = (args) => {
  const [command, ...rest] = [...sudo, ...args];
  execFileSync(command, rest, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
};
console.error(`installing ${missing.join(', ')} for the end-to-end tests (apt-get)`);
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
