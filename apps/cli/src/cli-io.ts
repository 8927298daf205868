/**
 * Where the CLI writes and which folder a user's relative paths mean. `pnpm kmos ...` runs in the repo root,
 * so the folder the user typed the command in is pnpm's INIT_CWD, not process.cwd(). Layer: CLI.
 */
import { resolve } from 'node:path';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The folder relative paths on the command line are relative to. */
  readonly cwd: string;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.env.INIT_CWD ?? process.cwd(),
};

export function userPath(io: CliIo, path: string): string {
  return resolve(io.cwd, path);
}
