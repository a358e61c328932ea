/**
 * The renderer's resident memory (Linux /proc): the RSS (VmRSS) of the largest renderer process of the Chromium that
 * was started with `profileDir` as its user data directory, read after the speed runs (before the bandwidth test,
 * whose buffer would stay in the heap). The app's worker lives in its page's renderer, so this is what the operating
 * system sees the tab hold: the wasm memory that was touched, V8's heaps and the code. Undefined without /proc.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const read = (path: string) => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } };

/** Every process id with its parent id and its command line. */
function processes(): Array<{ pid: number; ppid: number; cmdline: string }> {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const cmdline = read(`/proc/${name}/cmdline`);
    if (!stat || cmdline === undefined) continue;
    // The command name in parentheses may hold spaces: the fields after its closing one are fixed.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    out.push({ pid: Number(name), ppid, cmdline: cmdline.split('\0').join(' ') });
  }
  return out;
}

export function rendererRssBytes(profileDir: string): number | undefined {
  if (!existsSync('/proc/self/status')) return undefined;
  const all = processes();
  const roots = all.filter((p) => p.cmdline.includes(`--user-data-dir=${profileDir}`) && !p.cmdline.includes('--type='));
  // Renderers are forked by the zygote, a child of the browser: walk every descendant.
  const family = new Set(roots.map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) if (family.has(p.ppid) && !family.has(p.pid)) { family.add(p.pid); grew = true; }
  }
  let largest: number | undefined;
  for (const p of all) {
    if (!family.has(p.pid) || !p.cmdline.includes('--type=renderer')) continue;
    const kb = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${p.pid}/status`) ?? '')?.[1];
    if (kb) largest = Math.max(largest ?? 0, Number(kb) * 1024);
  }
  return largest;
}
