/**
 * Terminals and sessions: which session a tty is the controlling terminal of, and what that allows the
 * processes that use it — Linux's drivers/tty/tty_jobctrl.c over kmOS processes.
 *
 * How it works: a session leader without a controlling terminal acquires the tty it opens without
 * O_NOCTTY, or asks with TIOCSCTTY; fork passes Process.ctty on, setsid and TIOCNOTTY drop it. A process
 * of a background group (not the tty's foreground group) that reads its controlling terminal gets SIGTTIN
 * sent to its whole group and the read restarts once the group is continued — or EIO when SIGTTIN is
 * ignored or blocked, or the group is orphaned; writing with TOSTOP set, and changing the terminal
 * (TIOCSPGRP, TCSETS*, TCFLSH), do the same with SIGTTOU, except that an ignored or blocked SIGTTOU lets
 * the call through (__tty_check_change). The caller is the task the syscall runs for (task-context.ts); a
 * tty used with no task behind it (unit tests) makes none of these checks.
 * Layer: kernel tty, between tty-file.ts (which asks) and proc/ (processes, signals, job control).
 */
import {
  EINVAL,
  EIO,
  ENOTTY,
  EPERM,
  ERESTARTSYS,
  ESRCH,
  SIG_IGN,
  SIGTTIN,
  SIGTTOU,
  TOSTOP,
} from '@kmos/abi-linux';
import { fsError } from '../fs/fs-error.js';
import type { OpenFile } from '../fs/open-file.js';
import type { Kernel } from '../kernel.js';
import { KernelError } from '../kernel-error.js';
import { disassociateTty, isOrphanedPgrp, signalGroup } from '../proc/job-control.js';
import type { Process } from '../proc/process.js';
import { inSet } from '../proc/sigset.js';
import { currentTask } from '../procfs/task-context.js';
import type { Tty } from './tty.js';

/** What the tty layer asks about the process using a terminal; a Tty without it checks nothing. */
export interface TtySessions {
  /** read(2): null when the caller may read, a rejected promise (restart after SIGTTIN), or throws EIO. */
  checkRead(tty: Tty): Promise<never> | null;
  /** write(2), with TOSTOP: as checkRead, with SIGTTOU. */
  checkWrite(tty: Tty): Promise<never> | null;
  /** An ioctl that changes the terminal: as checkWrite, whatever TOSTOP says. */
  checkChange(tty: Tty): Promise<never> | null;
  /** TIOCSPGRP, TIOCGPGRP, TIOCGSID, TIOCSCTTY, TIOCNOTTY. */
  setForeground(tty: Tty, pgid: number): MaybeRestart;
  getForeground(tty: Tty): number;
  getSession(tty: Tty): number;
  setControlling(tty: Tty, file: OpenFile, steal: boolean): number;
  dropControlling(tty: Tty): number;
  /** open(2) without O_NOCTTY: a session leader with no controlling terminal acquires this one. */
  opened(tty: Tty): void;
}

type MaybeRestart = number | Promise<never>;

export function ttySessions(k: Kernel): TtySessions {
  const caller = (): Process | null => currentTask()?.process ?? null;

  /** __tty_check_change: may the caller use `tty` as `signo` describes? */
  const check = (tty: Tty, signo: number): Promise<never> | null => {
    const t = currentTask();
    const p = t?.process;
    if (!t || !p || p.ctty !== tty) return null;
    const foreground = tty.foregroundPgid;
    if (foreground === 0 || p.pgid === foreground) return null;
    const blocked = inSet(t.sigBlockedLo, t.sigBlockedHi, signo);
    if (blocked || p.signals.get(signo).handler === SIG_IGN) {
      if (signo === SIGTTIN) throw fsError(EIO, 'background read with SIGTTIN ignored');
      return null;
    }
    if (isOrphanedPgrp(k, p.pgid, null)) throw fsError(EIO, 'orphaned background group');
    signalGroup(k, p.pgid, signo, p);
    return Promise.reject(new KernelError(ERESTARTSYS, 'background job stopped'));
  };

  return {
    checkRead: (tty) => check(tty, SIGTTIN),
    checkWrite: (tty) => (tty.termios.c_lflag & TOSTOP ? check(tty, SIGTTOU) : null),
    checkChange: (tty) => check(tty, SIGTTOU),

    setForeground(tty, pgid) {
      const p = caller();
      if (!p) {
        tty.foregroundPgid = pgid;
        return 0;
      }
      let wait: Promise<never> | null;
      try {
        wait = check(tty, SIGTTOU);
      } catch (error) {
        // tiocspgrp: an orphaned background caller is ENOTTY here, not EIO.
        if (error instanceof KernelError && error.errno === EIO) throw fsError(ENOTTY);
        throw error;
      }
      if (wait) return wait;
      if (p.ctty !== tty || tty.sessionId !== p.sid) throw fsError(ENOTTY);
      if (pgid < 0) throw fsError(EINVAL, 'negative process group');
      const members = [...k.processes.inGroup(pgid)];
      if (members.length === 0) throw fsError(ESRCH, 'no such process group');
      if (members[0]!.sid !== p.sid) throw fsError(EPERM, 'process group of another session');
      tty.foregroundPgid = pgid;
      return 0;
    },

    getForeground(tty) {
      const p = caller();
      if (p && p.ctty !== tty) throw fsError(ENOTTY);
      return tty.foregroundPgid;
    },

    getSession(tty) {
      const p = caller();
      if ((p && p.ctty !== tty) || tty.sessionId === 0) throw fsError(ENOTTY);
      return tty.sessionId;
    },

    setControlling(tty, file, steal) {
      const p = caller();
      if (!p) return 0;
      const leader = p.pid === p.sid;
      if (leader && tty.sessionId === p.sid) return 0;
      if (!leader || p.ctty) throw fsError(EPERM);
      const root = p.creds.euid === 0;
      if (tty.sessionId !== 0) {
        if (!steal || !root) throw fsError(EPERM, 'the controlling terminal of another session');
        for (const other of k.processes.processes.values()) if (other.ctty === tty) other.ctty = null;
      }
      if (!file.readable && !root) throw fsError(EPERM);
      acquire(p, tty);
      return 0;
    },

    dropControlling(tty) {
      const p = caller();
      if (!p) return 0;
      if (p.ctty !== tty) throw fsError(ENOTTY);
      if (p.pid === p.sid) disassociateTty(k, p, false);
      else p.ctty = null;
      return 0;
    },

    opened(tty) {
      const p = caller();
      if (p && p.pid === p.sid && !p.ctty && tty.sessionId === 0) acquire(p, tty);
    },
  };
}

function acquire(p: Process, tty: Tty): void {
  p.ctty = tty;
  tty.sessionId = p.sid;
  tty.foregroundPgid = p.pgid;
}
