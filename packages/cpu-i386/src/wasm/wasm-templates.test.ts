/**
 * WebAssembly region templates for the forms busybox and glibc's start-up ran through `step` most often
 * (16-bit ALU, TEST and MOV; XCHG EAX, r32; LEAVE; CMPXCHG with and without LOCK; BT/BTS/BTR/BTC with an
 * immediate; BSF/BSR; ENDBR32) against the interpreter, in a loop hot enough to be compiled: registers,
 * flags (captured with SETcc, which has a template, so nothing in the loop needs `step`), memory, PTEs,
 * instruction counts and the final fault must be equal, and the regions must have run the loop without
 * `step`. Word operands straddle a page end on frames that are not neighbours; CMPXCHG meets a read-only page.
 * A loop that misses the TLB on every pass must leave its region at each miss and come back.
 * (The host-CPU differential tests in tests/cpu check the same forms' flags over many operand values.)
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import type { CompileBudget } from '../cpu.js';
import { assemble, GuestMachine, TEST_CODE, TEST_STACK_TOP } from '../testing/guest.js';
import { type Outcome, runInWindow, WINDOW, WINDOW_PAGES } from '../testing/window-program.js';

/**
 * Stores EFLAGS' status bits as eight SETcc bytes at [edi + `at`], flags untouched (the last pass's stay:
 * by then the loop runs compiled).
 */
function captureFlags(at: number): string {
  return ['c', 'p', 'z', 's', 'o', 'be', 'l', 'le']
    .map((cc, i) => `set${cc} byte ptr [edi + ${at + i}]`)
    .join('\n    ');
}

/**
 * Adds CF, ZF, SF and OF (a byte each, set by SETcc, which changes no flag) to the dword at [edi + `at`], so a
 * flag wrong on any pass shows, not only on the last. ECX is lost.
 */
function countFlags(at: number): string {
  const flags = ['c', 'z', 's', 'o'].map((cc, i) => `set${cc} byte ptr [edi + ${0x3f0 + i}]`);
  return [...flags, 'mov ecx, [edi + 0x3f0]', `add [edi + ${at}], ecx`].join('\n    ');
}

/** Three loops, each small enough to be one region; registers have upper halves a word write must keep. */
const TEMPLATE_FORMS = `
    mov ecx, 30
words:
    endbr32
    mov edx, 0x5a5a0000
    mov esi, 0xa5a50000
    lea ebx, [ecx + 0x7ffe]
    shl ebx, 15
    mov ax, [edi + 0x100]           # MOV r16, r/m16
    mov dx, ax                      # ... r16, r16
    mov [edi + 0x7fe], cx           # MOV r/m16, r16
    mov word ptr [edi + 0x104], 0x8123  # MOV r/m16, imm16
    mov si, 0xfffe                  # MOV r16, imm16
    add [edi + 0x106], cx           # ALU r/m16, r16
    sub dx, [edi + 0x108]           # ALU r16, r/m16
    ${captureFlags(0x300)}
    cmp si, [edi + 0x10a]
    ${captureFlags(0x310)}
    sbb [edi + 0x10c], dx
    xor dx, si
    and si, 0x7f7f                  # ALU r/m16, imm16 (81)
    or word ptr [edi + 0x10e], 0x1001
    add dx, -3                      # ALU r/m16, imm8 (83)
    ${captureFlags(0x318)}
    cmp word ptr [edi + 0x110], 0x7fff
    ${captureFlags(0x320)}
    lea eax, [ecx * 8 + 0x12347fd0]
    add ax, 0x7ff0                  # ALU AX, imm16: overflows at 16 bits
    ${captureFlags(0x328)}
    add [edi + 0x200], eax
    cmp ax, 0x8000
    ${captureFlags(0x330)}
    test dx, si                     # TEST r/m16, r16
    ${captureFlags(0x338)}
    test si, si                     # ESI's upper half has bit 31 set, SI's bit 15 is clear here: SF tells
    ${captureFlags(0x380)}
    test ax, 0x8001                 # TEST AX, imm16
    ${captureFlags(0x340)}
    add [edi + 0x204], edx
    add [edi + 0x208], esi
    add [edi + 0x20c], ebx
    mov [edi + 0x1fff], bx          # page ends last: a region leaves before them, the rest of the pass is not its
    adc bx, [edi + 0xfff]
    ${captureFlags(0x308)}
    add [edi + 0x230], ebx
    dec ecx
    jnz words
    mov ecx, 30
exchanges:
    lea edx, [ecx + 0x100]
    lea esi, [ecx * 4 + 0x7ffffff0]
    xchg eax, edx                   # XCHG EAX, r32
    xchg eax, esi
    add [edi + 0x210], eax
    mov eax, [edi + 0x120]          # CMPXCHG m32, r32: equal (the store), then not (EAX takes it)
    lock cmpxchg [edi + 0x120], ecx
    ${captureFlags(0x348)}
    cmpxchg [edi + 0x120], esi
    ${captureFlags(0x350)}
    add [edi + 0x214], eax
    mov eax, ebx                    # CMPXCHG r32, r32
    cmpxchg esi, ecx
    ${captureFlags(0x358)}
    cmpxchg esi, edx
    add [edi + 0x218], eax
    add [edi + 0x21c], esi
    call framed                     # LEAVE
    add [edi + 0x220], eax
    dec ecx
    jnz exchanges
    mov ecx, 30
bits:
    bt dword ptr [edi + 0x124], 7   # BT/BTS/BTR/BTC r/m32, imm8
    ${captureFlags(0x360)}
    bts dword ptr [edi + 0x124], 35
    mov edx, ecx
    btr edx, 2
    btc dword ptr [edi + 0x124], 31
    ${captureFlags(0x368)}
    add [edi + 0x224], edx
    bsf eax, [edi + 0x128]          # BSF/BSR: ZF, and the destination left alone on 0
    bsr edx, ecx
    ${captureFlags(0x370)}
    mov dword ptr [edi + 0x12c], 0
    mov eax, 77
    bsf eax, [edi + 0x12c]
    ${captureFlags(0x378)}
    add [edi + 0x228], eax
    add [edi + 0x22c], edx
    dec ecx
    jnz bits
    mov eax, [edi + 0x3ffe]         # runs into the unmapped fifth page: #PF
    hlt
framed:
    push ebp
    mov ebp, esp
    push ecx
    push 5
    mov eax, [ebp - 4]
    leave
    ret
`;

