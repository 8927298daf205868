/**
 * Where AF_UNIX names live. Abstract names are a table of their own (one per kernel, as Linux's per network
 * namespace). A pathname name is a socket inode that bind makes with mknod(S_IFSOCK) in whatever filesystem
 * holds the path (tmpfs, or the host's, where it is a real socket file); the table maps that inode (device
 * and number) to the bound socket, so connect finds it by walking the path like open does — following
 * symlinks, needing write permission — and a file left after its socket closed refuses connections.
 * Layer: kernel net (AF_UNIX), over the VFS.
 */
import {
  AT_EACCESS,
  EADDRINUSE,
  ECONNREFUSED,
  EEXIST,
  EINVAL,
  S_IFMT,
  S_IFSOCK,
  W_OK,
} from '@kmos/abi-linux';
import type { PathContext } from '../../fs/path-walk.js';
import type { Vfs } from '../../fs/vfs.js';
import { KernelError } from '../../kernel-error.js';
import { abstractAddress, type UnixAddress } from './unix-address.js';

/** What the namespace holds: any bound socket (the table does not care about its kind). */
export interface Bindable {
  name: UnixAddress | null;
}

/** Autobind names are five hex digits (Linux's "%05x"); there are this many. */
const AUTOBIND_NAMES = 0x100000;
const SOCKET_PERMISSIONS = 0o777;

export class UnixNamespace<S extends Bindable = Bindable> {
  private readonly abstract = new Map<string, S>();
  private readonly inodes = new Map<string, S>();
  /** The inode key each pathname-bound socket holds, for unbinding. */
  private readonly inodeOf = new Map<S, string>();
  private nextAutobind = 1;

  constructor(private readonly vfs: Vfs) {}

  /**
   * Binds `socket` to `address`: EADDRINUSE when the name is taken, EINVAL when the socket has a name.
   * For a pathname the socket file comes first, as in Linux (the path existing is EADDRINUSE even for a
   * bound socket; a bound socket's new file is removed again).
   */
  async bind(socket: S, address: UnixAddress, ctx: PathContext): Promise<void> {
    if (address.kind === 'abstract') {
      if (socket.name) throw new KernelError(EINVAL, 'already bound');
      if (this.abstract.has(address.key)) throw new KernelError(EADDRINUSE);
      this.abstract.set(address.key, socket);
      socket.name = address;
      return;
    }
    try {
      await this.vfs.mknod(ctx, null, address.path, S_IFSOCK | SOCKET_PERMISSIONS);
    } catch (error) {
      if (error instanceof KernelError && error.errno === EEXIST) throw new KernelError(EADDRINUSE);
      throw error;
    }
    if (socket.name) {
      await this.vfs.unlink(ctx, null, address.path);
      throw new KernelError(EINVAL, 'already bound');
    }
    const st = await this.vfs.stat(ctx, null, address.path, 0);
    const key = inodeKey(st.dev, st.ino);
    this.inodes.set(key, socket);
    this.inodeOf.set(socket, key);
    socket.name = address;
  }

  /** Gives `socket` a fresh abstract name (bind with no name, or a send that needs one). */
  autobind(socket: S): void {
    if (socket.name) throw new KernelError(EINVAL, 'already bound');
    for (let tries = 0; tries < AUTOBIND_NAMES; tries++) {
      const name = (this.nextAutobind++ % AUTOBIND_NAMES).toString(16).padStart(5, '0');
      const address = abstractAddress(name);
      if (address.kind === 'abstract' && !this.abstract.has(address.key)) {
        this.abstract.set(address.key, socket);
        socket.name = address;
        return;
      }
    }
    throw new KernelError(EADDRINUSE, 'no autobind name left');
  }

  /**
   * The socket bound to `address`: ECONNREFUSED when nothing is bound there (or the path is not a socket);
   * a pathname's walk gives its own errors (ENOENT, EACCES without write permission on the socket file).
   */
  async lookup(address: UnixAddress, ctx: PathContext): Promise<S> {
    if (address.kind === 'abstract') {
      const socket = this.abstract.get(address.key);
      if (!socket) throw new KernelError(ECONNREFUSED);
      return socket;
    }
    await this.vfs.access(ctx, null, address.path, W_OK, AT_EACCESS);
    const st = await this.vfs.stat(ctx, null, address.path, 0);
    if ((st.mode & S_IFMT) !== S_IFSOCK) throw new KernelError(ECONNREFUSED, 'not a socket');
    const socket = this.inodes.get(inodeKey(st.dev, st.ino));
    if (!socket) throw new KernelError(ECONNREFUSED);
    return socket;
  }

  /** Forgets `socket`'s name (it is closing); a socket file stays, as in Linux. */
  unbind(socket: S): void {
    const name = socket.name;
    if (!name) return;
    if (name.kind === 'abstract') {
      if (this.abstract.get(name.key) === socket) this.abstract.delete(name.key);
      return;
    }
    const key = this.inodeOf.get(socket);
    this.inodeOf.delete(socket);
    if (key !== undefined && this.inodes.get(key) === socket) this.inodes.delete(key);
  }
}

function inodeKey(dev: number, ino: number): string {
  return `${dev}:${ino}`;
}
