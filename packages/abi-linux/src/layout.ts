// The shape of a struct layout: how the kernel, tools and tests describe a C struct they copy to or from
// i386 user memory. Layer: abi (types only). The layouts themselves are in generated/structs.ts.

/** One field: its byte offset from the start of the struct and its size (0 for a flexible array member). */
export interface FieldLayout {
  readonly offset: number;
  readonly sizeBytes: number;
}

/** A struct as gcc -m32 lays it out: its C type name, the headers declaring it, sizeof, and its fields. */
export interface StructLayout {
  readonly cName: string;
  readonly headers: readonly string[];
  readonly sizeBytes: number;
  readonly fields: Readonly<Record<string, FieldLayout>>;
}
