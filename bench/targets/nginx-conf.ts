/**
 * The nginx.conf the harness compares against: one worker, an upstream keepalive pool,
 * HTTP/1.1 to the upstream, no access log, no buffering for SSE, and every path (pid,
 * temp dirs, error log) inside the run's temp directory so it runs unprivileged and
 * leaves nothing behind. Run as `nginx -p DIR -c nginx.conf`.
 */
export interface NginxConfOptions {
  /** Absolute prefix directory (nginx -p). */
  dir: string;
  listenPort: number;
  upstreamPort: number;
  /** Add `user root;`: under a root master the default `nobody` workers cannot reach a 0700 temp dir. */
  runAsRoot: boolean;
}

export function nginxConf(o: NginxConfOptions): string {
  const proxy = [
    '      proxy_pass http://echo;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
  ];
  return [
    ...(o.runAsRoot ? ['user root;'] : []),
    'worker_processes 1;',
    'daemon off;',
    'master_process on;',
    `pid ${o.dir}/nginx.pid;`,
    `error_log ${o.dir}/error.log warn;`,
    'events {',
    '  worker_connections 4096;',
    '}',
    'http {',
    '  access_log off;',
    '  keepalive_requests 1000000;',
    '  client_max_body_size 0;',
    `  client_body_temp_path ${o.dir}/client_body;`,
    `  proxy_temp_path ${o.dir}/proxy;`,
    `  fastcgi_temp_path ${o.dir}/fastcgi;`,
    `  uwsgi_temp_path ${o.dir}/uwsgi;`,
    `  scgi_temp_path ${o.dir}/scgi;`,
    '  upstream echo {',
    `    server 127.0.0.1:${o.upstreamPort};`,
    '    keepalive 64;',
    '  }',
    '  server {',
    `    listen 127.0.0.1:${o.listenPort};`,
    '    location / {',
    ...proxy,
    '    }',
    '    location /sse {',
    ...proxy,
    '      proxy_buffering off;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
