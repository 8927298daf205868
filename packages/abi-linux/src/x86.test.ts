// x86.ts against the UAPI <asm/ldt.h> and <asm/sigcontext.h>; the FPU image magic, layout and default
// control word against a signal frame of the running kernel (in structs.test.ts's style).
import { beforeAll, describe, expect, it } from 'vitest';
import * as st from './structs.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { hostCUnavailable, runC } from './testing/host-c.js';
import * as x86 from './x86.js';

const nativeI386 =
  'a fact of the native i386 kernel (asm/segment.h, not UAPI); an x86_64 host runs i386 code with other selectors';
describeAgainstHeaders('x86', x86, [{ includes: ['asm/ldt.h', 'asm/sigcontext.h'] }], {
  X86_FSAVE_ONLY_MAGIC: 'a comment in asm/sigcontext.h; the frame check below sees X86_FXSR_MAGIC instead',
  X87_FCW_DEFAULT: 'an x87 fact; checked in a signal frame below',
  GDT_ENTRY_TLS_MIN: nativeI386,
  GDT_ENTRY_TLS_ENTRIES: nativeI386,
  __USER_CS: nativeI386,
  __USER_DS: nativeI386,
});

describe.skipIf(hostCUnavailable !== null)(
  `the FPU image in a signal frame ${hostCUnavailable ?? ''}`,
  () => {
    const f: Record<string, number> = {};
    beforeAll(() => {
      const uc = st.rtSigframeLayout.fields.uc.offset;
      const fpPtr =
        uc + st.ucontextLayout.fields.uc_mcontext.offset + st.sigcontextLayout.fields.fpstate.offset;
      const fp = st.fpstate32Layout.fields;
      const sw = fp.sw_reserved.offset;
      const src = `#include <signal.h>
#include <stdio.h>
#include <string.h>
static unsigned char image[${st.fpstate32Layout.sizeBytes}];
static unsigned long fpstate, ucflags;
static void handler(int sig, siginfo_t *info, void *uc) {
  char *frame = (char *)&sig - 4;
  memcpy(&fpstate, frame + ${fpPtr}, 4);
  memcpy(&ucflags, frame + ${uc + st.ucontextLayout.fields.uc_flags.offset}, 4);
  if (fpstate) memcpy(image, (void *)fpstate, sizeof image);
}
static unsigned get(int off, int size) { unsigned v = 0; memcpy(&v, image + off, size); return v; }
int main(void) {
  struct sigaction sa; memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler; sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("fpstate %lu\\nucflags %lu\\ncw %u\\nmagic %u\\nmagic1 %u\\nsize %u\\n", fpstate, ucflags,
         get(${fp.cw.offset}, 2), get(${fp.magic.offset}, 2),
         get(${sw + st.fpxSwBytesLayout.fields.magic1.offset}, 4), get(${sw + st.fpxSwBytesLayout.fields.extended_size.offset}, 4));
  return 0;
}
`;
      for (const line of runC(src).trim().split('\n')) {
        const [k, v] = line.split(' ');
        f[k] = Number(v);
      }
    });
    it('points uc_mcontext.fpstate at an image tagged as the headers say', () => {
      expect(f.fpstate).not.toBe(0);
      expect(f.cw).toBe(x86.X87_FCW_DEFAULT);
      expect(f.magic).toBe(x86.X86_FXSR_MAGIC);
      if (f.ucflags & st.UC_FP_XSTATE) {
        expect(f.magic1).toBe(x86.FP_XSTATE_MAGIC1);
        expect(f.size).toBeGreaterThan(st.FPSTATE_32_SIZE);
      }
    });
  },
);
