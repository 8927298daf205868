/**
 * Generator for the string instructions movs stos lods cmps scas in 8/16/32-bit element sizes, without a
 * prefix and with rep / repe / repne, with DF clear (upwards) and set (downwards), over counts 0..5 and
 * mismatch positions that stop repe/repne early. Each case prints both register files (esi/edi point into
 * static buffers, so they are equal on both CPUs) and the destination buffer around the start.
 * `string-bulk`: rep movs / rep stos over thousands of elements in both directions, crossing pages, with the
 * destination overlapping the source at small distances either way — the runs the CPU moves a page at a
 * time must leave the bytes element-by-element copying leaves (a checksum of the whole buffer).
 */
import { cName, cProgram, cString, type Group } from './c-program.js';

const ELEMENT_SUFFIXES = [
  ['b', 1],
  ['w', 2],
  ['l', 4],
] as const;
const COUNTS = [0, 1, 2, 5];
/** Element index (along the direction) where the buffers differ (repe) or agree (repne); 9 = nowhere in reach. */
const STOP_POSITIONS = [0, 1, 3, 9];

const BUFFERS = `#define STRING_MIDDLE 256
#define WINDOW_BYTES 40
static u8 src_buf[512], dst_buf[512];
/* Fills src with A and dst with B everywhere except element \`stop\` along the direction, where dst gets
 * the other value: with equal A and B this makes exactly one mismatch, with different ones one match. */
static void fill_strings(u32 size, u32 df, u32 stop, u8 a, u8 b) {
  for (u32 i = 0; i < sizeof src_buf; i++) {
    src_buf[i] = a;
    dst_buf[i] = b;
  }
  s32 at = STRING_MIDDLE + (df ? -(s32)stop : (s32)stop) * (s32)size;
  for (u32 i = 0; i < size; i++) dst_buf[at + i] = a == b ? (u8)(a ^ 0x81) : a;
}
static void string_case(const char *label, void (*run)(struct state *), u32 size, u32 count, u32 df, u32 stop, u8 a, u8 b, u32 status) {
  fill_strings(size, df, stop, a, b);
  for (u32 i = 0; i < sizeof src_buf; i++) src_buf[i] ^= (u8)(i * 13);
  if (a == b) for (u32 i = 0; i < sizeof dst_buf; i++) dst_buf[i] ^= (u8)(i * 13);
  struct state in, out;
  random_state(&in, status | (df ? DF : 0));
  in.ecx = count;
  in.esi = (u32)(src_buf + STRING_MIDDLE);
  in.edi = (u32)(dst_buf + STRING_MIDDLE);
  /* scas compares with the accumulator: the value at the stop position (repne) or elsewhere (repe). */
  u32 element = 0;
  for (u32 i = 0; i < size; i++) element |= (u32)dst_buf[STRING_MIDDLE + (df ? -(s32)stop : (s32)stop) * (s32)size + i] << (8 * i);
  in.eax = a == b ? element ^ 0x81818181u : element;
  out = in;
  run(&out);
  out_s(label);
  out_kv("n", count, 8);
  out_kv("stop", stop, 8);
  out_state_pair("", &in, &out, STATUS_FLAGS);
  out_bytes("dst", dst_buf + STRING_MIDDLE - WINDOW_BYTES, 2 * WINDOW_BYTES);
  out_nl();
}`;

function runner(label: string, instruction: string): string {
  return `static void ${cName(label)}(struct state *s) { STATE_RUN(s, "${instruction}"); }`;
}

function stringGroup(): Group {
  const fns = [BUFFERS];
  const calls: string[] = [];
  for (const [suffix, size] of ELEMENT_SUFFIXES) {
    const forms: Array<[string, boolean]> = [
      [`movs${suffix}`, true],
      [`stos${suffix}`, true],
      [`lods${suffix}`, true],
      [`cmps${suffix}`, false],
      [`scas${suffix}`, false],
    ];
    for (const [op, repOnly] of forms) {
      const prefixes = repOnly ? ['', 'rep '] : ['', 'repe ', 'repne '];
      for (const prefix of prefixes) {
        const label = `${prefix}${op}`;
        fns.push(runner(label, label));
        const counts = prefix === '' ? [3] : COUNTS;
        const stops = repOnly ? [9] : STOP_POSITIONS;
        // repne looks for a match (buffers differ except at stop), repe for a mismatch.
        const [a, b] = prefix === 'repne ' ? ['0x3c', '0xc3'] : ['0x3c', '0x3c'];
        calls.push(`for (u32 df = 0; df < 2; df++)
    for (u32 c = 0; c < ${counts.length}; c++)
      for (u32 s = 0; s < ${stops.length}; s++) {
        static const u32 counts[] = {${counts.join(', ')}}, stops[] = {${stops.join(', ')}};
        string_case(${cString(label)}, ${cName(label)}, ${size}, counts[c], df, stops[s], ${a}, ${b}, (c & 1) ? STATUS_FLAGS : 0);
      }`);
      }
    }
  }
  return { name: 'string-ops', source: cProgram(fns, calls) };
}