/**
 * REP MOVS/STOS of bytes and dwords in their common case (counting up, runs inside a page, a destination below
 * its overlapping source, a count of 0), which regions do without `step`. EBP keeps the window's base.
 */
const REP_FAST = `
    mov ebp, edi
    mov ebx, 30
again:
    lea esi, [ebp + 0x100]
    lea edi, [ebp + 0x800]
    mov ecx, 16
    rep movsd
    lea esi, [ebp + 0x121]
    lea edi, [ebp + 0x851]
    mov ecx, 37
    rep movsb
    lea edi, [ebp + 0x901]
    lea eax, [ebx * 8 + 0x1234567]
    mov ecx, 9
    rep stosd
    lea edi, [ebp + 0x931]
    mov ecx, 13
    rep stosb
    add [ebp + 0x20c], ecx
    lea esi, [ebp + 0x1010]
    lea edi, [ebp + 0x1006]
    mov ecx, 40
    rep movsb
    mov ecx, 0
    rep movsd
    add [ebp + 0x200], esi
    add [ebp + 0x204], edi
    add [ebp + 0x208], ecx
    dec ebx
    jnz again
    mov eax, [ebp + 0x3ffe]         # #PF: the end
    hlt
`;

/**
 * The cases left to `step`: a destination just ahead of its source (whose bytes are fresh each pass: a
 * pattern repeating at the distance would copy the same either way), runs across a page end, counting down,
 * a count above a page, ES with a base (LDT entry 1, selector 0x0f: base 0x1000, no limit), and, on the last
 * pass, a store into the read-only page that the read TLB has (#PF).
 */
const REP_SLOW = `
    mov ebp, edi
    mov ax, 0x0f                    # ES with a base, for a loop of its own: a segment load ends a region
    mov es, ax
    mov ebx, 30
based:
    lea edi, [ebp + 0x500]
    mov eax, ebx
    mov [ebp + 0x600], eax          # EDI's page without the base is in the write TLB too
    mov ecx, 5
    rep stosd
    dec ebx
    jnz based
    mov ax, ds
    mov es, ax
    mov ebx, 30
again:
    lea esi, [ebp + ebx * 4 + 0x400]
    lea edi, [ebp + 0x100]
    mov ecx, 11
    rep movsd
    lea esi, [ebp + 0x100]
    lea edi, [ebp + 0x103]
    mov ecx, 40
    rep movsb
    lea esi, [ebp + 0xff8]
    lea edi, [ebp + 0x2ff0]
    mov ecx, 9
    rep movsd
    std
    lea esi, [ebp + 0x1200]
    lea edi, [ebp + 0x1300]
    mov ecx, 21
    rep movsb
    cld
    lea edi, [ebp + 0x1400]
    lea eax, [ebx + 0x77]
    mov ecx, 1500
    rep stosd
    add [ebp + 0x200], esi
    add [ebp + 0x204], edi
    add [ebp + 0x208], ecx
    xor edx, edx
    cmp ebx, 1
    sete dl
    shl edx, 14
    mov eax, [ebp + edx + 0x1000]
    lea edi, [ebp + edx + 0x1000]
    mov ecx, 3
    rep stosd
    dec ebx
    jnz again
    hlt
`;

/**
 * MOVSB/MOVSW/MOVSD without REP, up and down; SAHF after a CMP (OF stays the CMP's); TZCNT and LZCNT, which
 * are BSF and BSR on a CPU without BMI1 and ABM (a source of 0 keeps the destination).
 */
