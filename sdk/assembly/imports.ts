// The only file with @external declarations: the proxy-wasm v0.2.1 host functions the SDK
// uses (as the Rust SDK keeps them in hostcalls.rs). Pointers are usize, sizes usize.

@external("env", "proxy_log")
export declare function proxy_log(level: u32, message: usize, size: usize): u32;
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(retLevel: usize): u32;
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(retTime: usize): u32;
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(ms: u32): u32;
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(type: u32, start: u32, maxSize: u32, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(type: u32, start: u32, size: u32, data: usize, dataLen: usize): u32;
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(type: u32, retLen: usize, retFlags: usize): u32;
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(map: u32, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(map: u32, data: usize, size: usize): u32;
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(map: u32, key: usize, keyLen: usize, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(map: u32, key: usize, keyLen: usize, value: usize, valueLen: usize): u32;
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(map: u32, key: usize, keyLen: usize, value: usize, valueLen: usize): u32;
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(map: u32, key: usize, keyLen: usize): u32;
@external("env", "proxy_get_property")
export declare function proxy_get_property(path: usize, pathLen: usize, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_set_property")
export declare function proxy_set_property(path: usize, pathLen: usize, value: usize, valueLen: usize): u32;
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  status: u32, details: usize, detailsLen: usize, body: usize, bodyLen: usize, headers: usize, headersLen: usize, grpcStatus: i32,
): u32;
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(stream: u32): u32;
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(key: usize, keyLen: usize, retPtr: usize, retLen: usize, retCas: usize): u32;
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(key: usize, keyLen: usize, value: usize, valueLen: usize, cas: u32): u32;
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  upstream: usize, upstreamLen: usize, headers: usize, headersLen: usize, body: usize, bodyLen: usize,
  trailers: usize, trailersLen: usize, timeoutMs: u32, retToken: usize,
): u32;
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): u32;
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(type: u32, name: usize, nameLen: usize, retId: usize): u32;
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(id: u32, offset: i64): u32;
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(id: u32, value: u64): u32;
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(id: u32, retValue: usize): u32;
