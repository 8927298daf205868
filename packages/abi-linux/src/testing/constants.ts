// Test support (not exported from the package): check every numeric export of a module against the value
// a 32-bit C program gets from the host's headers. A module whose export has no C macro of the same name
// passes an expression for it in `exprs`, or lists it in `skip` with the reason beside the call.
import { describe, expect, it } from 'vitest';
import { cValues, hostCUnavailable } from './host-c.js';

export interface HeaderCheck {
  /** Headers to include, in order (UAPI headers alone where glibc's would clash). */
  readonly includes: readonly string[];
  /** C expressions for exports whose C spelling differs (a function-like macro, an enum, a cast). */
  readonly exprs?: Readonly<Record<string, string>>;
  /** Exports with nothing to compare against in these headers. */
  readonly skip?: readonly string[];
  /** Only these exports (default: every numeric export not skipped). */
  readonly only?: readonly string[];
}

/** The numeric exports of a module namespace object. */
export function numericExports(mod: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(mod)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** A describe block comparing `mod`'s numeric exports with the headers, one `it` per header check. */
export function describeAgainstHeaders(
  title: string,
  mod: object,
  checks: readonly HeaderCheck[],
  /** Exports no header states (kernel-internal facts), each with the reason; checked elsewhere or not at all. */
  unchecked: Readonly<Record<string, string>> = {},
): void {
  describe.skipIf(hostCUnavailable !== null)(
    `${title} against the host headers ${hostCUnavailable ?? ''}`,
    () => {
      const consts = numericExports(mod);
      const claimed = new Set<string>(Object.keys(unchecked));
      for (const check of checks) {
        const names = (check.only ?? Object.keys(consts)).filter(
          (n) => !check.skip?.includes(n) && !(n in unchecked),
        );
        for (const n of names) claimed.add(n);
        it(`matches <${check.includes.join('>, <')}> for ${names.length} names`, () => {
          const exprs = Object.fromEntries(names.map((n) => [n, check.exprs?.[n] ?? n]));
          const host = cValues(check.includes, exprs);
          for (const n of names) expect(consts[n], n).toBe(host[n]);
        });
      }
      it('checks every numeric export somewhere', () => {
        expect(Object.keys(consts).filter((n) => !claimed.has(n))).toEqual([]);
      });
    },
  );
}
