import { describe, expect, it } from 'vitest';
import { nginxConf } from '../../../bench/targets/nginx-conf.js';
import { gatehouseConfig } from '../../../bench/targets/gatehouse-config.js';

const conf = nginxConf({ dir: '/tmp/gh-x', listenPort: 18080, upstreamPort: 19001, runAsRoot: false });

function block(text: string, opener: string): string {
  const start = text.indexOf(opener);
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error(`unbalanced block ${opener}`);
}

describe('nginx.conf generation', () => {
  it('runs one foreground worker with every path inside the temp dir', () => {
    expect(conf).toMatch(/^worker_processes 1;$/m);
    expect(conf).toMatch(/^daemon off;$/m);
    expect(conf).toMatch(/^pid \/tmp\/gh-x\/nginx\.pid;$/m);
    for (const m of conf.matchAll(/^\s*(\w+_temp_path|error_log|pid) (\S+)/gm)) {
      expect(m[2]?.startsWith('/tmp/gh-x/')).toBe(true);
    }
    expect(conf.match(/_temp_path /g)).toHaveLength(5);
  });

  it('keeps an upstream keepalive pool over HTTP/1.1 with no access log', () => {
    const upstream = block(conf, 'upstream echo');
    expect(upstream).toContain('server 127.0.0.1:19001;');
    expect(upstream).toContain('keepalive 64;');
    expect(conf).toMatch(/^\s*access_log off;$/m);
    expect(conf).toContain('listen 127.0.0.1:18080;');
    // Both locations speak 1.1 and clear Connection, or keepalive to the upstream is lost.
    expect(conf.match(/proxy_http_version 1\.1;/g)).toHaveLength(2);
    expect(conf.match(/proxy_set_header Connection "";/g)).toHaveLength(2);
  });

  it('turns buffering off only for SSE', () => {
    expect(block(conf, 'location /sse')).toContain('proxy_buffering off;');
    expect(block(conf, 'location / ')).not.toContain('proxy_buffering');
  });

  it('has balanced braces and adds user root only when asked', () => {
    expect(conf.split('{').length).toBe(conf.split('}').length);
    expect(conf).not.toContain('user ');
    expect(nginxConf({ dir: '/d', listenPort: 1, upstreamPort: 2, runAsRoot: true })).toMatch(/^user root;$/m);
  });
});

describe('gatehouse bench config', () => {
  it('routes everything to the upstream without stripping the path', () => {
    const yaml = gatehouseConfig(19001);
    expect(yaml).toContain('_format_version: "3.0"');
    expect(yaml).toContain('url: http://127.0.0.1:19001');
    expect(yaml).toContain('paths: ["/"]');
    expect(yaml).toContain('strip_path: false');
  });
});
