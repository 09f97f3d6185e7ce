/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for the metrics suite:
 * every line must be a `# HELP`, a `# TYPE`, a blank line or a sample; sample names must
 * belong to a family declared by `# TYPE` before them (histograms: `_bucket`, `_sum`,
 * `_count`); label values must be valid escaped strings; values must be floats; a family
 * may be declared once; histogram buckets must be cumulative and end with le="+Inf" equal
 * to `_count`. Throws on the first problem, naming the line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new Error(`line ${line}: label without '='`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`line ${line}: duplicate label ${name}`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label ${name} value not quoted`);
    let j = eq + 2;
    let value = '';
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[j + 1];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else throw new Error(`line ${line}: bad escape \\${e ?? ''}`);
        j += 2;
        continue;
      }
      if (c === '\n') throw new Error(`line ${line}: raw newline in label value`);
      value += c;
      j++;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (i < text.length) throw new Error(`line ${line}: expected ',' after label ${name}`);
  }
  return labels;
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = types.get(base);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return undefined;
}

export function parseExposition(text: string): Sample[] {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (m === null) return; // a plain comment
      const [, kind, name = '', rest = ''] = m;
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: bad type ${rest}`);
        if (types.has(name)) throw new Error(`line ${line}: ${name} declared twice`);
        if (samples.some((s) => familyOf(s.name, new Map([[name, rest]])) === name)) throw new Error(`line ${line}: TYPE after samples of ${name}`);
        types.set(name, rest);
      } else {
        if (helps.has(name)) throw new Error(`line ${line}: second HELP for ${name}`);
        helps.add(name);
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (m === null) throw new Error(`line ${line}: not a sample: ${raw}`);
    const [, name = '', labelText = '', value = ''] = m;
    if (familyOf(name, types) === undefined) throw new Error(`line ${line}: ${name} has no # TYPE`);
    samples.push({ name, labels: parseLabels(labelText, line), value: parseValue(value, line) });
  });
  checkHistograms(samples, types);
  return samples;
}

function checkHistograms(samples: readonly Sample[], types: Map<string, string>): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, { buckets: [number, number][]; count: number | undefined }>();
    const keyOf = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
    for (const s of samples) {
      if (s.name !== `${family}_bucket` && s.name !== `${family}_count`) continue;
      const key = keyOf(s.labels);
      const entry = series.get(key) ?? { buckets: [], count: undefined };
      if (s.name === `${family}_count`) entry.count = s.value;
      else {
        const le = s.labels['le'];
        if (le === undefined) throw new Error(`${family}_bucket without le`);
        entry.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
      }
      series.set(key, entry);
    }
    for (const [key, { buckets, count }] of series) {
      const last = buckets.at(-1);
      if (last === undefined || last[0] !== Infinity) throw new Error(`${family}${key}: no le="+Inf" bucket last`);
      if (last[1] !== count) throw new Error(`${family}${key}: +Inf bucket ${last[1]} != _count ${String(count)}`);
      for (let i = 1; i < buckets.length; i++) {
        const [le, n] = buckets[i] as [number, number];
        const [prevLe, prevN] = buckets[i - 1] as [number, number];
        if (!(le > prevLe) || n < prevN) throw new Error(`${family}${key}: buckets not cumulative at le=${le}`);
      }
    }
  }
}

/** The value of the one sample named `name` whose labels include `labels`; throws when not exactly one. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return (found[0] as Sample).value;
}
