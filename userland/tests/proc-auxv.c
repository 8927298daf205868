/*
 * proc-auxv: /proc/self/auxv holds the auxiliary vector exec gave the program, as (type, value) pairs of
 * 32-bit words ending with AT_NULL: every entry agrees with getauxval, the entries a loader needs are there,
 * a forked child reads the same bytes, and the file is readable by its owner only. (Which other types a
 * kernel adds, and in what order, differs between kernels: only agreement is printed.)
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "read-file.h"

int main(void) {
  static unsigned char buf[4096], again[4096];
  size_t n = read_file("/proc/self/auxv", buf, sizeof buf);
  printf("size is a multiple of 8: %s\n", n > 0 && n % 8 == 0 ? "yes" : "no");
  const Elf32_auxv_t *aux = (const Elf32_auxv_t *)buf;
  size_t count = n / sizeof *aux, mismatches = 0;
  int ends_with_null = count > 0 && aux[count - 1].a_type == AT_NULL;
  static const unsigned long wanted[] = {AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_UID, AT_EUID,
                                         AT_GID,  AT_EGID,  AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_SECURE};
  int seen[sizeof wanted / sizeof wanted[0]] = {0};
  for (size_t i = 0; i + 1 < count; i++) {
    // glibc's getauxval(AT_HWCAP) on x86 is its own dl_hwcap (it sets the platform's bits), not the vector's.
    int glibc_own = aux[i].a_type == AT_HWCAP || aux[i].a_type == AT_HWCAP2;
    if (!glibc_own && aux[i].a_un.a_val != getauxval(aux[i].a_type)) {
      mismatches++;
      printf("type %u: %#x in the file, %#lx from getauxval\n", aux[i].a_type, aux[i].a_un.a_val,
             getauxval(aux[i].a_type));
    }
    for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++)
      if (aux[i].a_type == wanted[w]) seen[w] = 1;
  }
  printf("ends with AT_NULL: %s; entries that differ from getauxval: %zu\n", ends_with_null ? "yes" : "no",
         mismatches);
  for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++)
    printf("type %lu: %s\n", wanted[w], seen[w] ? "present" : "missing");
  printf("AT_EXECFN names this program: %s\n",
         strstr((const char *)getauxval(AT_EXECFN), "proc-auxv") ? "yes" : "no");
  struct stat st;
  if (stat("/proc/self/auxv", &st) == 0) printf("mode %o\n", st.st_mode & 0777);

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    size_t m = read_file("/proc/self/auxv", again, sizeof again);
    printf("child reads the same: %s\n", m == n && memcmp(buf, again, n) == 0 ? "yes" : "no");
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
