/**
 * Test support: parses struct linux_dirent64 records as a C program would (by d_reclen), independently of
 * the encoder in directory-file.ts, and reads whole directories and files through the VFS.
 * Layer: kernel VFS tests only.
 */
import { O_DIRECTORY, O_RDONLY } from '@kmos/abi-linux';
import type { OpenFile } from '../open-file.js';
import type { PathContext } from '../path-walk.js';
import type { Vfs } from '../vfs.js';
import { isWouldBlock } from '../would-block.js';

export interface ParsedDirent {
  readonly ino: bigint;
  readonly off: bigint;
  readonly reclen: number;
  readonly type: number;
  readonly name: string;
}

export function parseDirents(buf: Uint8Array, length: number): ParsedDirent[] {
  const view = new DataView(buf.buffer, buf.byteOffset, length);
  const out: ParsedDirent[] = [];
  for (let at = 0; at < length; ) {
    const reclen = view.getUint16(at + 16, true);
    let end = at + 19;
    while (buf[end] !== 0) end++;
    const name = String.fromCharCode(...buf.subarray(at + 19, end));
    out.push({
      ino: view.getBigUint64(at, true),
      off: view.getBigInt64(at + 8, true),
      reclen,
      type: buf[at + 18],
      name,
    });
    at += reclen;
  }
  return out;
}

export async function readDirAll(file: OpenFile, bufBytes = 4096): Promise<ParsedDirent[]> {
  const buf = new Uint8Array(bufBytes);
  const all: ParsedDirent[] = [];
  for (;;) {
    const n = await file.getdents64(buf);
    if (n === 0) return all;
    all.push(...parseDirents(buf, n));
  }
}

export async function listDir(vfs: Vfs, ctx: PathContext, path: string): Promise<string[]> {
  const file = await vfs.open(ctx, null, path, O_RDONLY | O_DIRECTORY);
  try {
    return (await readDirAll(file)).map((d) => d.name);
  } finally {
    await file.close();
  }
}

export async function readAll(file: OpenFile): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buf = new Uint8Array(1000);
  for (;;) {
    const n = await file.read(buf);
    if (isWouldBlock(n)) throw new Error('read would block');
    if (n === 0) return Uint8Array.from(chunks);
    chunks.push(...buf.subarray(0, n));
  }
}
