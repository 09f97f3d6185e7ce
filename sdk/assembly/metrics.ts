// Metrics the gateway exports on its admin /metrics.
import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "./imports";
import { RET_EXTRA, RET_U64 } from "./alloc";
import { MetricType, Status } from "./types";

function define(type: MetricType, name: string): u32 {
  const n = String.UTF8.encode(name);
  store<u32>(RET_EXTRA, 0);
  if (proxy_define_metric(<u32>type, changetype<usize>(n), <usize>n.byteLength, RET_EXTRA) != Status.Ok) return 0;
  return load<u32>(RET_EXTRA);
}

function read(id: u32): u64 {
  store<u64>(RET_U64, 0);
  proxy_get_metric(id, RET_U64);
  return load<u64>(RET_U64);
}

export class Counter {
  readonly id: u32;
  constructor(name: string) { this.id = define(MetricType.Counter, name); }
  increment(by: i64 = 1): Status { return <Status>proxy_increment_metric(this.id, by); }
  get value(): u64 { return read(this.id); }
}

export class Gauge {
  readonly id: u32;
  constructor(name: string) { this.id = define(MetricType.Gauge, name); }
  set(value: u64): Status { return <Status>proxy_record_metric(this.id, value); }
  add(by: i64): Status { return <Status>proxy_increment_metric(this.id, by); }
  get value(): u64 { return read(this.id); }
}

export class Histogram {
  readonly id: u32;
  constructor(name: string) { this.id = define(MetricType.Histogram, name); }
  record(value: u64): Status { return <Status>proxy_record_metric(this.id, value); }
}
