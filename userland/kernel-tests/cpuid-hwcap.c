/*
 * The kernel's description of the CPU against the CPU itself: runs CPUID in the guest and checks that the
 * AT_HWCAP the kernel put in the auxiliary vector equals CPUID.1:EDX (i386 Linux's ELF_HWCAP) and that /proc/cpuinfo's vendor_id,
 * model name and the feature flags it knows agree with leaves 0, 1 and 0x80000002..4. kmOS only: a
 * native run describes the host's CPU, with flags from leaves this program does not read.
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <elf.h>

/* CPUID.1:EDX bits and Linux's flag names for them (arch/x86/include/asm/cpufeatures.h). */
static const struct { int bit; const char *name; } EDX_FLAGS[] = {
	{ 0, "fpu" }, { 4, "tsc" }, { 8, "cx8" }, { 15, "cmov" },
	{ 23, "mmx" }, { 24, "fxsr" }, { 25, "sse" }, { 26, "sse2" },
};

static char cpuinfo[8192];
extern char **environ;

/*
 * AT_HWCAP as the kernel passed it: the auxiliary vector follows envp on the initial stack. (glibc's
 * getauxval(AT_HWCAP) answers its own x86 value, 0 on i386, not the kernel's.)
 */
static unsigned long kernel_hwcap(void)
{
	char **p = environ;
	while (*p != NULL) p++;
	for (Elf32_auxv_t *av = (Elf32_auxv_t *)(p + 1); av->a_type != AT_NULL; av++)
		if (av->a_type == AT_HWCAP) return av->a_un.a_val;
	return 0;
}

static const char *field(const char *name)
{
	static char value[256];
	const char *at = strstr(cpuinfo, name);
	if (at == NULL) return "";
	at = strchr(at, ':');
	if (at == NULL) return "";
	at += 2;
	size_t n = strcspn(at, "\n");
	if (n >= sizeof value) n = sizeof value - 1;
	memcpy(value, at, n);
	value[n] = '\0';
	return value;
}

static int has_flag(const char *flags, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = flags; (p = strstr(p, name)) != NULL; p += len)
		if ((p == flags || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0')) return 1;
	return 0;
}

int main(void)
{
	unsigned a, b, c, d, bad = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f == NULL) { perror("/proc/cpuinfo"); return 1; }
	cpuinfo[fread(cpuinfo, 1, sizeof cpuinfo - 1, f)] = '\0';
	fclose(f);

	__cpuid(0, a, b, c, d);
	char vendor[13];
	memcpy(vendor, &b, 4); memcpy(vendor + 4, &d, 4); memcpy(vendor + 8, &c, 4); vendor[12] = '\0';
	if (strcmp(field("vendor_id"), vendor) != 0) { printf("vendor_id %s, cpuid %s\n", field("vendor_id"), vendor); bad++; }

	__cpuid(1, a, b, c, d);
	unsigned long hwcap = kernel_hwcap();
	if (hwcap != d) { printf("AT_HWCAP %#lx, CPUID.1:EDX %#x\n", hwcap, d); bad++; }
	char flags[1024];
	snprintf(flags, sizeof flags, "%s", field("flags"));
	for (unsigned i = 0; i < sizeof EDX_FLAGS / sizeof EDX_FLAGS[0]; i++) {
		int want = (d >> EDX_FLAGS[i].bit) & 1;
		if (has_flag(flags, EDX_FLAGS[i].name) != want) {
			printf("flag %s: cpuinfo %d, cpuid %d\n", EDX_FLAGS[i].name, !want, want);
			bad++;
		}
	}

	unsigned brand[12];
	__cpuid(0x80000000, a, b, c, d);
	if (a >= 0x80000004) {
		for (unsigned leaf = 0; leaf < 3; leaf++)
			__cpuid(0x80000002 + leaf, brand[4 * leaf], brand[4 * leaf + 1], brand[4 * leaf + 2], brand[4 * leaf + 3]);
		char name[49];
		memcpy(name, brand, 48);
		name[48] = '\0';
		if (strcmp(field("model name"), name) != 0) { printf("model name %s, brand %s\n", field("model name"), name); bad++; }
	}
	printf("%s\n", bad == 0 ? "cpuinfo and AT_HWCAP agree with cpuid" : "mismatch");
	return bad != 0;
}
