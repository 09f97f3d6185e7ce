/**
 * What the admin API reads and changes. The running NormalizedConfig (owned by the
 * supervisor) is the only source of truth; this adds Kong's `created_at`/`updated_at`
 * and the change pipeline:
 *
 *   exclusive(): draft of the running config -> edit -> validateConfig(whole document)
 *     -> supervisor.apply -> wait until every worker runs the new version
 *     -> persist (when configured) -> answer
 *
 * Changes run one at a time, so two concurrent requests never build on the same draft.
 */
import type { Logger } from 'pino';
import type { ConfigError, NormalizedConfig } from '../config/types.js';
import { CREDENTIAL_KINDS } from '../config/schema/consumer.js';
import { validateConfig } from '../config/validate.js';
import type { Supervisor } from '../supervisor/main.js';
import { KIND_NAMES, documentOf, draftOf, viewsOf, type Draft, type KindName, type Raw } from './entities.js';
import { entityViolation } from './field-errors.js';
import { AdminError, plainError } from './errors.js';
import { documentYaml, writeAtomically } from './persist.js';

/** The parts of the supervisor the admin API uses. */
export type AdminSupervisor = Pick<
  Supervisor,
  | 'config'
  | 'apply'
  | 'waitForVersion'
  | 'configHash'
  | 'version'
  | 'port'
  | 'workerStates'
  | 'restarts'
  | 'reloads'
  | 'startedAt'
  | 'metricsText'
  | 'health'
  | 'crashWorker'
  | 'stallWorker'
  | 'setAccessLog'
>;

interface Stamp {
  created_at: number;
  updated_at: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class AdminState {
  readonly supervisor: AdminSupervisor;
  readonly #persistPath: string | null;
  readonly #log: Logger | null;
  readonly #stamps = new Map<string, Stamp>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(supervisor: AdminSupervisor, persistPath: string | null, log: Logger | null) {
    this.supervisor = supervisor;
    this.#persistPath = persistPath;
    this.#log = log;
  }

  get config(): NormalizedConfig {
    const config = this.supervisor.config;
    if (config === null) throw plainError(503, 'No configuration loaded yet');
    return config;
  }

  #stamp(id: string): Stamp {
    let stamp = this.#stamps.get(id);
    if (stamp === undefined) {
      const now = nowSeconds();
      stamp = { created_at: now, updated_at: now };
      this.#stamps.set(id, stamp);
    }
    return stamp;
  }

  /** Kong's `created_at` of an entity the admin API shows without `updated_at` (credentials). */
  createdAt(id: string): number {
    return this.#stamp(id).created_at;
  }

  /** Views of one kind with timestamps, in config order. */
  views(kind: KindName): Raw[] {
    return viewsOf(this.config, kind).map((v) => {
      const stamp = this.#stamp(String(v['id']));
      return { ...v, created_at: stamp.created_at, updated_at: stamp.updated_at };
    });
  }

  /** An entity by id, or by its endpoint key (`name`, `username`, …) when `key` is not a uuid. */
  find(kind: KindName, key: string, endpointKey: string | null, same: (a: string, b: string) => boolean = (a, b) => a === b): Raw | null {
    const all = this.views(kind);
    if (isUuid(key)) {
      const lower = key.toLowerCase();
      const byId = all.find((v) => v['id'] === lower);
      if (byId !== undefined) return byId;
    }
    if (endpointKey === null) return null;
    return all.find((v) => typeof v[endpointKey] === 'string' && same(v[endpointKey] as string, key)) ?? null;
  }

  /** Runs `fn` after every earlier change has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  draft(): Draft {
    return draftOf(this.config);
  }

  /**
   * Validates and publishes a whole draft. `focus` is the changed entity's path in the
   * document (`routes[3]`), so errors come back relative to it. `touched` ids get a new
   * `updated_at` (and `created_at` when new).
   */
  async commitDraft(draft: Draft, focus: string, touched: readonly string[]): Promise<void> {
    const doc = documentOf(draft);
    const result = validateConfig(doc);
    if (!result.ok) throw entityViolation(result.errors, focus);
    await this.publish(result.config, (errors) => entityViolation(errors, focus));
    const now = nowSeconds();
    for (const id of touched) {
      const stamp = this.#stamps.get(id);
      if (stamp === undefined) this.#stamps.set(id, { created_at: now, updated_at: now });
      else stamp.updated_at = now;
    }
  }

  /** Publishes a validated config to the workers, waits for them, then persists it. */
  async publish(config: NormalizedConfig, onError: (errors: ConfigError[]) => AdminError): Promise<void> {
    const built = await this.supervisor.apply(config);
    if (!built.ok) throw onError(built.errors);
    const ready = await this.supervisor.waitForVersion(built.compiled.version);
    if (!ready) this.#log?.warn({ version: built.compiled.version }, 'admin change published; not every worker confirmed it in time');
    this.#prune(config);
    if (this.#persistPath !== null) {
      try {
        await writeAtomically(this.#persistPath, documentYaml(documentOf(draftOf(config))));
      } catch (err) {
        this.#log?.error({ path: this.#persistPath, err: err instanceof Error ? err.message : String(err) }, 'cannot persist admin change');
        throw plainError(500, `the change is live but could not be written to ${this.#persistPath}`);
      }
    }
  }

  #prune(config: NormalizedConfig): void {
    const live = new Set<string>();
    for (const kind of KIND_NAMES) for (const v of viewsOf(config, kind)) live.add(String(v['id']));
    for (const c of config.consumers) for (const kind of CREDENTIAL_KINDS) for (const cred of c[kind] ?? []) live.add(cred.id);
    for (const id of this.#stamps.keys()) if (!live.has(id)) this.#stamps.delete(id);
  }
}
