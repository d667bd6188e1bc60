package dev.bq2.supervise;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU time used so far by a supervised run's process tree, in clock ticks (from /proc). The tree
 * is the wrapper, its descendants, and every process of their sessions: steps run in sessions of
 * their own (`setsid`), and a background job orphaned by its shell keeps its session.
 *
 * @param build ticks of everything below the runner: live processes (own + reaped children) and
 *     the runner's reaped children; it moves only when the build does work
 * @param runner the runner's own ticks: a JVM (or any runtime) ticks over while it waits, so this
 *     is judged by rate, not by any change
 */
public record TreeCpu(long build, long runner) {

  /** Clock ticks per second of /proc's times (USER_HZ, 100 on every Linux ABI we run on). */
  public static final long TICKS_PER_SECOND = 100;

  private record Proc(long pid, long ppid, long session, long own, long children) {}

  /** A snapshot of the tree under the wrapper {@code wrapperPid} (the run record's pid). */
  public static TreeCpu of(long wrapperPid) {
    Map<Long, Proc> all = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        long pid;
        try {
          pid = Long.parseLong(p.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        String[] f = ProcStat.fields(pid);
        if (f == null) continue;
        try {
          // fields 4 ppid, 6 session, 14 utime, 15 stime, 16 cutime, 17 cstime
          all.put(pid, new Proc(pid, Long.parseLong(f[1]), Long.parseLong(f[3]),
              Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])));
        } catch (NumberFormatException e) {
          // a line we cannot read: skip the process
        }
      }
    } catch (IOException e) {
      return new TreeCpu(0, 0);
    }
    Map<Long, List<Long>> children = new HashMap<>();
    Map<Long, List<Long>> bySession = new HashMap<>();
    for (Proc p : all.values()) {
      children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
      bySession.computeIfAbsent(p.session(), k -> new ArrayList<>()).add(p.pid());
    }
    Set<Long> tree = new HashSet<>();
    Set<Long> sessions = new HashSet<>();
    Deque<Long> todo = new ArrayDeque<>();
    if (all.containsKey(wrapperPid)) todo.add(wrapperPid);
    while (!todo.isEmpty()) {
      long pid = todo.poll();
      if (!tree.add(pid)) continue;
      todo.addAll(children.getOrDefault(pid, List.of()));
      long sid = all.get(pid).session();
      if (sid > 1 && sessions.add(sid)) todo.addAll(bySession.getOrDefault(sid, List.of()));
    }
    long build = 0;
    long runner = 0;
    for (long pid : tree) {
      Proc p = all.get(pid);
      if (pid == wrapperPid) continue; // the wrapper only waits; its children's time is the runner's
      if (p.ppid() == wrapperPid) {
        runner += p.own();
        build += p.children();
      } else {
        build += p.own() + p.children();
      }
    }
    return new TreeCpu(build, runner);
  }
}
