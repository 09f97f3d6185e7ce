/** prometheus, log phase: the request into the worker's traffic series, under this instance's options. */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginMetrics, PluginRequest } from '../contract.js';
import type { CompiledPrometheus } from './definition.js';

class Prometheus implements PluginHandler {
  readonly #series: CompiledPrometheus;
  readonly #metrics: PluginMetrics;

  constructor(c: CompiledPrometheus, env: PluginEnv) {
    this.#series = c;
    this.#metrics = env.metrics;
  }

  log(req: PluginRequest): void {
    this.#metrics.traffic(req, this.#series);
  }
}

export const handler: PluginHandlerModule<CompiledPrometheus, undefined> = {
  name: 'prometheus',
  create: (config, env) => new Prometheus(config, env),
};
