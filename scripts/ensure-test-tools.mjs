#!/usr/bin/env node
// The end-to-end tests drive real peers: Chromium (browser claims), nghttp (pushes) and curl
// (103 Early Hints, Link). They come from Debian's packages, so that `pnpm test` works on a fresh
// machine that has only Node and npm, this installs the missing ones with apt-get when it can
// (as root, or through password-less sudo), and otherwise says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Command on PATH → the Debian package that provides it. */
const TOOLS = {
  chromium: 'chromium',
  nghttp: 'nghttp2-client',
  curl: 'curl',
  // The export and inspect tests check exported configs and live servers with the real ones.
  nginx: 'nginx',
  apache2ctl: 'apache2',
  h2o: 'h2o',
  caddy: 'caddy',
  // The warnings summary is tested on a real terminal under script(1).
  script: 'bsdutils',
};

// Servers live in /usr/sbin, which is not on every user's PATH.
const onPath = (command) =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0 || existsSync(`/usr/sbin/${command}`);
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
// nginx, apache2, h2o and caddy start a system service on port 80/443 when installed; the tests
// start their own on free loopback ports. policy-rc.d exiting 101 tells invoke-rc.d not to start
// any service during the install (Debian policy §9.3.3); removed again if we made it.
const policy = '/usr/sbin/policy-rc.d';
const madePolicy = !existsSync(policy);
if (madePolicy) run(['sh', '-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod 755 ${policy}`]);
try {
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
} finally {
  if (madePolicy) run(['rm', '-f', policy]);
}