const STRING_AND_FLAG_FORMS = `
    mov ebp, edi
    mov ebx, 30
again:
    lea esi, [ebp + ebx * 4 + 0x100]
    lea edi, [ebp + 0x800]
    movsd
    movsw
    movsb
    std
    movsb
    movsw
    movsd
    cld
    add [ebp + 0x200], esi
    add [ebp + 0x204], edi
    mov eax, [ebp + ebx * 4 + 0x104]
    lea edi, [ebp + ebx * 8 + 0x900]
    stosd
    stosw
    stosb
    add [ebp + 0x208], edi
    std
    stosb
    stosw
    stosd
    cld
    add [ebp + 0x208], edi
    mov edx, [ebp + ebx * 4 + 0x108]
    rol dx, 8
    ror dx, 3
    setc byte ptr [ebp + 0x240]
    seto byte ptr [ebp + 0x241]
    rol dx, 16
    ror dx, 1
    setc byte ptr [ebp + 0x242]
    seto byte ptr [ebp + 0x243]
    mov esi, [ebp + 0x240]
    add [ebp + 0x20c], esi
    add [ebp + 0x20c], edx
    mov esi, [ebp + ebx * 4 + 0x110]
    bt esi, ebx                     # bit tests of a register by a register (counts past 31 too)
    setc byte ptr [ebp + 0x244]
    lea eax, [ebx + 37]
    bts esi, eax
    setc byte ptr [ebp + 0x245]
    btr esi, edx
    setc byte ptr [ebp + 0x246]
    btc esi, ebx
    setc byte ptr [ebp + 0x247]
    add [ebp + 0x248], esi
    mov esi, [ebp + 0x244]
    add [ebp + 0x248], esi
    mov eax, 0x7fffffff
    add eax, ebx                    # OF set: a positive overflow
    mov ah, 0
    sahf                            # EFLAGS settled in place after an ADD: OF stays
    seto byte ptr [ebp + 0x250]
    and eax, ebx
    mov ah, 0xd5
    sahf                            # ... and after a logic operation, which cleared OF
    seto byte ptr [ebp + 0x251]
    mov esi, [ebp + 0x250]
    add [ebp + 0x254], esi
    mov edi, ebp
    mov eax, [ebp + ebx * 4 + 0x300]
    cmp eax, [ebp + ebx * 4 + 0x304]
    mov ah, [ebp + ebx + 0x380]
    sahf
    ${captureFlags(0x220)}
    ${countFlags(0x210)}
    mov eax, ebx
    and eax, 3
    shl eax, 29
    mov edx, 0x77
    tzcnt edx, eax
    setz byte ptr [ebp + 0x230]
    add [ebp + 0x234], edx
    lzcnt esi, [ebp + ebx * 4 + 0x100]
    add [ebp + 0x238], esi
    mov esi, 0x55
    lzcnt esi, eax
    add [ebp + 0x238], esi
    dec ebx
    jnz again
    mov eax, [ebp + 0x3ffe]         # #PF: the end
    hlt
`;

/**
 * RET imm16: callees that pop their arguments (stdcall), or the hidden pointer of a struct they return, as
 * jq's and glibc's do; the call returns into the region each time.
 */
const RETURN_AND_RELEASE = `
    mov ebx, 30
again:
    push dword ptr [edi + ebx * 4 + 0x100]
    push ebx
    call sum_two
    add [edi + 0x200], eax
    lea eax, [edi + 0x300]
    push eax
    call fill_struct
    add [edi + 0x204], esp
    dec ebx
    jnz again
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
sum_two:
    mov eax, [esp + 4]
    add eax, [esp + 8]
    ret 8
fill_struct:
    mov eax, [esp + 4]
    mov [eax], ebx
    add [eax + 4], ebx
    ret 4
`;

/**
 * Three loops of 3,000 passes, one after another (a region each), of forms the decoded tier runs itself; then
 * a loop of 40 passes around `last`, which is an MMX PADDD (the decoded tier runs it through `step`) or NOT EAX
 * (it runs that itself).
 */
function separateLoops(last: string): string {
  return `
    mov ecx, 3000
first:
    add eax, ecx
    xor ebx, eax
    dec ecx
    jnz first
    mov ecx, 3000
second:
    sub ebx, ecx
    shl ebx, 1
    dec ecx
    jnz second
    mov ecx, 3000
third:
    lea esi, [esi + ecx * 2]
    dec ecx
    jnz third
    mov ecx, 40
fourth:
    ${last}
    add eax, ecx
    dec ecx
    jnz fourth
    mov [edi + 0x100], eax
    mov [edi + 0x104], ebx
    mov [edi + 0x108], esi
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
`;
}

/** LOCK on read-modify-write forms (refcounts): XADD, ADD, INC, SUB with a memory destination; XADD of registers. */
const LOCKED_FORMS = `
    mov ebx, 30
again:
    mov eax, [edi + ebx * 4 + 0x200]
    lock xadd [edi + 0x100], eax
    add [edi + 0x104], eax
    ${countFlags(0x108)}
    mov edx, [edi + ebx * 4 + 0x204]
    lock add dword ptr [edi + 0x10c], 0x7fffff00
    ${countFlags(0x110)}
    lock inc dword ptr [edi + 0x114]
    lock sub [edi + 0x118], edx
    ${countFlags(0x11c)}
    mov esi, ebx
    xadd esi, edx
    xadd edx, edx                   # the same register: it takes the sum
    lock xadd [edi + ebx * 4 + 0x300], esi
    ${countFlags(0x120)}
    add [edi + 0x124], esi
    add [edi + 0x124], edx
    dec ebx
    jnz again
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
`;

