/**
 * The Chromium the browser test drives through playwright-core: Debian's
 * (/usr/bin/chromium) where it is installed, otherwise the headless Chromium
 * that ships compressed inside the @sparticuz/chromium npm package, so that
 * `npm install && npm test` needs nothing from apt.
 *
 * The packaged build is unpacked once per package version into
 * `<tmpdir>/rez-chromium-<version>` and reused by later runs. Each unpacking
 * happens in a staging folder of its own that is renamed into place only when
 * complete, so Jest workers or test runs starting at once never see a half
 * written binary: the first rename wins and the others drop their copy.
 * Besides glibc and libgcc_s (in every Debian), the binary needs NSS, NSPR
 * and expat; the package carries them (bin/al2023.tar.br) and they are
 * unpacked beside it and put on LD_LIBRARY_PATH, so a bare Debian needs none
 * of them installed.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian (and Ubuntu) install Chromium; CHROMIUM_PATH overrides. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export interface ChromiumInstall {
  executablePath: string;
  /** 'system' or 'packaged (@sparticuz/chromium <version>)'. */
  source: string;
  /** Environment the binary needs on top of the test's own. */
  env: Record<string, string>;
}

/**
 * Extracts the regular files and folders of a tar archive into `dest`. The
 * packaged archives hold nothing else; anything else is refused, as is a path
 * that would leave `dest`.
 */
export function untar(tar: Buffer, dest: string): void {
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0[\s\S]*$/, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const target = path.resolve(dest, name);
    if (path.relative(dest, target).startsWith('..')) throw new Error(`tar entry "${name}" leaves ${dest}`);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === '5') mkdirSync(target, { recursive: true });
    else if (type === '0') {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, body, { mode: Number.parseInt(field(100, 8), 8) & 0o777 });
    } else if (type !== 'x' && type !== 'g') {
      // pax headers (x, g) only carry metadata; links and devices are not expected here.
      throw new Error(`tar entry "${name}" has type "${type}", which this extractor does not handle`);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}

/** Unpacks @sparticuz/chromium into `<root>/rez-chromium-<version>` unless a complete copy is there. */
export async function packagedChromium(root: string = tmpdir()): Promise<ChromiumInstall> {
  const packageDir = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '../..');
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'));
  const home = path.join(root, `rez-chromium-${version}`);
  const install = {
    executablePath: path.join(home, 'chromium'),
    source: `packaged (@sparticuz/chromium ${version})`,
    env: { LD_LIBRARY_PATH: path.join(home, 'lib'), FONTCONFIG_PATH: path.join(home, 'fonts') },
  };
  if (existsSync(install.executablePath)) return install;

  const bin = path.join(packageDir, 'bin');
  const staging = await mkdtemp(`${home}.staging-`);
  try {
    await pipeline(
      createReadStream(path.join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(path.join(staging, 'chromium'), { mode: 0o755 }),
    );
    // lib/: libnss3, libnspr4, libexpat and friends, built for Amazon Linux 2023 (glibc 2.34).
    untar(brotliDecompressSync(await readFile(path.join(bin, 'al2023.tar.br'))), staging);
    // fonts/fonts/Open_Sans, with a fontconfig file that points at this copy, not at /tmp/fonts.
    untar(brotliDecompressSync(await readFile(path.join(bin, 'fonts.tar.br'))), path.join(staging, 'fonts'));
    writeFileSync(
      path.join(staging, 'fonts', 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${path.join(home, 'fonts', 'fonts')}</dir>\n  <cachedir>${path.join(home, 'fonts', 'cache')}</cachedir>\n</fontconfig>\n`,
    );
    await rename(staging, home).catch((error: NodeJS.ErrnoException) => {
      // Another run finished first: its copy is complete, ours is dropped below.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return install;
}

/** The system Chromium if there is one (CHROMIUM_PATH, then Debian's), else the packaged one. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumInstall> {
  const candidates = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : SYSTEM_CHROMIUM;
  const system = candidates.find((file) => existsSync(file));
  if (system) return { executablePath: system, source: 'system', env: {} };
  if (env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist`);
  return packagedChromium();
}

/**
 * Launches headless Chromium for a test.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 */
export async function launchChromium(): Promise<Browser> {
  const install = await findChromium();
  return chromium.launch({
    executablePath: install.executablePath,
    env: { ...process.env, ...install.env } as Record<string, string>,
    args: [
      '--headless',
      '--no-sandbox',
      '--no-zygote',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
