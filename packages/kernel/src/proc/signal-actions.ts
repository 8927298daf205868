/**
 * The signal actions of a process (Linux's sighand_struct): what each of the 64 signals does when
 * delivered — default, ignore, or a user handler with its flags, mask and restorer. Shared by threads and
 * under CLONE_SIGHAND; fork copies it; execve resets handlers to default but keeps ignored signals ignored.
 * Layer: kernel proc; rt_sigaction writes it, signal delivery reads it.
 */
import { _NSIG, SIG_DFL, SIG_IGN } from '@kmos/abi-linux';

export interface SignalAction {
  /** SIG_DFL, SIG_IGN or the handler's user address. */
  readonly handler: number;
  readonly flags: number;
  readonly restorer: number;
  /** sa_mask as two 32-bit words. */
  readonly maskLo: number;
  readonly maskHi: number;
}

export const DEFAULT_ACTION: SignalAction = Object.freeze({
  handler: SIG_DFL,
  flags: 0,
  restorer: 0,
  maskLo: 0,
  maskHi: 0,
});

export class SignalActions {
  private readonly actions: SignalAction[] = new Array<SignalAction>(_NSIG + 1).fill(DEFAULT_ACTION);

  get(signo: number): SignalAction {
    return this.actions[signo]!;
  }

  set(signo: number, action: SignalAction): void {
    this.actions[signo] = action;
  }

  fork(): SignalActions {
    const copy = new SignalActions();
    for (let s = 1; s <= _NSIG; s++) copy.actions[s] = this.actions[s]!;
    return copy;
  }

  /** execve: handlers go back to default; ignored signals stay ignored. */
  resetForExec(): void {
    for (let s = 1; s <= _NSIG; s++) {
      if (this.actions[s]!.handler !== SIG_IGN) this.actions[s] = DEFAULT_ACTION;
    }
  }
}