/** The single MOVS forms' other way: elements across a page end, and ES with a base (LDT entry 1). */
const STRING_SLOW = `
    mov ebp, edi
    mov ebx, 30
again:
    lea esi, [ebp + 0xffe]
    lea edi, [ebp + 0x2ffd]
    movsd
    movsw
    add [ebp + 0x200], esi
    add [ebp + 0x204], edi
    mov ax, 0x0f
    mov es, ax
    lea esi, [ebp + 0x100]
    lea edi, [ebp + 0x500]
    movsd
    mov ax, ds
    mov es, ax
    add [ebp + 0x208], edi
    dec ebx
    jnz again
    mov eax, [ebp + 0x3ffe]
    hlt
`;

/**
 * A chain of regions hands over to a decoded block (the one below `jg`, first run after the loop around it
 * was compiled), which leaves an ADD's flags pending and jumps to a region's entry (`join`) that reads CF and
 * OF: the chain takes the flags back into the regions' form and goes on there.
 */
const DECODED_BETWEEN_REGIONS = `
    mov ecx, 14
    mov ebx, 0x12345
top:
    cmp ecx, 7
    jg skip
    mov eax, [edi + ecx * 4 + 0x100]
    add eax, 0x7fffffff
    jmp join
skip:
    lea eax, [ecx + 0x7ffffff0]
    sub eax, ebx
    jmp join
join:
    adc [edi + 0x40], ebx
    seto byte ptr [edi + ecx + 0x50]
    setc byte ptr [edi + ecx + 0x70]
    dec ecx
    jnz top
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
`;

/**
 * CMPXCHG writes even when the values differ: on a read-only page it faults. The loop's last pass aims it at
 * the read-only page (EDX 0x4000 then, else 0: a writable page), with EAX never equal to the operand.
 */
const COMPARE_EXCHANGE_READ_ONLY = `
    mov ecx, 30
again:
    xor edx, edx
    cmp ecx, 1
    sete dl
    shl edx, 14
    mov eax, [edi + edx + 0x1000]
    not eax
    lock cmpxchg [edi + edx + 0x1000], ecx
    add [edi + 0x200], eax
    dec ecx
    jnz again
    hlt
`;

/**
 * Conditional jumps that are labels of their own: each is reached both right after its producer and from a
 * second producer elsewhere, so where it is written the kind of the pending flags is known only at run time
 * (a SUB, a logic operation, an ADD or a DEC). Every order condition and its negation; ESI collects the
 * outcomes bit by bit and each pass stores it. About one pass in four compares equal operands.
 */
function labelledConditions(pairs: readonly (readonly [string, string])[]): string {
  const blocks: string[] = [];
  const seconds: string[] = [];
  const conditions = ['b', 'nb', 'be', 'nbe', 'l', 'nl', 'le', 'nle'];
  pairs.forEach(([first, second], p) => {
    conditions.forEach((cc, c) => {
      const n = p * conditions.length + c;
      blocks.push(`
    add esi, esi
    test ecx, ${1 << (n % 3)}
    jnz second${n}
    ${first}
jcc${n}:
    j${cc} skip${n}
    inc esi
skip${n}:`);
      seconds.push(`
second${n}:
    ${second}
    jmp jcc${n}`);
    });
  });
  return `
    xor esi, esi
    mov ecx, 40
again:
    mov eax, [edi + ecx * 4]
    mov edx, [edi + ecx * 4 + 0x40]
    mov ebx, [edi + ecx * 8 + 0x100]
    test ecx, 3
    jnz unequal
    mov edx, eax
unequal:${blocks.join('')}
    mov [edi + ecx * 4 + 0x800], esi
    dec ecx
    jnz again
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
${seconds.join('')}
`;
}

/**
 * Loops in loops (region-scopes.ts): an outer loop holding a middle one that holds a self-loop, gotos back
 * to each loop's first label and to a label inside a loop, and gotos forward into the middle of a loop from
 * outside it. Runs of 997 instructions enter the regions at labels all over.
 */
const NESTED_LOOPS = `
    mov ecx, 24
outer:
    mov edx, ecx
    and edx, 7
    inc edx
    test ecx, 4
    jnz tail                        # forward into the middle loop
middle:
    lea eax, [edx + ecx]
    test eax, 1
    jz skip
    add [edi + 0x100], eax
inner:
    add ebx, edx
    sub eax, 3
    jg inner
    test edx, 2
    jnz tail
skip:
    xor ebx, 0x55
tail:
    lea ebx, [ebx + ebx * 2 + 1]
    mov [edi + ecx * 4 + 0x200], ebx
    dec edx
    jz done
    test edx, 1
    jnz middle                      # back to the middle loop's first label
    test ebx, 2
    jnz skip                        # back to a label inside it
    jmp middle
done:
    add esi, ebx
    test esi, 0x10
    jz again
    add esi, 7
again:
    dec ecx
    jnz outer
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
`;

/**
 * Group-2 shifts of bytes, words and dwords in registers and memory, by 1, an immediate and CL (CL counts
 * 0..31 over the passes: 0 changes nothing, flags included; a narrow SHR by more than its width leaves for
 * the interpreter), SHLD/SHRD by an immediate and by CL, CWDE and CDQ: the forms xz, bzip2, gzip and
 * OpenSSL ran through `step`.
 */
