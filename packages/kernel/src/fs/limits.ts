/**
 * Linux's path and pipe limits (linux/limits.h). They are user ABI facts and belong in @kmos/abi-linux;
 * they live here until that package grows a limits module, so that every VFS file imports them from one
 * place (then this file becomes a re-export). Layer: kernel VFS.
 */

/** Bytes in a path including its terminating NUL. */
export const PATH_MAX = 4096;
/** Bytes in one path component. */
export const NAME_MAX = 255;
/** Pipe writes up to this size are atomic. */
export const PIPE_BUF = 4096;
