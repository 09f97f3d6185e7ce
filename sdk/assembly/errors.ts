// Shared message constants: one copy of each string in the binary.
export const ERR_NO_ROOT: string = "gatehouse sdk: registerRoot() was not called";
export const ERR_UNKNOWN_CONTEXT: string = "gatehouse sdk: unknown context id";