const SHIFT_FORMS = `
    mov ecx, 30
again:
    mov eax, [edi + ecx * 4 + 0x100]
    mov edx, [edi + ecx * 4 + 0x180]
    shr ax, 5
    ${captureFlags(0x300)}
    sar dl, 3
    ${captureFlags(0x308)}
    shl dh, 1
    ${captureFlags(0x310)}
    shl ax, 13
    ${captureFlags(0x318)}
    shr byte ptr [edi + ecx + 0x400], 1
    ${captureFlags(0x320)}
    sar word ptr [edi + ecx * 2 + 0x440], 9
    shl dword ptr [edi + ecx * 4 + 0x480], 7
    ${captureFlags(0x328)}
    shr dword ptr [edi + ecx * 4 + 0x480], 1
    sar ah, 7
    shl byte ptr [edi + ecx + 0x4f0], 6
    ${captureFlags(0x330)}
    add [edi + 0x200], eax
    add [edi + 0x204], edx
    push ecx
    imul ecx, ecx, 7
    mov ebx, [edi + ecx * 4 + 0x100]
    mov esi, [edi + ecx * 2 + 0x180]
    shr bx, cl
    ${captureFlags(0x338)}
    shr bl, cl
    sar si, cl
    ${captureFlags(0x340)}
    shl bh, cl
    ${captureFlags(0x348)}
    shr dword ptr [edi + 0x520], cl
    sar byte ptr [edi + 0x524], cl
    shl word ptr [edi + 0x528], cl
    ${captureFlags(0x350)}
    shld ebx, esi, cl
    ${captureFlags(0x358)}
    shrd [edi + 0x530], esi, cl
    ${captureFlags(0x360)}
    pop ecx
    add [edi + 0x208], ebx
    add [edi + 0x20c], esi
    shld eax, edx, 7
    ${captureFlags(0x368)}
    shrd [edi + ecx * 4 + 0x540], eax, 13
    ${captureFlags(0x370)}
    shrd edx, eax, 31
    ${captureFlags(0x378)}
    shld dword ptr [edi + 0x5f0], edx, 1
    add [edi + 0x210], eax
    add [edi + 0x214], edx
    cwde
    cdq
    add [edi + 0x218], eax
    add [edi + 0x21c], edx
    dec ecx
    jnz again
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
`;

/**
 * Group 3 on bytes and words (NEG, NOT, TEST r/m, imm; NEG of 0x80 and 0x8000 overflows), in registers and
 * memory, and the ECX branches LOOP and JECXZ (taken and not): forms Python's interpreter loop ran through
 * `step`.
 */
const GROUP3_AND_ECX_BRANCHES = `
    mov ebx, 40
again:
    mov eax, ebx                    # AX 0x8000 and DL 0x80 (overflowing) when EBX is 4 mod 8
    shl eax, 13
    mov edx, ebx
    shl edx, 5
    add eax, [edi + ebx * 4 + 0x100]
    add dh, [edi + ebx * 2 + 0x180]
    mov [edi + ebx * 2 + 0x400], ax
    mov [edi + ebx + 0x4c0], dl
    sub ax, [edi + ebx * 4 + 0x100]
    neg ax
    ${countFlags(0x240)}
    neg dl
    ${countFlags(0x248)}
    neg dh
    not dx
    neg word ptr [edi + ebx * 2 + 0x400]
    ${countFlags(0x250)}
    not byte ptr [edi + ebx + 0x480]
    neg byte ptr [edi + ebx + 0x4c0]
    ${countFlags(0x258)}
    test ax, 0x8001
    ${countFlags(0x260)}
    test word ptr [edi + ebx * 2 + 0x500], 0x7ff0
    ${countFlags(0x268)}
    add [edi + 0x200], eax
    add [edi + 0x204], edx
    mov ecx, ebx
    and ecx, 3
    xor esi, esi
count:
    jecxz counted
    add esi, ecx
    loop count
counted:
    add [edi + 0x208], esi
    add [edi + 0x20c], ecx
    dec ebx
    jnz again
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
`;

/**
 * MMX forms (MOVD, MOVQ, PADDQ/D, PSUBQ/D, PMULUDQ, logic, shifts by an immediate and by a register or m64,
 * PUNPCKLDQ and PUNPCKHDQ) in a loop with x87 loads and stores after its EMMS. After the loop FSAVE (once, interpreted) shows the
 * registers' images, the tags and TOP the MMX instructions left.
 */
