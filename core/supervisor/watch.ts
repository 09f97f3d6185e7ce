/**
 * Opt-in config file watching (`--watch-config` / GATEHOUSE_WATCH_CONFIG=1): a change to the
 * file triggers the same reload as SIGHUP. The directory is watched, not the file, because
 * editors and deploy tools replace a file by renaming a new one over it (the old inode's
 * watch would then go silent). Bursts of events (write + rename + chmod) are debounced into
 * one reload; a reload that fails keeps the running config, as for SIGHUP.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

const DEBOUNCE_MS = 150;

export function watchConfigFile(path: string, onChange: () => void): () => void {
  const full = resolve(path);
  const name = basename(full);
  let timer: NodeJS.Timeout | null = null;
  const watcher: FSWatcher = watch(dirname(full), { persistent: false }, (_event, file) => {
    if (file !== null && file.toString() !== name) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, DEBOUNCE_MS);
  });
  return () => {
    if (timer !== null) clearTimeout(timer);
    watcher.close();
  };
}
