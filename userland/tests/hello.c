/* hello: the smallest glibc program — arguments, environment lookups and the exit status reach the program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i == 0 ? 0 : i, i == 0 ? "(program)" : argv[i]);
  const char *value = getenv("KMOS_TEST_VAR");
  printf("KMOS_TEST_VAR=%s\n", value ? value : "(unset)");
  fprintf(stderr, "to stderr\n");
  return argc > 1 ? atoi(argv[1]) : 0;
}
