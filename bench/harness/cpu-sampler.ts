// Who used the machine's cores during a measured run: every process's CPU time (utime +
// stime from /proc/PID/stat) sampled a few times a second, grouped by a benchmark's own
// labels, the whole machine's busy time from /proc/stat, and what its disks read and wrote. A benchmark that misses a goal
// says with this where the CPU went, and how loaded the machine was by others.
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux). */
const ticksPerSecond = 100;

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** A descendant of this benchmark's process (its agents, mariadbd, the commands it ran). */
  ours: boolean;
}

/** Cores used during the window, by label (seconds of CPU ÷ seconds of wall time). */
export interface CpuUse {
  seconds: number;
  byLabel: Record<string, number>;
  /** The whole machine's busy cores (/proc/stat: all but idle and iowait), kernel work included. */
  machineBusy: number;
  /** MiB read from and written to the machine's disks during the window (/proc/diskstats, every process's). */
  diskReadMiB: number;
  diskWrittenMiB: number;
}

/** Sectors (512 bytes) read and written so far by the whole disks (vda, sda, nvme0n1, xvda; not partitions). */
function diskSectors(): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const line of readFileSync("/proc/diskstats", "utf8").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (!/^(vd[a-z]+|sd[a-z]+|xvd[a-z]+|nvme\d+n\d+)$/.test(f[2] ?? "")) continue;
    read += Number(f[5]);
    written += Number(f[9]);
  }
  return { read, written };
}

interface Seen {
  label: string;
  /** Ticks when first seen; 0 for a process that started during the window. */
  first: number;
  last: number;
}

function readProcesses(): Map<number, { ppid: number; comm: string; ticks: number }> {
  const found = new Map<number, { ppid: number; comm: string; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // "PID (COMM) STATE PPID … UTIME STIME …": COMM may hold spaces and parentheses.
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    found.set(Number(entry), {
      comm: text.slice(open + 1, close),
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
    });
  }
  return found;
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Starts sampling every `intervalMs`; `stop()` returns the cores each label used. A process
 * that starts and ends between two samples is missed, and one that ends loses at most its
 * last interval: with 200 ms, a fraction of a second of CPU per process.
 */
export function startCpuSampler(label: (p: ProcessInfo) => string, intervalMs = 200): { stop(): CpuUse } {
  const startedAt = performance.now();
  const machineAtStart = machineTicks();
  const diskAtStart = diskSectors();
  const seen = new Map<number, Seen>();
  const sample = (initial: boolean): void => {
    const processes = readProcesses();
    const isOurs = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
        if (p === process.pid) return true;
        p = processes.get(p)?.ppid ?? 0;
      }
      return false;
    };
    for (const [pid, p] of processes) {
      const known = seen.get(pid);
      if (known) {
        known.last = p.ticks;
        continue;
      }
      seen.set(pid, {
        label: label({ pid, ppid: p.ppid, comm: p.comm, ours: isOurs(pid) }),
        first: initial ? p.ticks : 0,
        last: p.ticks,
      });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), intervalMs);
  let result: CpuUse | null = null;
  return {
    /** The cores used from the start until the first call; later calls give the same. */
    stop(): CpuUse {
      if (result !== null) return result;
      clearInterval(timer);
      sample(false);
      const seconds = (performance.now() - startedAt) / 1000;
      const byLabel: Record<string, number> = {};
      for (const s of seen.values()) {
        const used = (s.last - s.first) / ticksPerSecond / seconds;
        if (used > 0) byLabel[s.label] = (byLabel[s.label] ?? 0) + used;
      }
      const machine = machineTicks();
      const busyShare =
        (machine.busy - machineAtStart.busy) / Math.max(1, machine.total - machineAtStart.total);
      const disk = diskSectors();
      result = {
        seconds,
        byLabel,
        machineBusy: busyShare * cpuCount(),
        diskReadMiB: ((disk.read - diskAtStart.read) * 512) / 1024 / 1024,
        diskWrittenMiB: ((disk.written - diskAtStart.written) * 512) / 1024 / 1024,
      };
      return result;
    },
  };
}

function cpuCount(): number {
  return readFileSync("/proc/stat", "utf8")
    .split("\n")
    .filter((l) => /^cpu\d+ /.test(l)).length;
}

/** "zstd 0.98, mariabackup 0.41, …": the labels using at least `floor` cores, largest first. */
export function formatCpuUse(use: CpuUse, floor = 0.02): string {
  return Object.entries(use.byLabel)
    .filter(([, cores]) => cores >= floor)
    .sort((a, b) => b[1] - a[1])
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
    .join(", ");
}
