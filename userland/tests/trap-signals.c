/*
 * Trap-class exceptions as Linux delivers them: INT3 and INT 3 (#BP: SIGTRAP, SI_KERNEL), INTO with OF
 * set (#OF: SIGSEGV, SI_KERNEL), each with the saved EIP past the instruction, and a fault (UD2: SIGILL,
 * ILL_ILLOPN, EIP on it) for contrast. Prints what the SA_SIGINFO handler sees, EIPs as offsets from a
 * label so the output does not depend on load address. INT1 (ICEBP) is left out: under a hypervisor the
 * host's answer is the hypervisor's (EIP on the instruction here), not the architecture's.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile unsigned long resume_at;

static void handler(int signo, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	unsigned long eip = uc->uc_mcontext.gregs[REG_EIP];
	printf("  signal %d code %d trapno %d err %d eip %+ld addr %s\n", signo, si->si_code,
	       (int)uc->uc_mcontext.gregs[REG_TRAPNO], (int)uc->uc_mcontext.gregs[REG_ERR],
	       (long)(eip - resume_at),
	       si->si_addr == NULL ? "null" : si->si_addr == (void *)eip ? "eip" : "other");
	uc->uc_mcontext.gregs[REG_EIP] = resume_at;
}

/* Each probe: `start` is the trapping instruction, `done` the label the handler resumes at. */
/*
 * Each probe: label 1 is the trapping instruction, label 2 where the handler resumes. Addresses are taken
 * PC-relative (call/pop), so the dynamic build needs no text relocations.
 */
#define PROBE(name, setup, insn)                                                                 \
	do {                                                                                      \
		unsigned long done;                                                               \
		long offset;                                                                      \
		__asm__ volatile("call 0f\n0:\tpop %0\n\tadd $(2f-0b), %0\n\tmov $(1f-2f), %1"       \
				 : "=r"(done), "=r"(offset));                                    \
		resume_at = done;                                                                 \
		printf("%s: instruction at %+ld\n", name, offset);                               \
		__asm__ volatile(setup "\n1:\t" insn "\n\tnop\n2:" ::: "eax", "cc", "memory");   \
	} while (0)

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);

	PROBE("int3", "", "int3");
	PROBE("int $3 (CD 03)", "", ".byte 0xcd, 0x03");
	PROBE("into, OF set", "mov $0x7f, %%al\n\tadd $1, %%al", "into");
	PROBE("into, OF clear", "xor %%eax, %%eax", "into");
	PROBE("ud2", "", "ud2");
	printf("done\n");
	return 0;
}