const MMX_FORMS = `
    mov ecx, 30
again:
    movd mm0, [edi + ecx * 4 + 0x600]
    mov edx, [edi + ecx * 4 + 0x680]
    movd mm1, edx
    movq mm2, [edi + ecx * 8 + 0x700]
    pmuludq mm0, mm2
    paddq mm0, mm1
    psubq mm2, [edi + 0x708]
    paddd mm1, mm2
    psubd mm1, [edi + 0x710]
    movq mm3, mm0
    pand mm3, mm2
    pandn mm3, [edi + 0x718]
    por mm2, mm3
    pxor mm1, [edi + ecx * 8 + 0x720]
    psrlq mm0, 7
    psllq mm1, 33
    psrld mm2, 5
    psrad mm3, 40
    pslld mm0, 3
    psrlq mm3, 64
    movd mm4, ecx
    psrlq mm2, mm4
    psllq mm1, [edi + ecx * 4 + 0x7c0]
    movq [edi + ecx * 8 + 0x800], mm0
    movq mm5, mm1
    movq [edi + ecx * 8 + 0x900], mm5
    movd [edi + ecx * 4 + 0xa00], mm2
    movd eax, mm1
    add [edi + 0x200], eax
    movq mm6, mm3
    movq [edi + 0x208], mm6
    punpckldq mm6, mm0              # unpacks of dwords: registers, m32 (the last dword of a page) and m64
    punpckhdq mm5, mm6
    punpckldq mm7, [edi + 0x3ffc]
    punpckhdq mm7, [edi + ecx * 8 + 0x700]
    movq [edi + ecx * 8 + 0xc00], mm5
    movq [edi + ecx * 8 + 0xd00], mm7
    emms
    fld dword ptr [edi + ecx * 4 + 0xb00]
    fstp dword ptr [edi + ecx * 4 + 0xb80]
    dec ecx
    jnz again
    movd mm7, ecx
    fsave [edi + 0x3c0]
    mov eax, [edi + 0x3ffe]         # #PF: the end
    hlt
`;

/**
 * PUSH and POP with ESP not dword-aligned, at a page end of the window (whose pages are on frames that are
 * not neighbours): each slot straddles two pages, so a region must leave them to the decoded tier.
 */
const MISALIGNED_STACK = `
    mov ebp, esp
    lea esp, [edi + 0x1002]
    mov ecx, 30
again:
    push ecx
    push dword ptr [edi + ecx * 4 + 0x100]
    pop eax
    pop edx
    add [edi + 0x200], eax
    add [edi + 0x204], edx
    push eax
    add esp, 4
    dec ecx
    jnz again
    mov esp, ebp
    hlt                             # #GP in ring 3: the end
`;

const interpreter = () => new GuestMachine(8 << 20, 0, false);

/** Where NEW_PAGE_EACH_PASS stores: PASSES pages, none touched before its pass. */
const FRESH_PAGES = 0x01000000;
const PASSES = 64;

/** A loop of PASSES passes running `body` with ESI at the next fresh page each time, then a syscall. */
function passOverFreshPages(body: string): string {
  return `
    mov esi, ${FRESH_PAGES}
    mov ecx, ${PASSES}
again:
    lea eax, [ecx * 4 + 0x55]
    add ebx, eax${body}
    add esi, 0x1000
    dec ecx
    jnz again
    int 0x80
`;
}

/**
 * A loop that reads and writes a page it has not touched before on every pass, after six instructions on
 * registers: once the loop is a region, each pass meets a TLB miss, which leaves the region there (the
 * decoded tier runs the rest of the pass, filling the TLB), and the next pass enters the region again.
 */
const NEW_PAGE_EACH_PASS = passOverFreshPages(`
    lea ebx, [ebx + ebx * 2]
    xor edx, ebx
    lea edi, [edx + ecx]
    add eax, edi
    add eax, [esi + 0x7f0]
    mov [esi + 0x7f4], eax
    add dword ptr [esi + 0x7f8], ecx`);

/**
 * The same with flags live across each miss: a carry and a comparison made before the access are read after
 * it, and a DEC's kept carry meets a miss between its producer and its reader. The region must leave with
 * them pending there, for the decoded tier to read.
 */
const FLAGS_ACROSS_MISSES = passOverFreshPages(`
    mov edx, [esi + 0x7f0]
    adc edx, ecx
    cmp edx, ebx
    mov [esi + 0x7f4], edx
    jb below
    add edi, 3
below:
    sub eax, edx
    dec edi
    add dword ptr [esi + 0x7f8], ecx
    adc edi, 5`);

/**
 * Runs `source` (NEW_PAGE_EACH_PASS by default) in runs of 97 instructions, the host flushing the TLB between
 * runs (as a context switch does) so even the code's and stack's pages miss; returns registers, the
 * instruction count and the pages' bytes, and the CPU's counters.
 */
function touchFreshPages(
  m: GuestMachine,
  source = NEW_PAGE_EACH_PASS,
): {
  state: number[];
  stats: ReturnType<GuestMachine['cpu']['stats']>;
} {
  m.map(TEST_CODE);
  m.write(TEST_CODE, assemble(source).code);
  m.map(TEST_STACK_TOP & ~0xfff);
  for (let page = 0; page < PASSES; page++) {
    m.map(FRESH_PAGES + page * 0x1000);
    m.write(FRESH_PAGES + page * 0x1000 + 0x7f0, Uint8Array.of(page, 0x5a, page ^ 0x33, 0x81));
  }
  m.cpu.setReg(Reg.ESP, TEST_STACK_TOP);
  m.cpu.eip = TEST_CODE;
  let exit: number = RunExit.Budget;
  for (let i = 0; i < 100 && exit === RunExit.Budget; i++) {
    exit = m.cpu.run(97);
    m.cpu.flushTlb();
  }
  expect(exit).toBe(RunExit.Syscall);
  const state = [...[0, 1, 2, 3, 6, 7].map((r) => m.cpu.getReg(r as Reg)), m.cpu.insns];
  for (let page = 0; page < PASSES; page++) state.push(...m.read(FRESH_PAGES + page * 0x1000 + 0x7f0, 12));
  return { state, stats: m.cpu.stats() };
}

