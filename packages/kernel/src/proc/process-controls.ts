/**
 * What prctl(2) and personality(2) set on a process and what each keeps across fork and exec (Linux keeps
 * most of these per thread or per credential; kmOS keeps them per process, which single-threaded callers
 * cannot tell apart): the parent-death signal (cleared in a fork's child), keep-capabilities (cleared by
 * exec), no-new-privileges (sticky), the child-subreaper flag (not inherited), securebits, timer slack, the
 * THP-disable flag, the capability bounding set and the personality.
 * Layer: kernel proc.
 */
import { ALL_CAPABILITIES } from './capabilities.js';

/** The default timer slack (50 us), which PR_SET_TIMERSLACK 0 restores. */
export const DEFAULT_TIMER_SLACK_NS = 50_000;

export class ProcessControls {
  /** PR_SET_PDEATHSIG: the signal this process gets when its parent exits (0: none). */
  parentDeathSignal = 0;
  keepCaps = false;
  noNewPrivs = false;
  childSubreaper = false;
  secureBits = 0;
  timerSlackNs = DEFAULT_TIMER_SLACK_NS;
  thpDisable = false;
  bounding = ALL_CAPABILITIES;
  personality = 0;

  /** A fork's child: everything but the parent-death signal and the subreaper flag. */
  forChild(): ProcessControls {
    const c = new ProcessControls();
    c.keepCaps = this.keepCaps;
    c.noNewPrivs = this.noNewPrivs;
    c.secureBits = this.secureBits;
    c.timerSlackNs = this.timerSlackNs;
    c.thpDisable = this.thpDisable;
    c.bounding = this.bounding;
    c.personality = this.personality;
    return c;
  }

  /** What exec changes: keep-capabilities ends (unless SECBIT_KEEP_CAPS_LOCKED, which kmOS does not track). */
  atExec(): void {
    this.keepCaps = false;
  }
}
