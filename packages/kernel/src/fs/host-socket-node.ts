/**
 * Making a socket file on the host for hostfs's mknod(S_IFSOCK) (bind of an AF_UNIX pathname). Node has no
 * mknod, but binding a listening pipe server makes a socket inode: hostfs binds one under a temporary
 * name in the same directory, hard-links the wanted name to it and closes the server, whose close removes
 * only the temporary name. What stays is a socket file no host process listens on; the kmOS kernel keeps
 * the binding itself (net/unix/unix-namespace.ts). A directory too long for sun_path is entered first, so
 * the temporary name is short. Layer: kernel VFS (hostfs).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as nodePath from 'node:path';
import { EIO } from '@kmos/abi-linux';
import { fsError } from './fs-error.js';
import { onHost } from './host-errno.js';

/** The longest sun_path a host bind takes, less its NUL. */
const SUN_PATH_MAX = 107;
let serial = 0;

export function makeHostSocketNode(path: string, perm: number): void {
  const dir = nodePath.dirname(path);
  const temp = `.kmos-socket-${process.pid}-${serial++}`;
  const direct = nodePath.join(dir, temp);
  if (Buffer.byteLength(direct) <= SUN_PATH_MAX) {
    bindAndLink(direct, path, perm);
    return;
  }
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    bindAndLink(temp, path, perm);
  } finally {
    process.chdir(cwd);
  }
}

function bindAndLink(temp: string, path: string, perm: number): void {
  const server = net.createServer();
  server.on('error', () => {});
  // The bind happens inside listen(), synchronously; only its events come later.
  server.listen({ path: temp, backlog: 0 });
  try {
    if (!fs.lstatSync(temp, { throwIfNoEntry: false })?.isSocket())
      throw fsError(EIO, 'hostfs: socket bind failed');
    onHost('mknod', () => fs.linkSync(temp, path));
  } finally {
    server.close();
  }
  onHost('chmod', () => fs.chmodSync(path, perm));
}
