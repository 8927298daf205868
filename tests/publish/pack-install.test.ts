// Publishing single packages: pack @kmos/abi-driver and a plugin exactly as `pnpm publish` would (workspace:
// ranges rewritten to real ones), install the tarballs with npm into an empty project outside the workspace,
// and use them there. The oracle is npm and Node themselves: if the tarballs lack a file, an export or a
// dependency, the install or the import fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKED = ['abi-driver', 'console-stdio', 'mm-buddy'];

let project = '';

/** The ABI version the workspace source declares: the tarball must carry the same. */
function sourceAbiVersion(): string {
  const source = readFileSync(join(root, 'packages/abi-driver/src/version.ts'), 'utf8');
  const m = /export const ABI_VERSION = '([^']+)'/.exec(source);
  if (m === null) throw new Error('ABI_VERSION not found in packages/abi-driver/src/version.ts');
  return m[1];
}

function pack(folder: string, into: string): string {
  execFileSync('pnpm', ['pack', '--pack-destination', into], {
    cwd: join(root, 'packages', folder),
    stdio: 'pipe',
  });
  const tarball = readdirSync(into).find((f) => f.startsWith(`kmos-${folder}-`) && f.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack left no tarball for ${folder}`);
  return join(into, tarball);
}

function node(script: string): string {
  writeFileSync(join(project, 'check.mjs'), script);
  return execFileSync(process.execPath, ['check.mjs'], { cwd: project, encoding: 'utf8' });
}

beforeAll(() => {
  const tarballs = mkdtempSync(join(tmpdir(), 'kmos-tarballs-'));
  const packed = PACKED.map((folder) => pack(folder, tarballs));
  project = mkdtempSync(join(tmpdir(), 'kmos-consumer-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...packed], {
    cwd: project,
    stdio: 'pipe',
  });
}, 180_000);

describe('packages installed from their tarballs', () => {
  it('give the ABI version and its constants', () => {
    const out = node(`import { ABI_VERSION, PAGE_SIZE, RunExit } from '@kmos/abi-driver';
      console.log(JSON.stringify({ ABI_VERSION, PAGE_SIZE, syscall: RunExit.Syscall }));`);
    expect(JSON.parse(out)).toEqual({ ABI_VERSION: sourceAbiVersion(), PAGE_SIZE: 4096, syscall: 1 });
  });

  it('give a console plugin that writes to the streams it is given', () => {
    const out = node(`import { PassThrough } from 'node:stream';
      import plugin, { createStdioConsole } from '@kmos/console-stdio';
      const output = new PassThrough(); const chunks = [];
      output.on('data', (c) => chunks.push(c));
      const console_ = createStdioConsole({ input: new PassThrough(), output });
      console_.write(new TextEncoder().encode('hello from a tarball'));
      setImmediate(() => console.log(JSON.stringify({ kind: plugin.kind, abi: plugin.abi, text: Buffer.concat(chunks).toString() })));`);
    expect(JSON.parse(out)).toEqual({ kind: 'console', abi: '^1.0.0', text: 'hello from a tarball' });
  });

  it('give a page allocator that hands out and takes back frames of a RAM it is given', () => {
    const out = node(`import buddy from '@kmos/mm-buddy';
      const buffer = new ArrayBuffer(4 << 20);
      const memory = { sizeBytes: buffer.byteLength, buffer, u8: new Uint8Array(buffer), u16: new Uint16Array(buffer), u32: new Uint32Array(buffer), i32: new Int32Array(buffer) };
      const log = { debugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };
      const pages = buddy.create({ memory, firstFrame: 0, frameCount: 1024, log, options: {}, panic: (m) => { throw new Error(m); } });
      const before = pages.stats().freePages;
      const a = pages.allocPages(3), b = pages.allocPages(0);
      const during = pages.stats().freePages;
      pages.freePages(a, 3); pages.freePages(b, 0);
      console.log(JSON.stringify({ kind: buddy.kind, before, during, after: pages.stats().freePages, aligned: a % (8 * 4096) === 0 }));`);
    expect(JSON.parse(out)).toEqual({
      kind: 'page-allocator',
      before: 1024,
      during: 1024 - 9,
      after: 1024,
      aligned: true,
    });
  });
});