/** LOCK with a register operand is #UD: executed every pass, so its block is hot and in the region. */
const LOCK_ON_REGISTER = `
    mov ecx, 30
again:
    .byte 0xf0, 0x0f, 0xb1, 0xd1    # lock cmpxchg ecx, edx
    add eax, ecx
    dec ecx
    jnz again
    int 0x80
`;

/**
 * Runs LOCK_ON_REGISTER, stepping over each #UD as a SIGILL handler that skips the instruction would; returns
 * the #UD count, EAX and the instruction count at the end.
 */
function skipInvalidOpcodes(m: GuestMachine): number[] {
  m.map(TEST_CODE);
  m.write(TEST_CODE, assemble(LOCK_ON_REGISTER).code);
  m.map(TEST_STACK_TOP & ~0xfff);
  m.cpu.setReg(Reg.ESP, TEST_STACK_TOP);
  m.cpu.eip = TEST_CODE;
  let invalid = 0;
  for (let i = 0; i < 200; i++) {
    const exit = m.cpu.run(997);
    if (exit === RunExit.Syscall) break;
    if (exit !== RunExit.Fault) continue;
    expect(m.cpu.fault.vector).toBe(UD);
    invalid++;
    m.cpu.eip = (m.cpu.eip + 4) | 0;
  }
  return [invalid, m.cpu.getReg(Reg.EAX), m.cpu.insns];
}

const UD = 6;

/**
 * Runs `source` by the interpreter alone and by WebAssembly regions (threshold 2), expects the same outcome,
 * ending in a fault, with regions running most of it and never calling `step`; returns the outcome.
 */
function sameWithoutSteps(source: string): Outcome {
  const interpreted = runInWindow(source, interpreter);
  expect(interpreted.exit).toBe(RunExit.Fault);
  let regions: GuestMachine | null = null;
  const compiled = runInWindow(source, () => {
    regions = new GuestMachine(8 << 20, 2, true, 'wasm');
    return regions;
  });
  expect(compiled).toEqual(interpreted);
  const stats = (regions as GuestMachine | null)?.cpu.stats();
  expect(stats?.compiledInsns).toBeGreaterThan(interpreted.insns / 2);
  expect(stats?.regionSteps).toBe(0);
  return interpreted;
}

