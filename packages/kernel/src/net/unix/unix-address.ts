/**
 * AF_UNIX addresses (struct sockaddr_un), as unix(7) defines them: a pathname (sun_path up to its first
 * NUL), an abstract name (sun_path[0] is NUL; every byte of the given length counts) or unnamed (the family
 * alone). `bytes` is the address as getsockname gives it back: for a pathname the family, the path and one
 * NUL (Linux's unix_mkname_bsd length); for an abstract name exactly what bind was given.
 * Layer: kernel net (AF_UNIX).
 */
import { AF_UNIX, EINVAL, sockaddrUnLayout } from '@kmos/abi-linux';
import { KernelError } from '../../kernel-error.js';

const PATH_OFFSET = sockaddrUnLayout.fields.sun_path.offset;
const MAX_LENGTH = sockaddrUnLayout.sizeBytes;

export type UnixAddress =
  | { readonly kind: 'path'; readonly path: string; readonly bytes: Uint8Array }
  | { readonly kind: 'abstract'; readonly key: string; readonly bytes: Uint8Array };

/** The address of a socket with no name: the family alone. */
export const UNNAMED = unnamed();

function unnamed(): Uint8Array {
  const bytes = new Uint8Array(PATH_OFFSET);
  new DataView(bytes.buffer).setUint16(0, AF_UNIX, true);
  return bytes;
}

/** True when `raw` is just a family: bind's request for an automatic name. */
export function isAutobindRequest(raw: Uint8Array): boolean {
  return raw.length === PATH_OFFSET;
}

/** Decodes a sockaddr_un the user gave; EINVAL for a wrong family or length (unix_validate_addr). */
export function parseUnixAddress(raw: Uint8Array): UnixAddress {
  if (raw.length <= PATH_OFFSET || raw.length > MAX_LENGTH)
    throw new KernelError(EINVAL, 'sockaddr_un length');
  if (new DataView(raw.buffer, raw.byteOffset).getUint16(0, true) !== AF_UNIX) {
    throw new KernelError(EINVAL, 'not an AF_UNIX address');
  }
  const name = raw.subarray(PATH_OFFSET);
  if (name[0] === 0) return { kind: 'abstract', key: latin1(name), bytes: raw.slice() };
  const end = name.indexOf(0);
  const pathBytes = end < 0 ? name : name.subarray(0, end);
  const bytes = new Uint8Array(PATH_OFFSET + pathBytes.length + 1);
  bytes.set(raw.subarray(0, PATH_OFFSET));
  bytes.set(pathBytes, PATH_OFFSET);
  return { kind: 'path', path: new TextDecoder().decode(pathBytes), bytes };
}

/** An abstract address from its name bytes after the leading NUL (autobind's five hex digits). */
export function abstractAddress(name: string): UnixAddress {
  const bytes = new Uint8Array(PATH_OFFSET + 1 + name.length);
  new DataView(bytes.buffer).setUint16(0, AF_UNIX, true);
  for (let i = 0; i < name.length; i++) bytes[PATH_OFFSET + 1 + i] = name.charCodeAt(i);
  return { kind: 'abstract', key: latin1(bytes.subarray(PATH_OFFSET)), bytes };
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
