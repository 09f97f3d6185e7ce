/** piscina worker entry: prepare one module off the hot path (see prepare.ts). */
import { prepareModuleSync, type PrepareRequest, type PreparedModule } from './prepare.js';

export default function prepareTask(request: PrepareRequest): PreparedModule {
  return prepareModuleSync(request);
}