describe('WebAssembly region templates', () => {
  it('run word forms, XCHG, LEAVE, CMPXCHG, BT and BSF/BSR as the interpreter does, without step', () => {
    expect(sameWithoutSteps(TEMPLATE_FORMS).cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
  });

  it('run narrow, memory and CL shifts, SHLD/SHRD, CWDE and CDQ as the interpreter does, without step', () => {
    sameWithoutSteps(SHIFT_FORMS);
  });

  it('run NEG, NOT and TEST of bytes and words, LOOP and JECXZ as the interpreter does, without step', () => {
    sameWithoutSteps(GROUP3_AND_ECX_BRANCHES);
  });

  it('run MMX forms on the x87 registers as the interpreter does, without step', () => {
    sameWithoutSteps(MMX_FORMS);
  });

  it('run loops in loops, entered anywhere, as the interpreter does', () => {
    sameWithoutSteps(NESTED_LOOPS);
  });

  it('take conditional jumps reached from two producers as the interpreter does', () => {
    sameWithoutSteps(
      labelledConditions([
        ['cmp eax, edx', 'test eax, edx'],
        ['cmp dl, al', 'and ebx, eax'],
      ]),
    );
    sameWithoutSteps(
      labelledConditions([
        ['sub ebx, eax', 'add ebx, edx'],
        ['cmp eax, ebx', 'dec ebx'],
      ]),
    );
  });

  it('run MOVS and STOS without REP, word rotates, register bit tests, SAHF, TZCNT and LZCNT as the interpreter does, without step', () => {
    expect(sameWithoutSteps(STRING_AND_FLAG_FORMS).cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
  });

  it('run RET imm16 (a callee that pops its arguments) as the interpreter does, without step', () => {
    expect(sameWithoutSteps(RETURN_AND_RELEASE).cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
  });

  it('run LOCK XADD, LOCK ADD, LOCK INC, LOCK SUB and XADD as the interpreter does, without step', () => {
    expect(sameWithoutSteps(LOCKED_FORMS).cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
  });

  it('leave MOVS without REP across a page end or with ES based to step', () => {
    const interpreted = runInWindow(STRING_SLOW, interpreter);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
    expect(runInWindow(STRING_SLOW, () => new GuestMachine(8 << 20, 2, true, 'wasm'))).toEqual(interpreted);
  });

  it('take pending flags from decoded blocks back into regions where a chain goes on from them', () => {
    const interpreted = runInWindow(DECODED_BETWEEN_REGIONS, interpreter);
    expect(interpreted.exit).toBe(RunExit.Fault);
    for (const threshold of [2, 3, 4])
      expect(
        runInWindow(DECODED_BETWEEN_REGIONS, () => new GuestMachine(8 << 20, threshold, true, 'wasm')),
      ).toEqual(interpreted);
  });

  /** Runs `source` with WebAssembly regions at JIT threshold 64 under `budget`: the same outcome as interpreted. */
  const compileWith = (source: string, budget?: CompileBudget) => {
    const interpreted = runInWindow(source, interpreter);
    let m: GuestMachine | null = null;
    const outcome = runInWindow(source, () => {
      m = new GuestMachine(8 << 20, 64, true, 'wasm', budget);
      return m;
    });
    expect(outcome).toEqual(interpreted);
    return { interpreted, stats: (m as unknown as GuestMachine).cpu.stats() };
  };

  it('compile no more regions than the compile budget has earned, putting the rest off, with the same outcome', () => {
    const source = separateLoops('not eax');
    const { interpreted, stats: free } = compileWith(source);
    // One region by the start, a second one earned halfway through: fewer than the program compiles freely.
    const budgets = [
      { burst: 0, insnsPerRegion: 1e9 },
      { burst: 1, insnsPerRegion: Math.ceil(interpreted.insns / 2) },
    ];
    for (const budget of budgets) {
      const { stats } = compileWith(source, budget);
      expect(stats.compilesDeferred).toBeGreaterThan(0);
      const earned = budget.burst + Math.floor(interpreted.insns / budget.insnsPerRegion);
      expect(stats.compiledBlocks).toBeLessThanOrEqual(earned);
      expect(free.compiledBlocks).toBeGreaterThan(earned);
    }
  });

  it('compile a block the decoded tier steps through sooner than the threshold, whatever the budget', () => {
    // 40 passes: short of the threshold (64) for NOT EAX; with PADDD, one step in four instructions, due at 32.
    const plain = compileWith(separateLoops('not eax')).stats;
    const stepped = compileWith(separateLoops('paddd mm0, mm1')).stats;
    expect(stepped.compiledBlocks).toBe(plain.compiledBlocks + 1);
    // No region earned: the three plain loops are put off, the loop with the step is not.
    const broke = { burst: 0, insnsPerRegion: 1e9 };
    expect(compileWith(separateLoops('not eax'), broke).stats.compiledBlocks).toBe(0);
    const { stats } = compileWith(separateLoops('paddd mm0, mm1'), broke);
    expect(stats.compiledBlocks).toBe(1);
    expect(stats.compilesDeferred).toBeGreaterThan(0);
  });

  it('run REP MOVS/STOS of bytes and dwords in their common case without step, as the interpreter does', () => {
    expect(sameWithoutSteps(REP_FAST).cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
  });

  it('leave REP MOVS/STOS that overlap, cross a page, count down or move more than a page to step', () => {
    const interpreted = runInWindow(REP_SLOW, interpreter);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(14);
    expect(runInWindow(REP_SLOW, () => new GuestMachine(8 << 20, 2, true, 'wasm'))).toEqual(interpreted);
  });

  it('leave PUSH and POP of a slot that is not dword-aligned (it may cross a page) to the decoded tier', () => {
    const interpreted = runInWindow(MISALIGNED_STACK, interpreter);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(13); // HLT in ring 3: the end
    expect(runInWindow(MISALIGNED_STACK, () => new GuestMachine(8 << 20, 2, true, 'wasm'))).toEqual(
      interpreted,
    );
  });

  it('leave LOCK CMPXCHG on a register (#UD) to the interpreter, however hot', () => {
    const interpreted = skipInvalidOpcodes(interpreter());
    expect(interpreted[0]).toBe(30);
    expect(skipInvalidOpcodes(new GuestMachine(8 << 20, 2, true, 'wasm'))).toEqual(interpreted);
  });

  it('leave at a TLB miss for the decoded tier to fill, and come back', () => {
    const interpreted = touchFreshPages(interpreter());
    const compiled = touchFreshPages(new GuestMachine(8 << 20, 2, true, 'wasm'));
    expect(compiled.state).toEqual(interpreted.state);
    // Every pass missed, yet regions ran the six instructions before the miss in most passes.
    expect(compiled.stats.compiledInsns).toBeGreaterThan(((interpreted.state[6] as number) * 6) / 13 / 2);
    expect(compiled.stats.regionCalls).toBeGreaterThan(PASSES / 2);
  });

  it('keep the flags an instruction after a TLB miss reads, leaving for the miss', () => {
    const interpreted = touchFreshPages(interpreter(), FLAGS_ACROSS_MISSES);
    const compiled = touchFreshPages(new GuestMachine(8 << 20, 2, true, 'wasm'), FLAGS_ACROSS_MISSES);
    expect(compiled.state).toEqual(interpreted.state);
    expect(compiled.stats.regionCalls).toBeGreaterThan(PASSES / 2);
  });

  it('leave a CMPXCHG whose values differ on a read-only page to fault', () => {
    const interpreted = runInWindow(COMPARE_EXCHANGE_READ_ONLY, interpreter);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(14);
    expect(runInWindow(COMPARE_EXCHANGE_READ_ONLY, () => new GuestMachine(8 << 20, 2, true, 'wasm'))).toEqual(
      interpreted,
    );
  });
});