const BULK_BUFFER = `#define BULK_BYTES (4 * 4096)
static u8 bulk_buf[BULK_BYTES] __attribute__((aligned(4096)));
/* FNV-1a over the whole buffer a dword at a time: one line per case however many bytes moved. */
static u32 bulk_sum(void) {
  const u32 *w = (const u32 *)bulk_buf;
  u32 h = 0x811c9dc5u;
  for (u32 i = 0; i < BULK_BYTES / 4; i++) h = (h ^ w[i]) * 0x01000193u;
  return h;
}
/* Elements of size bytes from at along the direction that stay inside the buffer, at most count. */
static u32 bulk_room(s32 at, u32 size, u32 df, u32 count) {
  u32 room = df ? (u32)at / size + 1 : (BULK_BYTES - (u32)at) / size;
  return count < room ? count : room;
}
static void bulk_case(const char *label, void (*run)(struct state *), u32 size, u32 df, s32 src, s32 delta, u32 count, u32 movs) {
  s32 dst = src + delta;
  if (dst < 0 || dst + (s32)size > BULK_BYTES) return;
  count = bulk_room(dst, size, df, count);
  if (movs) count = bulk_room(src, size, df, count);
  u32 *w = (u32 *)bulk_buf;
  for (u32 i = 0; i < BULK_BYTES / 4; i++) w[i] = i * 0x9e3779b1u + 0x01020304u;
  struct state in, out;
  random_state(&in, df ? DF : 0);
  in.ecx = count;
  in.esi = (u32)(bulk_buf + src);
  in.edi = (u32)(bulk_buf + dst);
  out = in;
  run(&out);
  out_s(label);
  out_kv("n", count, 32);
  out_kv("src", (u32)src, 16);
  out_kv("delta", (u32)delta, 32);
  out_state_pair("", &in, &out, STATUS_FLAGS);
  out_kv("sum", bulk_sum(), 32);
  out_nl();
}`;

/** Source offsets (page starts, ends, middles), distances to the destination and element counts. */
const BULK_SOURCES = [0, 0x7fd, 0x1000, 0x1ffc, 0x2ffe, 0x3ff0];
const BULK_DELTAS = [-4097, -100, -5, -4, -3, -1, 0, 1, 2, 3, 4, 6, 9, 4099];
const BULK_COUNTS = [7, 1000, 0x10000];

function bulkGroup(): Group {
  const fns = [BULK_BUFFER];
  const calls: string[] = [];
  for (const [suffix, size] of ELEMENT_SUFFIXES) {
    for (const op of [`movs${suffix}`, `stos${suffix}`]) {
      const label = `rep ${op}`;
      fns.push(runner(label, label));
      calls.push(`for (u32 df = 0; df < 2; df++)
    for (u32 s = 0; s < ${BULK_SOURCES.length}; s++)
      for (u32 d = 0; d < ${BULK_DELTAS.length}; d++)
        for (u32 c = 0; c < ${BULK_COUNTS.length}; c++) {
          static const s32 sources[] = {${BULK_SOURCES.join(', ')}}, deltas[] = {${BULK_DELTAS.join(', ')}};
          static const u32 counts[] = {${BULK_COUNTS.join(', ')}};
          bulk_case(${cString(label)}, ${cName(label)}, ${size}, df, sources[s], deltas[d], counts[c], ${op.startsWith('movs') ? 1 : 0});
        }`);
    }
  }
  return { name: 'string-bulk', source: cProgram(fns, calls) };
}

export const stringGroups: readonly Group[] = [stringGroup(), bulkGroup()];
