// Types for json-source-map, which ships none: only the parse half the kernel uses.
declare module 'json-source-map' {
  interface Location {
    line: number;
    column: number;
    pos: number;
  }
  interface PointerLocations {
    key?: Location;
    keyEnd?: Location;
    value: Location;
    valueEnd: Location;
  }
  const jsonSourceMap: {
    parse(text: string): { data: unknown; pointers: Record<string, PointerLocations | undefined> };
  };
  export default jsonSourceMap;
}
