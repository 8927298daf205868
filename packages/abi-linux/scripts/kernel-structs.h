/*
 * kernel-structs.h: the i386 structs the Linux kernel copies to and from user memory that no UAPI header
 * declares (they live in arch/x86/include/asm/sigframe.h, include/linux/dirent.h, ...). Written for kmOS
 * from the kernel's definitions, field for field, so that gcc -m32 can lay them out. Read by
 * scripts/gen-structs.mjs and by the tests (which also check these layouts against a running kernel).
 */
#ifndef KMOS_KERNEL_STRUCTS_H
#define KMOS_KERNEL_STRUCTS_H
#include <linux/signal.h>
#include <asm/sigcontext.h>
#include <linux/time.h>

/* asm/signal.h maps sa_handler onto its union member; the kernel's struct names the field plainly. */
#undef sa_handler

/* The kernel's sigset_t: _NSIG (64) bits in unsigned longs; user space's asm/signal.h one is 4 bytes. */
typedef struct {
  unsigned long sig[2];
} kernel_sigset_t;

/* struct sigaction as rt_sigaction reads and writes it (the kernel's, with sa_restorer before sa_mask). */
struct kernel_sigaction {
  void *sa_handler;
  unsigned long sa_flags;
  void *sa_restorer;
  kernel_sigset_t sa_mask;
};

/* struct ucontext as the kernel builds it (include/uapi/asm-generic/ucontext.h with the kernel sigset_t). */
struct kernel_ucontext {
  unsigned long uc_flags;
  struct kernel_ucontext *uc_link;
  stack_t uc_stack;
  struct sigcontext uc_mcontext;
  kernel_sigset_t uc_sigmask;
};

/* The frame setup_rt_frame() pushes for a SA_SIGINFO-style delivery (arch/x86/include/asm/sigframe.h). */
struct rt_sigframe {
  char *pretcode;
  int sig;
  siginfo_t *pinfo;
  void *puc;
  siginfo_t info;
  struct kernel_ucontext uc;
  char retcode[8];
  /* the FPU/xstate image follows, 64-byte aligned, pointed to by uc.uc_mcontext.fpstate */
};

/* The frame setup_frame() pushes for a handler installed with the old sigaction (no SA_SIGINFO). */
struct sigframe {
  char *pretcode;
  int sig;
  struct sigcontext sc;
  struct _fpstate_32 fpstate_unused;
  unsigned long extramask[1];
  char retcode[8];
};

/* getdents (old) directory record; d_type is the last byte of the record, at d_reclen - 1. */
struct linux_dirent {
  unsigned long d_ino;
  unsigned long d_off;
  unsigned short d_reclen;
  char d_name[];
};

/* getdents64 directory record. */
struct linux_dirent64 {
  unsigned long long d_ino;
  long long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* The argument block of the old mmap (syscall 90), which takes one pointer to it. */
struct mmap_arg_struct {
  unsigned long addr;
  unsigned long len;
  unsigned long prot;
  unsigned long flags;
  unsigned long fd;
  unsigned long offset;
};

/* The argument block of the old select (syscall 82). */
struct sel_arg_struct {
  unsigned long n;
  void *inp;
  void *outp;
  void *exp;
  struct timeval *tvp;
};
#endif
