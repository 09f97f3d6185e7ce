/**
 * State shared by the semantic pass: the error list, the entities the schema pass
 * rejected (skipped here so we never read a value of the wrong type), and one
 * name/id index per entity kind for duplicate checks and reference resolution.
 */
import type { RawRef } from './document-types.js';
import type { ConfigError } from './types.js';
import { canonicalId, deriveId } from './ids.js';
import { joinPath } from './schema-errors.js';
import { UUID_PATTERN } from './schema/typedefs.js';

const UUID = new RegExp(UUID_PATTERN);

interface Entry {
  id: string;
  path: string;
}

/** Names and ids of one entity kind; the first registration of a name or id wins. */
export class EntityIndex {
  readonly #kind: string;
  readonly #byId = new Map<string, Entry>();
  readonly #byName = new Map<string, Entry>();

  constructor(kind: string) {
    this.#kind = kind;
  }

  get kind(): string {
    return this.#kind;
  }

  /**
   * Register an entity; returns its id. An explicit id is kept (lower-cased), otherwise
   * the id derives from `key`. Duplicate names and explicit ids are reported.
   */
  register(ctx: NormalizeContext, path: string, raw: { id?: unknown }, name: unknown, key: string, nameField = 'name'): string {
    const explicit = typeof raw.id === 'string' && UUID.test(raw.id) ? canonicalId(raw.id) : null;
    const id = explicit ?? deriveId(this.#kind, key);
    const entry = { id, path };
    if (explicit !== null) {
      const prev = this.#byId.get(id);
      if (prev !== undefined && prev.path !== path) ctx.error(joinPath(path, 'id'), `duplicate id "${id}" (also ${prev.path})`);
      else this.#byId.set(id, entry);
    } else {
      this.#byId.set(id, entry);
    }
    if (typeof name === 'string') {
      const prev = this.#byName.get(name);
      if (prev !== undefined) ctx.error(joinPath(path, nameField), `duplicate ${nameField} "${name}" (also ${prev.path})`);
      else this.#byName.set(name, entry);
    }
    return id;
  }

  byName(name: string): string | null {
    return this.#byName.get(name)?.id ?? null;
  }

  /** Resolve a reference by id or name; reports and returns null when unknown. */
  resolve(ctx: NormalizeContext, path: string, ref: RawRef): string | null {
    const found = this.lookup(ref);
    if (found === null) ctx.error(path, `references unknown ${this.#kind} "${refLabel(ref)}"`);
    return found;
  }

  lookup(ref: RawRef): string | null {
    if (typeof ref === 'string') {
      if (UUID.test(ref)) {
        const byId = this.#byId.get(canonicalId(ref));
        if (byId !== undefined) return byId.id;
      }
      return this.#byName.get(ref)?.id ?? null;
    }
    if (ref.id !== undefined) return this.#byId.get(canonicalId(ref.id))?.id ?? null;
    const key = ref.name ?? ref.username;
    if (key !== undefined) return this.#byName.get(key)?.id ?? null;
    return null;
  }
}

export function refLabel(ref: RawRef): string {
  if (typeof ref === 'string') return ref;
  return ref.id ?? ref.name ?? ref.username ?? '';
}

export class NormalizeContext {
  readonly errors: ConfigError[] = [];
  readonly #bad: ReadonlySet<string>;
  readonly services = new EntityIndex('service');
  readonly routes = new EntityIndex('route');
  readonly upstreams = new EntityIndex('upstream');
  readonly consumers = new EntityIndex('consumer');
  readonly certificates = new EntityIndex('certificate');
  readonly caCertificates = new EntityIndex('ca_certificate');

  constructor(bad: ReadonlySet<string>) {
    this.#bad = bad;
  }

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** True when the schema pass reported an error inside this entity (or its collection). */
  isBad(path: string): boolean {
    return this.#bad.has(path);
  }

  /**
   * The usable elements of an entity array at `path`, with their paths. A collection the
   * schema rejected yields nothing; `includeBad` also yields rejected elements (for
   * registering their names, so references to them are not reported twice).
   */
  items<T>(list: T[] | undefined, path: string, includeBad = false): { item: T; path: string; bad: boolean }[] {
    if (!Array.isArray(list) || this.#bad.has(path)) return [];
    const out: { item: T; path: string; bad: boolean }[] = [];
    list.forEach((item, i) => {
      const p = joinPath(path, i);
      const bad = this.#bad.has(p) || typeof item !== 'object' || item === null;
      if (!bad || (includeBad && typeof item === 'object' && item !== null)) out.push({ item, path: p, bad });
    });
    return out;
  }
}

export function nonEmpty<T>(list: T[] | undefined): list is T[] {
  return Array.isArray(list) && list.length > 0;
}
