/**
 * Kong's SNI lookup order (kong/runloop/certificate.lua): the exact name, then the name
 * with its first label replaced by `*`, then with its last label replaced by `*`. Names
 * are compared lower-case. uSockets' own SNI tree implements the same one-label wildcards
 * but compares case-sensitively; this table answers for the names it misses.
 */
export class SniTable<T> {
  readonly #byName = new Map<string, T>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [name, value] of entries) this.#byName.set(name.toLowerCase(), value);
  }

  find(serverName: string): T | undefined {
    const name = serverName.toLowerCase();
    const exact = this.#byName.get(name);
    if (exact !== undefined) return exact;
    const firstDot = name.indexOf('.');
    if (firstDot > 0) {
      const prefix = this.#byName.get(`*${name.slice(firstDot)}`);
      if (prefix !== undefined) return prefix;
    }
    const lastDot = name.lastIndexOf('.');
    if (lastDot > 0 && lastDot < name.length - 1) return this.#byName.get(`${name.slice(0, lastDot)}.*`);
    return undefined;
  }
}
