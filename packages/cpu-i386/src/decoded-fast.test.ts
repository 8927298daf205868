/**
 * The decoded tier's inline paths (decoded-fast.ts, run by decoded-block.ts's runDecoded) against the
 * interpreter: a loop over every inline form, with operands that straddle a page end (the two pages on
 * frames that are not neighbours, so reading past the end of the first frame gives other bytes), a stack
 * slot that straddles one, sign extension, compares on memory, RET with an immediate, and a load that
 * runs into an unmapped page. Registers, flags, memory, instruction counts and the fault must be equal.
 */
import { RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { GuestMachine } from './testing/guest.js';
import { type Outcome, runInWindow, WINDOW, WINDOW_PAGES } from './testing/window-program.js';

/**
 * Each value an inline form computes is added into a word of memory, so that a wrong one shows (not XORed:
 * an error by a constant would cancel out over an even number of passes).
 */
const INLINE_FORMS = `
    mov ecx, 40
    mov ebp, esp
pass:
    mov eax, [edi + 0xffe]          # MOV r32, [m32] across the first page end
    add [edi + 0x40], eax
    mov [edi + 0x7f0], eax          # MOV [m32], r32
    mov eax, [edi + 0x3100]
    mov [edi + 0x3104], edx         # ... to a page nothing else writes
    mov [0x600000 + 0x3108], ebx    # MOV moffs32, EAX / r32 (A3, 89 /r with a disp32)
    mov eax, [0x600000 + 0x3104]    # MOV EAX, moffs32 (A1)
    add [edi + 0x6c], eax
    mov [edi + 0x1ffd], ebx         # ... across the second page end
    add dword ptr [edi + 0x10], 3   # ALU [m32], imm
    sub [edi + 0x24], ecx           # ALU [m32], r32
    cmp [edi + 0x24], ebx           # ... CMP: flags only
    adc [edi + 0xffd], esi          # ... across the page end
    sub byte ptr [edi + 0x28], 5    # ALU [m8], imm8
    cmp byte ptr [edi + 0x29], 0x90 # ... CMP
    mov byte ptr [edi + 0x2a], 0x80
    cmp byte ptr [edi + 0x2a], 1    # ... overflows at 8 bits, not at 32
    pushfd
    pop eax
    add [edi + 0x84], eax
    mov dword ptr [edi + 0x2c], 0x1234567   # MOV [m32], imm32
    mov dword ptr [edi + 0x2ffe], 0x89abcdef # ... across the page end
    mov dl, [edi + 0x28]            # MOV r8, [m8]: DL, then DH
    mov dh, [edi + 0x29]
    add [edi + 0x70], edx
    shl edx, 3                      # group 2 on a register by an immediate
    ror edx, 13
    sar edx, 0                      # a count of 0 leaves the value and the flags
    pushfd
    pop eax
    add [edi + 0x80], eax
    add [edi + 0x74], edx
    pushfd
    pop edx
    add [edi + 0x78], edx
    cmp dword ptr [edi + 0x10], 70  # CMP [m32], imm: flags only
    adc eax, [edi + 0x14]           # ALU r32, [m32] (reads CF)
    sbb ebx, [edi + 0xffd]
    cmp esi, [edi + 0x18]
    sub eax, [edi + 0x18]
    add [edi + 0x88], eax
    sub edx, eax                    # ALU r32, r32
    xor eax, ebx
    cmp ebx, edx
    add [edi + 0x44], edx
    and esi, 0x7ffff                # ALU r32, imm
    or esi, 0x10
    cmp esi, 0x1000
    add [edi + 0x48], esi
    pushfd
    pop esi
    add [edi + 0x4c], esi
    test eax, edx                   # TEST r32, r32
    pushfd
    pop esi
    add [edi + 0x8c], esi
    mov esi, eax                    # MOV r32, r32
    add [edi + 0x50], esi
    mov esi, 0x87654321             # MOV r32, imm32
    add [edi + 0x54], esi
    movsx edx, byte ptr [edi + 0x21]   # MOVSX/MOVZX r32, [m8/m16] (0x21, 0x22: negative)
    add [edi + 0x58], edx
    movzx esi, byte ptr [edi + 0x21]
    add [edi + 0x5c], esi
    movsx ebx, word ptr [edi + 0x21]   # (0x8ff8: negative, and not aligned)
    add [edi + 0x60], ebx
    movzx esi, word ptr [edi + 0xfff]  # ... across the page end
    movsx eax, word ptr [edi + 0x1fff]
    lea eax, [ebx + esi * 4 + 8]    # LEA
    add [edi + 0x64], eax
    lea edx, [eax + 0x100]
    inc ebx                         # INC/DEC r32
    dec edx
    rdtsc                           # reads the instruction count: the inline ones before it included
    add [edi + 0x68], eax
    push eax                        # PUSH/POP r32
    push ebx
    pop edx
    pop ebx
    mov esp, edi                    # a stack slot across the first page end
    add esp, 0x1002
    push ecx
    pop esi
    mov esp, ebp
    push 0x11223344                 # PUSH imm
    pop edx
    add [edi + 0x7c], edx
    push 7
    call callee                     # CALL, RET imm16
    jmp over                        # JMP
    nop
over:
    dec ecx
    jnz pass                        # Jcc
    mov eax, [edi + 0x3ffe]         # runs into the unmapped fifth page: #PF
    hlt
callee:
    add eax, [esp + 4]
    ret 4
`;

/**
 * The same kind of forms with DS and SS on a segment with a limit (the LDT's entry 0, selector 7: base
 * WINDOW, limit 0x1f00 bytes), which inline paths leave to the record; the last instruction (`last`) breaks
 * the limit (inside a page: past a page end the inline paths would decline anyway).
 */
function limitedSegments(last: string): string {
  return `
    mov ax, 7
    mov ds, ax
    mov ss, ax
    mov esp, 0x1800
    mov ecx, 12
pass:
    mov eax, [0x10]
    add dword ptr [0x14], 3
    adc ebx, [0x18]
    mov [0x1c], ebx
    movsx edx, byte ptr [0x20]
    push eax
    pop edx
    call callee
    dec ecx
    jnz pass
    ${last}
    hlt
callee:
    ret
`;
}

/**
 * Forms with no inline path in JS that the WebAssembly runner runs by their record kind (8-bit registers and
 * memory, 16-bit sources, conditions, INC/DEC/NEG/NOT/XCHG, IMUL, MUL/DIV, shifts by CL, indirect transfers,
 * PUSH r/m, LEAVE, CDQ, CLD/STD), each result added into memory. ADC among them leaves its instruction to the record.
 */
const RECORD_FORMS = `
    mov ecx, 30
    mov dword ptr [edi + 0x78], offset callee + 0x400000   # TEST_CODE: the code is not relocated
pass:
    mov eax, [edi + ecx * 4 + 0x200]
    mov ebx, [edi + ecx * 4 + 0x204]
    add eax, 0x12345                # ALU EAX, imm32
    add [edi + 0x40], eax
    cmp al, 0x3d                    # ALU AL, imm8
    setb dl                         # SETcc r8
    sete byte ptr [edi + 0x41]      # SETcc m8
    add al, 0x7f
    adc al, 1
    and eax, 0xff00ff
    add [edi + 0x44], eax
    test bl, 0x80                   # TEST r8, imm8
    setnz dh
    test byte ptr [edi + ecx + 0x300], 0x41   # TEST m8, imm8
    setz byte ptr [edi + 0x48]
    test dword ptr [edi + ecx * 4 + 0x200], 0x10000 # TEST m32, imm32
    seto byte ptr [edi + 0x49]
    test bl, ah                     # TEST r8, r8
    sets byte ptr [edi + 0x4a]
    test [edi + ecx * 4 + 0x204], ebx   # TEST m32, r32
    setp byte ptr [edi + 0x4b]
    test al, 5                      # TEST AL, imm8
    setnz byte ptr [edi + 0x4c]
    test eax, 0x80000001            # TEST EAX, imm32
    setnz byte ptr [edi + 0x4d]
    add bh, cl                      # ALU r8, r8
    sub [edi + 0x50], bl            # ALU m8, r8
    or byte ptr [edi + ecx + 0x300], dl
    add dl, [edi + ecx + 0x301]     # ALU r8, m8
    sub ah, bh
    add [edi + 0x58], edx
    add [edi + 0x58], ebx
    add dh, 0x33                    # ALU r8, imm8
    cmp bl, 0x80
    setl byte ptr [edi + 0x5d]
    mov [edi + ecx + 0x400], al     # MOV m8, r8
    mov dl, ah                      # MOV r8, r8
    mov bh, [edi + ecx + 0x401]
    mov byte ptr [edi + ecx + 0x402], 0x5a    # MOV m8, imm8
    movzx esi, bh                   # MOVZX/MOVSX r32, r8/r16
    add [edi + 0x60], esi
    movsx esi, dh
    add [edi + 0x64], esi
    movsx esi, dx
    add [edi + 0x68], esi
    movsx esi, bl                   # (the window's bytes: half of them negative)
    add [edi + 0x68], esi
    movsx esi, bx
    add [edi + 0x68], esi
    movzx esi, ax
    add [edi + 0x6c], esi
    cmp eax, ebx
    cmovl esi, ebx                  # CMOVcc r32, r32 and r32, m32
    cmovg esi, [edi + ecx * 4 + 0x200]
    add [edi + 0x70], esi
    push dword ptr [edi + ecx * 4 + 0x200]    # PUSH m32
    pop esi
    add [edi + 0x74], esi
    .byte 0xff, 0xf3                # PUSH EBX as FF /6
    pop esi
    add [edi + 0x74], esi
    mov esi, offset callee + 0x400000
    call esi                        # CALL r32 and m32
    call dword ptr [edi + 0x78]
    mov esi, offset after1 + 0x400000
    jmp esi                         # JMP r32 and m32
after1:
    mov dword ptr [edi + 0x7c], offset after2 + 0x400000
    jmp dword ptr [edi + 0x7c]
after2:
    push ebp                        # LEAVE
    mov ebp, esp
    push eax
    leave
    cdq                             # CDQ
    add [edi + 0x80], edx
    inc byte ptr [edi + ecx + 0x300]    # INC/DEC r/m: memory bytes and dwords, byte registers
    dec dword ptr [edi + ecx * 4 + 0x200]
    setz byte ptr [edi + 0x8c]
    inc bl
    dec ah
    seto byte ptr [edi + 0x8d]
    neg byte ptr [edi + ecx + 0x301]    # NEG, NOT r/m
    setc byte ptr [edi + 0x8e]
    neg ebx
    sets byte ptr [edi + 0x8f]
    neg dl
    mov esi, ecx                    # NEG of 1..30: CF, AF and OF from every operand
    neg esi
    pushfd
    pop esi
    add [edi + 0x90], esi
    not dword ptr [edi + ecx * 4 + 0x204]
    not bh
    add [edi + 0x90], ebx
    add [edi + 0x94], edx
    xchg [edi + ecx * 4 + 0x200], esi   # XCHG r/m, r
    xchg bl, dh
    xchg esi, ebx
    add [edi + 0x98], esi
    add [edi + 0x98], ebx
    imul esi, ebx                   # IMUL r32, r/m32 and r32, r/m32, imm: overflowing and not
    add [edi + 0xa0], esi
    pushfd
    pop esi
    add [edi + 0xa4], esi
    imul esi, [edi + ecx * 4 + 0x200]
    add [edi + 0xa0], esi
    imul esi, ebx, 0x1000193
    add [edi + 0xa0], esi
    imul esi, [edi + ecx * 4 + 0x204], -3
    add [edi + 0xa0], esi
    mov esi, ecx
    imul esi, esi, 3
    setc byte ptr [edi + 0xa8]
    sets byte ptr [edi + 0xa9]
    mov esi, 0x7fffffff
    imul esi, ecx
    seto byte ptr [edi + 0xaa]
    setz byte ptr [edi + 0xab]
    mov eax, [edi + ecx * 4 + 0x200]    # MUL, IMUL, DIV, IDIV r/m32
    mov edx, [edi + ecx * 4 + 0x204]
    mul dword ptr [edi + ecx * 4 + 0x208]
    seto byte ptr [edi + 0xac]
    add [edi + 0xb0], eax
    add [edi + 0xb0], edx
    imul ebx
    setc byte ptr [edi + 0xad]
    add [edi + 0xb0], eax
    add [edi + 0xb0], edx
    mov esi, ecx
    mul esi
    setc byte ptr [edi + 0xae]
    mov eax, 0x80000000             # a high half of 1
    mov esi, 2
    mul esi
    setc byte ptr [edi + 0xaf]
    xor edx, edx
    or ebx, 1
    div ebx
    add [edi + 0xb4], eax
    add [edi + 0xb4], edx
    mov eax, [edi + ecx * 4 + 0x20c]
    cdq
    lea esi, [ecx - 40]             # (negative, never 0 or -1)
    idiv esi
    add [edi + 0xb4], eax
    add [edi + 0xb4], edx
    push ecx                        # shifts by CL of registers and memory, CL 0 among them
    mov esi, ecx
    mov ecx, [edi + ecx * 4 + 0x200]
    shl esi, cl
    sar dword ptr [edi + 0xb8], cl
    shr ebx, cl
    pushfd
    pop edx
    add [edi + 0xbc], edx
    add [edi + 0xbc], esi
    add [edi + 0xbc], ebx
    mov ecx, esi
    xor cl, cl
    shl ebx, cl
    pop ecx
    std                             # CLD, STD (PUSHFD below reads DF)
    pushfd
    pop esi
    add [edi + 0x9c], esi
    cld
    nop
    pushfd
    pop esi
    add [edi + 0x84], esi
    dec ecx
    jnz pass
    hlt
callee:
    add dword ptr [edi + 0x88], 1
    ret
`;

/**
 * LOOP, LOOPE, LOOPNE and JECXZ, taken and not (counts from the window's bytes, zeros among them); BSF,
 * BSR, TZCNT and LZCNT (BSF and BSR on this CPU) of registers and memory, zero sources included (ZF set, the
 * destination unchanged); BT, BTS, BTR and BTC of registers and of memory by an immediate; BSWAP; XADD.
 */
const COUNT_AND_SCAN_FORMS = `
    mov ecx, 40
    mov dword ptr [edi + 0x3f0], 0
pass:
    mov edx, ecx
    bsf edx, [edi + 0x3f0]
    add [edi + 0x68], edx
    xor esi, esi
    mov edx, ecx
    bsr edx, esi
    add [edi + 0x68], edx
    mov eax, [edi + ecx * 4 + 0x200]
    mov ebx, [edi + ecx * 4 + 0x204]
    and ebx, [edi + ecx * 4 + 0x208]
    and ebx, [edi + ecx * 4 + 0x20c]
    mov edx, ecx
    bsf edx, ebx
    setz byte ptr [edi + ecx + 0x100]
    add [edi + 0x40], edx
    bsr edx, eax
    add [edi + 0x44], edx
    mov esi, 0x55
    bsr esi, [edi + ecx * 4 + 0x208]
    add [edi + 0x48], esi
    bsf esi, dword ptr [edi + ecx * 4 + 0x204]
    setz byte ptr [edi + ecx + 0x140]
    add [edi + 0x48], esi
    tzcnt esi, ebx
    add [edi + 0x4c], esi
    lzcnt esi, eax
    add [edi + 0x4c], esi
    mov esi, eax                    # bit tests of registers by registers (offsets past 31) and immediates
    bt esi, ebx
    setc byte ptr [edi + ecx + 0x180]
    bts esi, ecx
    btr esi, eax
    setc byte ptr [edi + ecx + 0x1c0]
    btc esi, edx
    bt esi, 31
    adc [edi + 0x6c], esi
    bts dword ptr [edi + ecx * 4 + 0x200], 7     # ... and of memory by immediates
    setc byte ptr [edi + ecx + 0x240]
    btr dword ptr [edi + ecx * 4 + 0x204], 31
    btc dword ptr [edi + ecx * 4 + 0x208], 0
    bt dword ptr [edi + ecx * 4 + 0x20c], 13
    adc [edi + 0x6c], esi
    bswap esi                       # BSWAP
    add [edi + 0x70], esi
    lock xadd [edi + ecx * 4 + 0x210], esi    # XADD of memory (LOCK, words, bytes) and of registers
    xadd ebx, esi
    xadd word ptr [edi + ecx * 2 + 0x280], si
    xadd byte ptr [edi + ecx + 0x2c0], bl
    pushfd
    pop edx
    add [edi + 0x74], edx
    add [edi + 0x74], esi
    add [edi + 0x74], ebx
    push ecx
    mov ecx, eax
    and ecx, 7
    jecxz no_count
count:
    inc dword ptr [edi + 0x50]
    loop count
no_count:
    add [edi + 0x54], ecx
    movzx ecx, bl
    and ecx, 15
    jecxz no_scan
scan:
    cmp byte ptr [edi + ecx + 0x300], 0x10
    loopne scan
    sete byte ptr [edi + 0x58]
no_scan:
    add [edi + 0x5c], ecx
    movzx ecx, ah
    and ecx, 15
    jecxz no_run
run:
    cmp byte ptr [edi + ecx + 0x310], 0x80
    loope run
    setb byte ptr [edi + 0x60]
no_run:
    add [edi + 0x64], ecx
    pop ecx
    dec ecx
    jnz pass
    hlt
`;

/**
 * Forms with prefixes the decoded tier takes besides a segment override: operand size (ALU, TEST, MOV,
 * shifts, NOT/NEG, MUL/DIV of words, the padding NOPs), REP (string instructions, PAUSE, ENDBR32, `rep ret`)
 * and LOCK (CMPXCHG, ADD). Words cross page ends; the last REP STOSD runs into the unmapped page and faults
 * midway, leaving ECX and EDI where it stopped.
 */
const PREFIXED_FORMS = `
    mov ecx, 30
pass:
    mov eax, [edi + ecx * 4 + 0x200]
    mov edx, [edi + ecx * 4 + 0x204]
    add ax, dx                      # ALU r16, r16 / m16 / imm, with the flags each leaves
    pushfd
    pop esi
    add [edi + 0x40], esi
    sub word ptr [edi + ecx * 2 + 0x100], dx
    adc dx, word ptr [edi + 0xfff]  # ... across the page end
    cmp ax, 0x1234
    pushfd
    pop esi
    add [edi + 0x44], esi
    and ax, 0x8001
    add bx, -3
    sbb bx, 7
    or word ptr [edi + 0x1fff], 0x7001
    pushfd
    pop esi
    add [edi + 0x48], esi
    add [edi + 0x4c], eax
    add [edi + 0x4c], edx
    add [edi + 0x4c], ebx
    test dx, ax                     # TEST of words
    setz byte ptr [edi + 0x50]
    test word ptr [edi + ecx * 2 + 0x100], 0x8000
    sets byte ptr [edi + 0x51]
    test ax, 0xff00
    setnz byte ptr [edi + 0x52]
    mov word ptr [edi + ecx * 2 + 0x300], ax    # MOV of words: r/m, imm, moffs
    mov bx, word ptr [edi + 0x2fff]
    mov word ptr [edi + 0x34], 0xbeef
    mov si, 0x1234
    mov ax, word ptr [0x600000 + 0x3100]
    mov word ptr [0x600000 + 0x3102], si
    add [edi + 0x54], ebx
    add [edi + 0x54], eax
    shl dx, 3                       # shifts of words by 1, an immediate and CL
    sar word ptr [edi + 0x36], 1
    push ecx
    rol dx, cl
    shr word ptr [edi + 0x38], cl
    pop ecx
    pushfd
    pop esi
    add [edi + 0x58], esi
    shld dx, ax, 5                  # SHLD/SHRD of words, by an immediate and by CL (counts past 16 too)
    push ecx
    shrd word ptr [edi + 0x3e], dx, cl
    add cl, 9
    shld word ptr [edi + 0x3e], bx, cl
    pop ecx
    shrd ax, bx, 13
    pushfd
    pop esi
    add [edi + 0x58], esi
    not word ptr [edi + 0x3a]       # NOT, NEG, MUL, DIV of words
    neg dx
    mov ax, word ptr [edi + ecx * 2 + 0x102]
    mul word ptr [edi + 0x3c]
    xor dx, dx
    or bx, 1
    div bx
    add [edi + 0x5c], eax
    add [edi + 0x5c], edx
    .byte 0x66, 0x90                # padding: xchg ax, ax; nopw; nopw cs:...; PAUSE; ENDBR32
    .byte 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00
    .byte 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
    .byte 0xf3, 0x90
    .byte 0xf3, 0x0f, 0x1e, 0xfb
    call rep_ret
    mov eax, [edi + 0x60]           # LOCK CMPXCHG: equal (stores), then most likely not (loads EAX)
    lock cmpxchg [edi + 0x60], ebx
    setz byte ptr [edi + 0x64]
    lock cmpxchg [edi + ecx * 4 + 0x204], edx
    setz byte ptr [edi + 0x65]
    add [edi + 0x6c], eax
    mov al, byte ptr [edi + 0x66]
    lock cmpxchg byte ptr [edi + 0x66], dl      # equal bytes: stores DL
    mov ax, word ptr [edi + 0xfff]
    lock cmpxchg word ptr [edi + 0xfff], dx     # equal words, across the page end
    lock cmpxchg word ptr [edi + 0x1fff], bx    # most likely not: loads AX
    cmpxchg esi, edx
    lock add dword ptr [edi + 0x68], ecx
    add [edi + 0x6c], eax
    add [edi + 0x6c], esi
    push edi                        # string instructions, both directions, with and without REP
    push ecx
    lea esi, [edi + ecx * 4 + 0x800]
    lea edi, [edi + 0xff0]
    mov ecx, 9
    rep movsd                       # across the page end
    mov ecx, 5
    rep movsb
    movsw
    .byte 0x3e, 0xa5                # MOVSD with DS named
    std
    mov eax, 0x5a5a1234
    mov ecx, 7
    rep stosd
    stosb
    cld
    lea esi, [edi - 0x30]
    mov ecx, 40
    repe cmpsb
    pushfd
    mov al, 0x12
    mov ecx, 64
    repne scasb
    lodsd
    mov ebx, ecx
    mov edx, edi
    pop ecx                         # the flags CMPSB left
    add ebx, ecx
    pop ecx
    pop edi
    add [edi + 0x70], esi
    add [edi + 0x70], edx
    add [edi + 0x74], ebx
    add [edi + 0x74], eax
    dec ecx
    jnz pass
    lea edi, [edi + 0x3ff0]         # the window's end: the fifth dword faults
    mov ecx, 100
    rep stosd
    hlt
rep_ret:
    add dword ptr [edi + 0x78], 1
    .byte 0xf3, 0xc3
`;

/**
 * A link that outlives its target: block A (first page) links to B (second page); a store to the second page
 * drops B, and C, of B's instruction count, is decoded into B's room in the arena. A's link still names that
 * header for B's EIP: the runner must see it is C's and not run C's code for B.
 */
const STALE_LINK = `
    mov ecx, 3
loop_a:
    jmp block_b
back_b:
    dec ecx
    jnz loop_a
    test edx, edx
    jnz done
    mov byte ptr [0x400000 + 0x1800], 0x90  # drops the second page's blocks: B
    mov ecx, 2
    inc edx
    jmp block_c
back_c:
    jmp loop_a
done:
    mov [edi + 0x10], eax
    hlt
    .org 0x1000
block_b:
    add eax, 1
    jmp back_b
    .org 0x1100
block_c:
    add eax, 100
    jmp back_c
`;

/**
 * Every condition code after every kind of flag-setting form, over operand pairs at the edges (equal, zero,
 * signed and unsigned overflow, the 8-bit sign): the inline Jcc computes flags from each lazy encoding the
 * forms before it leave (ADD, SUB, LOGIC at 32 and 8 bits, INC/DEC with CF kept, shifts with CF/OF stored,
 * and rotates, ADC and IMUL, whose flags it must leave to the record), and a CMP or TEST right before a Jcc
 * runs fused with it in the WebAssembly runner (decoded-code.ts fuseCompareBranches). Each taken branch skips
 * a count in memory, one per form and condition; the program ends at its HLT (#GP in ring 3).
 */
const FLAG_FORMS = [
  'add',
  'sub',
  'cmp',
  'cmpi8',
  'cmpi32',
  'and',
  'xor',
  'test',
  'adc',
  'inc',
  'dec',
  'shl1',
  'shl',
  'shr',
  'sar',
  'rol',
  'imul',
  'cmpb',
];
const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const OPERAND_PAIRS = [
  [0, 0],
  [1, 1],
  [0x7fffffff, 1],
  [0x80000000, 1],
  [0xffffffff, 1],
  [5, 7],
  [0x80, 0x7f],
  [0x7f, 0x80],
  [0xfffffffe, 0x80000001],
];

function flagForm(form: string): string {
  switch (form) {
    case 'inc':
    case 'dec':
      return `${form} ecx`;
    case 'shl1':
      return 'shl ecx, 1';
    case 'shl':
      return 'shl ecx, 31';
    case 'shr':
      return 'shr ecx, 5';
    case 'sar':
      return 'sar ecx, 3';
    case 'rol':
      return 'rol ecx, 7';
    case 'imul':
      return 'imul ecx, ebx';
    case 'cmpb':
      return 'cmp byte ptr [edi + esi * 8 + 0x100], 0x80';
    case 'cmpi8':
      return 'cmp ecx, 0x7f';
    case 'cmpi32':
      return 'cmp ecx, 0x80000000';
    default:
      return `${form} ecx, ebx`;
  }
}

function conditionsProgram(): string {
  const lines = ['    xor esi, esi'];
  OPERAND_PAIRS.forEach(([a, b], i) => {
    lines.push(
      `    mov dword ptr [edi + ${0x100 + i * 8}], ${a}`,
      `    mov dword ptr [edi + ${0x104 + i * 8}], ${b}`,
    );
  });
  lines.push('pair:', '    mov eax, [edi + esi * 8 + 0x100]', '    mov ebx, [edi + esi * 8 + 0x104]');
  FLAG_FORMS.forEach((form, f) => {
    CONDITIONS.forEach((cc, c) => {
      const label = `f${f}c${c}`;
      lines.push('    mov ecx, eax', `    ${flagForm(form)}`, `    j${cc} ${label}`);
      lines.push(`    add dword ptr [edi + ${0x800 + (f * 16 + c) * 4}], 1`, `${label}:`);
    });
  });
  lines.push('    inc esi', `    cmp esi, ${OPERAND_PAIRS.length}`, '    jne pair', '    hlt');
  return lines.join('\n');
}

/**
 * Every group-1 operation in each 32-bit form the WebAssembly runner has a path of its own for
 * (decoded-spec.ts: register, immediate and memory operands on either side), with memory operands in every
 * addressing shape (no base, base only, index without base, base and index at each scale), LEA in the same
 * shapes, and MOV/TEST forms, over operand pairs at the edges. Each result and the flags it leaves are added
 * into memory.
 */
const SPEC_OPERATIONS = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SPEC_ADDRESSES = [
  '[0x600000 + 0x204]',
  '[edi + 0x204]',
  '[esi * 4 + 0x600000 + 0x104]',
  '[edi + esi + 0x1c4]',
  '[edi + esi * 2 + 0x184]',
  '[edi + esi * 4 + 0x104]',
  '[edi + esi * 8 + 0x4]',
];

function specFormsProgram(): string {
  const lines = ['    xor ebp, ebp', 'pair:', '    mov esi, 0x20'];
  const record = (at: number) =>
    lines.push(`    add [edi + ${at}], ecx`, '    pushfd', '    pop edx', `    add [edi + ${at + 4}], edx`);
  OPERAND_PAIRS.forEach(([a, b], i) => {
    lines.push(
      `    mov dword ptr [edi + ${0x100 + i * 8}], ${a}`,
      `    mov dword ptr [edi + ${0x104 + i * 8}], ${b}`,
    );
  });
  lines.push('    mov eax, [edi + ebp * 8 + 0x100]', '    mov ebx, [edi + ebp * 8 + 0x104]');
  SPEC_OPERATIONS.forEach((op, o) => {
    const at = 0x800 + o * 0x80;
    lines.push('    mov ecx, eax', `    ${op} ecx, ebx`);
    record(at);
    lines.push('    mov ecx, eax', `    ${op} ecx, 0x80000001`);
    record(at + 8);
    lines.push('    mov ecx, eax', `    ${op} ecx, -3`);
    record(at + 16);
    SPEC_ADDRESSES.forEach((address, s) => {
      lines.push('    mov dword ptr [edi + 0x204], ebx', '    mov ecx, eax', `    ${op} ecx, ${address}`);
      record(at + 24);
      lines.push(`    ${op} ${address}, eax`, `    mov ecx, ${address}`);
      record(at + 32 + (s % 2) * 8);
      lines.push(`    ${op} dword ptr ${address}, 0x7fffffff`, `    mov ecx, ${address}`);
      record(at + 48);
      lines.push(`    ${op} dword ptr ${address}, 1`, `    mov ecx, ${address}`);
      record(at + 56);
    });
  });
  SPEC_ADDRESSES.forEach((address, s) => {
    lines.push(`    lea ecx, ${address}`, `    add [edi + ${0xc00 + s * 4}], ecx`);
    lines.push(`    mov ${address}, eax`, `    mov dword ptr [edi + ${0xc40 + s * 4}], 0`);
    lines.push(`    mov ecx, ${address}`, `    add [edi + ${0xc40 + s * 4}], ecx`);
    lines.push(
      `    mov dword ptr ${address}, 0x13579bdf`,
      `    add ecx, ${address}`,
      `    add [edi + ${0xc80 + s * 4}], ecx`,
    );
  });
  lines.push('    mov ecx, ebx', '    mov edx, 0xfedcba98', '    test ecx, eax', '    pushfd', '    pop ecx');
  lines.push('    add [edi + 0xcc0], ecx', '    add [edi + 0xcc4], edx');
  lines.push('    inc ebp', `    cmp ebp, ${OPERAND_PAIRS.length}`, '    jne pair', '    hlt');
  return lines.join('\n');
}

/** How a program runs: the interpreter alone, the decoded tier in JS, or with its WebAssembly runner. */
type Tier = 'interpreter' | 'decoded' | 'decoded-wasm';

/** The decoded tier's WebAssembly runner needs RAM in a WebAssembly memory (the `wasm` compiler's RAM). */
function run(source: string, tier: Tier): Outcome {
  return runInWindow(
    source,
    () => new GuestMachine(8 << 20, 0, tier !== 'interpreter', tier === 'decoded-wasm' ? 'wasm' : 'js'),
  );
}

/** Runs `source` on the interpreter, expects both decoded tiers to end the same way, and returns how it ended. */
function runOnEveryTier(source: string): Outcome {
  const interpreted = run(source, 'interpreter');
  expect(run(source, 'decoded')).toEqual(interpreted);
  expect(run(source, 'decoded-wasm')).toEqual(interpreted);
  return interpreted;
}

/**
 * A store to the read-only page, which the read TLB holds (the load before it): the inline path must leave
 * it to the record, which faults.
 */
function storeToReadOnly(store: string): string {
  return `
    mov eax, [edi + 0x5000]
    ${store}
    hlt
`;
}

const PF = 14;
const GP = 13;
const SS = 12;

describe('the decoded tier inline paths', () => {
  it('run every inline form as the interpreter does, page ends and the fault included', () => {
    const interpreted = runOnEveryTier(INLINE_FORMS);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
  });

  it('run the forms the WebAssembly runner takes by record kind as the interpreter does', () => {
    const interpreted = runOnEveryTier(RECORD_FORMS);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(GP);
  });

  it('count down, scan, test and swap bits, exchange and add as the interpreter does (LOOP*, JECXZ, BSF, BSR, BT*, BSWAP, XADD)', () => {
    const interpreted = runOnEveryTier(COUNT_AND_SCAN_FORMS);
    expect(interpreted.vector).toBe(GP);
  });

  it('run prefixed forms (operand size, REP, LOCK) as the interpreter does, a REP faulting midway included', () => {
    const interpreted = runOnEveryTier(PREFIXED_FORMS);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(PF);
    expect(interpreted.cr2).toBe(WINDOW + WINDOW_PAGES * 0x1000);
  });

  it('never follow a link into a block that took over the room of its dropped target', () => {
    const interpreted = runOnEveryTier(STALE_LINK);
    expect(interpreted.vector).toBe(GP);
    expect(interpreted.regs[0]).toBe(3 + 100 + 2);
  });

  it('compute every condition after every kind of flag-setting form as the interpreter does', () => {
    const source = conditionsProgram();
    const interpreted = runOnEveryTier(source);
    // HLT in ring 3 is #GP: the end of the program.
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(GP);
  });

  it('run each ALU operation in every form the WebAssembly runner has a path of its own for as the interpreter does', () => {
    const source = specFormsProgram();
    const interpreted = runOnEveryTier(source);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(GP);
  });

  it.each([
    'mov [edi + 0x5010], eax',
    'mov dword ptr [edi + 0x5010], 5',
    'add dword ptr [edi + 0x5010], 5',
    'sub [edi + 0x5010], eax',
    'add byte ptr [edi + 0x5010], 5',
  ])('leave a store to a read-only page to the record: %s', (store) => {
    const source = storeToReadOnly(store);
    const interpreted = runOnEveryTier(source);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(PF);
  });

  it.each([
    ['a load past the data segment limit', 'mov eax, [ecx + 0x1efe]', GP],
    ['a push past the stack segment limit', 'mov esp, 0x1f02\n    push eax', SS],
  ])('leave segments with limits to the record: %s', (_name, last, vector) => {
    const source = limitedSegments(last);
    const interpreted = runOnEveryTier(source);
    expect(interpreted.exit).toBe(RunExit.Fault);
    expect(interpreted.vector).toBe(vector);
  });
});
