/**
 * Headless Chromium for UI tests, through playwright-core with the system's Chromium (Debian package `chromium`),
 * so no browser download is involved. A missing browser is an error that says how to install it, never a skip:
 * a UI test that silently does not run proves nothing.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { findBinary } from './proc';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  for (const candidate of [fromEnv, ...CANDIDATES].filter((c): c is string => Boolean(c))) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  const onPath = findBinary('chromium') ?? findBinary('chromium-browser');
  if (onPath) return onPath;
  throw new Error(
    'Chromium not found (looked at CHROMIUM_PATH, /usr/bin/chromium, chromium on PATH). The UI tests need it: ' +
      'run `npm run toolchain` as root (installs the Debian package), or `sudo apt-get install -y chromium`, ' +
      'or set CHROMIUM_PATH to a Chromium/Chrome binary.',
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}
