/**
 * A user-visible error from a kernel service: the Linux errno the guest receives as `-errno`. Syscall handlers
 * and the subsystems below them throw it; exactly one place, the syscall dispatcher, turns it into a return
 * value (STYLE.md, "The syscall layer"). Errno numbers come from @kmos/abi-linux. Layer: kernel core.
 *
 * It carries no stack trace: it is an answer, not a bug (ENOENT, EAGAIN and EBADF are everyday results), and
 * capturing a stack costs V8 microseconds — more than the rest of a failing syscall. Bugs are other
 * exceptions, which keep their stacks for the panic.
 */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    /** The positive Linux errno (EFAULT = 14, ...). */
    readonly errno: number,
    /** What failed, for --strace and logs; the guest never sees it. */
    detail = '',
  ) {
    const limit = Error.stackTraceLimit;
    super(withoutStack(detail ? `errno ${errno}: ${detail}` : `errno ${errno}`));
    Error.stackTraceLimit = limit;
  }
}

/** Turns stack capture off for the Error about to be constructed; the constructor turns it back on. */
function withoutStack(message: string): string {
  Error.stackTraceLimit = 0;
  return message;
}
