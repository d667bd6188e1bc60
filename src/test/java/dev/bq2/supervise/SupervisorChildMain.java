package dev.bq2.supervise;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A stand-in autopilot for the kill -9 test, run as its own JVM: takes the rootfs lock, starts
 * the runner detached, says READY and then waits to be killed.
 */
public final class SupervisorChildMain {
  public static void main(String[] args) throws Exception {
    Path logDir = Path.of(args[0]);
    String gate = args[1];
    AutopilotLock lock = AutopilotLock.acquire(logDir);
    SupervisedRun run = new BackgroundRunner(logDir).start("p1",
        List.of("sh", "-c", "echo started; while [ ! -e \"$1\" ]; do sleep 0.05; done; echo finished; exit 5", "sh", gate),
        logDir, Map.of());
    System.out.println("READY " + run.record().pid() + " " + ProcessHandle.current().pid() + " " + lock.holder().pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
