/**
 * How a CompiledConfig crosses threads.
 *
 * Each published version gets its own SharedArrayBuffer (the payload size varies), and
 * one small control buffer, created once, carries the version every worker should run:
 *
 *   control SAB (Int32Array, 16 bytes, created by the supervisor, shared with every worker)
 *   +-----------------+-----------------+-----------------+-----------------+
 *   | [0] version     | [1] workers     | [2] reserved    | [3] reserved    |
 *   |   published     |   acknowledged  |                 |                 |
 *   +-----------------+-----------------+-----------------+-----------------+
 *
 *   snapshot SAB (one per version)
 *   +-----------------+-----------------+--------------------------------------+
 *   | [0..3] version  | [4..7] length N | [8..8+N) msgpackr(CompiledConfig)    |
 *   |   Int32         |   Int32         |                                      |
 *   +-----------------+-----------------+--------------------------------------+
 *
 * The supervisor writes the snapshot SAB completely, then Atomics.store()s the version in
 * the control slot and posts the SAB to each worker. A worker decodes a version once and
 * compares against the control slot to know whether it is current.
 */
export const CONTROL_SLOTS = 4;
export const CONTROL_VERSION = 0;
export const CONTROL_ACKED = 1;

export const HEADER_BYTES = 8;
export const SLOT_VERSION = 0;
export const SLOT_LENGTH = 1;
