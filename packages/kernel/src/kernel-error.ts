/**
 * A user-visible error from a kernel service: the Linux errno the guest receives as `-errno`. Syscall handlers
 * and the subsystems below them throw it; exactly one place, the syscall dispatcher, turns it into a return
 * value (STYLE.md, "The syscall layer"). Errno numbers come from @kmos/abi-linux. Layer: kernel core.
 */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    /** The positive Linux errno (EFAULT = 14, ...). */
    readonly errno: number,
    /** What failed, for --strace and logs; the guest never sees it. */
    detail = '',
  ) {
    super(detail ? `errno ${errno}: ${detail}` : `errno ${errno}`);
  }
}
