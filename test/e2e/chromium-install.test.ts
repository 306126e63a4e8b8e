/**
 * The packaged Chromium the browser test falls back to (test/support/chromium.ts):
 * unpacked once, atomically, whoever else is unpacking it at the same time.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findChromium, packagedChromium, untar } from '../support/chromium';

/** One tar entry: a 512-byte ustar header, then the content padded to 512 bytes. */
function entry(name: string, type: string, content = '', mode = 0o644): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write(mode.toString(8).padStart(7, '0'), 100);
  header.write(content.length.toString(8).padStart(11, '0'), 124);
  header.write(type, 156);
  header.write('ustar', 257);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body]);
}

describe('Function: untar', () => {
  let dest: string;
  beforeEach(() => {
    dest = mkdtempSync(path.join(tmpdir(), 'rez-untar-'));
  });
  afterEach(() => rmSync(dest, { recursive: true, force: true }));

  it('writes folders and files with their modes', () => {
    untar(
      Buffer.concat([entry('lib/', '5'), entry('lib/a.so', '0', 'x'.repeat(600), 0o755), Buffer.alloc(1024)]),
      dest,
    );
    expect(readFileSync(path.join(dest, 'lib/a.so'), 'utf8')).toBe('x'.repeat(600));
    expect(statSync(path.join(dest, 'lib/a.so')).mode & 0o777).toBe(0o755);
  });

  it('refuses an entry that would land outside the folder, and links', () => {
    expect(() => untar(entry('../evil', '0', 'x'), dest)).toThrow('tar entry "../evil" leaves');
    expect(() => untar(entry('lib/link.so', '2'), dest)).toThrow('has type "2"');
  });
});

describe('Function: packagedChromium', () => {
  it('unpacks once when asked twice at the same time, leaving one complete copy and no staging folder', async () => {
    // Prepare: an empty temporary folder, as on a fresh machine
    const fresh = mkdtempSync(path.join(tmpdir(), 'rez-chromium-race-'));
    try {
      // Act: both find nothing unpacked, both unpack, their writes interleave
      const [a, b] = await Promise.all([packagedChromium(fresh), packagedChromium(fresh)]);

      // Assess
      expect(a.executablePath).toBe(b.executablePath);
      expect(readdirSync(fresh)).toEqual([path.basename(path.dirname(a.executablePath))]);
      expect(statSync(a.executablePath).size).toBeGreaterThan(100 * 1024 * 1024);
      expect(readdirSync(a.env.LD_LIBRARY_PATH)).toEqual(
        expect.arrayContaining(['libnss3.so', 'libnspr4.so']),
      );
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('Function: findChromium', () => {
  it('takes CHROMIUM_PATH when it exists, and says so when it does not', async () => {
    await expect(findChromium({ CHROMIUM_PATH: process.execPath })).resolves.toMatchObject({
      executablePath: process.execPath,
      source: 'system',
    });
    await expect(findChromium({ CHROMIUM_PATH: '/nowhere/chromium' })).rejects.toThrow(
      'CHROMIUM_PATH is /nowhere/chromium, which does not exist',
    );
  });

  it('falls back to the packaged build where no system Chromium is installed', async () => {
    const found = await findChromium({ CHROMIUM_PATH: '' });
    const expected = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    })
      ? 'system'
      : (await packagedChromium()).source;
    expect(found.source).toBe(expected);
  });
});
