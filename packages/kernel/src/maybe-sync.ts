/**
 * Code that finishes at once when nothing it asks for has to wait. The filesystems kmOS has now answer
 * synchronously (hostfs, tmpfs, procfs, devfs), block-device filesystems will not; a path walk must serve
 * both. Written as async functions, every walk paid for promises, a sleep of the calling thread, a turn of
 * the trap loop and a context switch even when every answer was at hand: stat("/") took ~22 us against
 * ~1 us natively. Written as a generator that hands each MaybePromise to `wait`, the same code runs to
 * the end inside the syscall when no answer is a promise, and goes on asynchronously from the first
 * one that is. Layer: kernel core (the VFS and the syscall handlers use it).
 *
 * Usage: `function* walk(): Steps<Resolved> { const attr = yield* wait(fs.getattr(ino)); ... }`, then
 * `drive(walk())` gives a MaybePromise<Resolved>; a generator calls another with `yield*`.
 */
import type { MaybePromise } from '@kmos/abi-driver';

/** A computation that may wait: it yields only real promises, and gets back what they resolve to. */
export type Steps<T> = Generator<Promise<unknown>, T, unknown>;

/** `v` itself when it is a value; else waits for it (the driver resumes the generator with its result). */
export function* wait<T>(v: MaybePromise<T>): Steps<T> {
  if (!(v instanceof Promise)) return v;
  return (yield v) as T;
}

/** Runs `steps`: to its end at once if nothing waits (its value or its exception), else a promise of it. */
export function drive<T>(steps: Steps<T>): MaybePromise<T> {
  const first = steps.next();
  return first.done ? first.value : finish(steps, first.value);
}

/** Goes on with `steps` after its first real wait, resuming it with each promise's value or error. */
async function finish<T>(steps: Steps<T>, pending: Promise<unknown>): Promise<T> {
  for (;;) {
    let outcome: IteratorResult<Promise<unknown>, T>;
    try {
      const value = await pending;
      outcome = steps.next(value);
    } catch (error) {
      // An error from the awaited promise goes into the generator; one the generator throws goes on up
      // (a generator that threw is finished, so `throw` on it rethrows the same error).
      outcome = steps.throw(error);
    }
    if (outcome.done) return outcome.value;
    pending = outcome.value;
  }
}

/**
 * `f` of `v`: at once when `v` is a value, after it when a promise. (Not named `then`: a module exporting
 * `then` is a thenable, and `await import()` of it would call it.)
 */
export function after<T, U>(v: MaybePromise<T>, f: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}
