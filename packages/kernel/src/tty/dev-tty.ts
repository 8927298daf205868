/**
 * /dev/tty: whatever terminal is the controlling terminal of the process that opens it (Linux's
 * tty_open_current_tty). The open file is a TtyFile on that terminal, so reads, writes and ioctls behave
 * as on the terminal itself; fstat shows the /dev/tty node (5:0, mode 0666). Without a controlling
 * terminal the open is refused (devfs.ts decides between the console and ENXIO).
 * Layer: kernel tty; kernel-setup.ts hands `openControllingTty` to devfs.
 */
import { new_encode_dev } from '@kmos/abi-linux';
import { TTYAUX_MAJOR } from '../fs/devfs.js';
import type { OpenFile } from '../fs/open-file.js';
import { currentTask } from '../procfs/task-context.js';
import { TtyFile } from './tty-file.js';

const DEV_TTY_MINOR = 0;
const DEV_TTY_MODE = 0o666;
/** The tty group Debian gives /dev/tty. */
const TTY_GID = 5;

export function openControllingTty(flags: number): OpenFile | null {
  const tty = currentTask()?.process.ctty ?? null;
  if (!tty) return null;
  return new TtyFile(
    tty,
    {
      uid: 0,
      gid: TTY_GID,
      minor: DEV_TTY_MINOR,
      rdev: new_encode_dev(TTYAUX_MAJOR, DEV_TTY_MINOR),
      mode: DEV_TTY_MODE,
    },
    flags,
  );
}
