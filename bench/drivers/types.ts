/** What the runner asks a load driver to do: one warm-up then one measured run. */
export interface LoadJob {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Offered requests per second across all connections; null = as fast as possible. */
  rate: number | null;
}
