package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.autopilot.Autopilot;
import dev.bq2.boot.BootCheck;
import dev.bq2.boot.BootOutcome;
import dev.bq2.boot.BootRequest;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import dev.bq2.tasks.Task;
import dev.bq2.tasks.TaskQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `bq2 boot-check`: boot what was built in QEMU, reach a root shell on the serial console, run smoke commands. */
@Command(name = "boot-check", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Boot what was built in QEMU (a disk image, a kernel and initrd, or a rootfs tree), reach a root shell over "
        + "the serial console (the shell's uid checked with `id -u`, after login and escalation), run smoke commands, and keep "
        + "every artifact in the session folder as it streams: raw serial log, transcript, QEMU command, journal, outcome.",
        "Exit 0 when a root shell was reached and every --run passed, 1 when the check failed (with a diagnosis), "
            + "2 for bad input, 3 when QEMU or its firmware is missing."})
public class BootCheckCommand implements Callable<Integer> {
  @Option(names = "--image", paramLabel = "FILE", description = "A qcow2 or raw disk image (the format is read from the file's first bytes).")
  Path image;

  @Option(names = "--bios", paramLabel = "FILE", description = "Firmware to boot with (default: the firmware QEMU ships).")
  Path bios;

  @Option(names = "--kernel", paramLabel = "FILE", description = "A kernel to boot directly (with --initrd, or with --rootfs).")
  Path kernel;

  @Option(names = "--initrd", paramLabel = "FILE", description = "The initramfs to boot --kernel with.")
  Path initrd;

  @Option(names = "--rootfs", paramLabel = "DIR",
      description = "A root tree to pack into an initramfs and boot with --kernel (its /init, /sbin/init or a shell runs as init); "
          + "default without --image/--initrd: $BQ2_ROOTFS.")
  Path rootfs;

  @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "x86_64",
      description = "Guest architecture: x86_64, or aarch64 (booted as -machine virt); default ${DEFAULT-VALUE}.")
  String arch;

  @Option(names = "--append", paramLabel = "ARGS", defaultValue = "",
      description = "Kernel arguments; console=ttyS0,115200 (x86_64) or console=ttyAMA0 (aarch64) is added unless --no-console-arg.")
  String append;

  @Option(names = "--no-console-arg", description = "Do not add the serial console to the kernel command line.")
  boolean noConsoleArg;

  @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "512M", description = "Guest memory (QEMU -m); default ${DEFAULT-VALUE}.")
  String memory;

  @Option(names = "--smp", paramLabel = "N", defaultValue = "1", description = "Guest CPUs; default ${DEFAULT-VALUE}.")
  int smp;

  @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto",
      description = "Accelerator: auto uses KVM when /dev/kvm opens read-write and the guest prints on the serial port within 10s, "
          + "else restarts under TCG and says so; default ${DEFAULT-VALUE}.")
  String accel;

  @Option(names = "--login", paramLabel = "USER", description = "Log in as USER at the console's login: prompt.")
  String login;

  @Option(names = "--password-file", paramLabel = "FILE", description = "The --login user's password (first line of FILE).")
  Path passwordFile;

  @Option(names = "--become", paramLabel = "CMD",
      description = "Escalate with CMD (e.g. 'su -' or 'sudo -i') when the shell is not uid 0; uid 0 is checked afterwards.")
  String become;

  @Option(names = "--become-password-file", paramLabel = "FILE",
      description = "The password --become asks for (first line of FILE); given, we wait for the password request and answer it.")
  Path becomePasswordFile;

  @Option(names = "--run", paramLabel = "CMD", description = "A smoke command (one shell line) run in the root shell; repeatable; each must exit 0.")
  List<String> run = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m", converter = Checked.PositiveDuration.class,
      description = "Bound of each stage (first byte, kernel, init, login prompt, root shell, each smoke command); default ${DEFAULT-VALUE}.")
  String timeout;

  @Option(names = "--overall-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Checked.PositiveDuration.class,
      description = "Bound of the whole check; default ${DEFAULT-VALUE}.")
  String overallTimeout;

  @Option(names = "--session-dir", paramLabel = "DIR",
      description = "Where <UTC>-boot/ goes (default: <repo>/session, else <rootfs>/var/lib/sysroot-build-sessions, else ./session).")
  Path sessionDir;

  @Override
  public Integer call() {
    // As every --rootfs of bq2: without one (and without --image/--initrd), $BQ2_ROOTFS is the tree
    // that was built, so `bq2 boot-check --kernel FILE` boots it.
    if (rootfs == null && image == null && initrd == null && ContextDetector.envRootfs() != null) {
      rootfs = ContextDetector.envRootfs();
      System.out.println("boot-check: --rootfs " + rootfs + " (BQ2_ROOTFS)");
    }
    BootRequest request = request("", sessionDir != null ? sessionDir : defaultSessions());
    BootOutcome outcome = BootCheck.run(request, System.out);
    followUps(request.sessionRoot(), outcome);
    return outcome.exitCode();
  }

  /**
   * The request these options describe; {@code optionPrefix} names where they came from in
   * errors (`--boot-check ` when `iterate --boot-check ARGS` parsed them).
   */
  BootRequest request(String optionPrefix, Path sessionRoot) {
    return BootRequest.builder()
        .arch(arch).image(image).bios(bios).kernel(kernel).initrd(initrd).rootfs(rootfs)
        .append(append).noConsoleArg(noConsoleArg).memory(memory).smp(smp).accel(accel)
        .login(login).passwordFile(passwordFile).become(become).becomePasswordFile(becomePasswordFile).run(run)
        .stageTimeout(AssistantOptions.duration(optionPrefix + "--timeout", timeout))
        .overallTimeout(AssistantOptions.duration(optionPrefix + "--overall-timeout", overallTimeout))
        .sessionRoot(sessionRoot)
        .build();
  }

  /**
   * The session root's task queue (as `iterate --boot-check` keeps it): a failed check registers
   * its diagnosis as `boot:<kind>`, a passing one ticks the open `boot:` tasks off.
   */
  static void followUps(Path sessionRoot, BootOutcome o) {
    TaskQueue queue = TaskQueue.open(sessionRoot);
    Path dir = Path.of(o.sessionDir());
    String source = sessionRoot.toAbsolutePath().normalize().getFileName() + "/" + dir.getFileName();
    if (o.passed()) {
      int n = 0;
      for (Task t : queue.open("boot:")) {
        if (queue.resolve(t.key(), "resolved by session " + source + " (boot check passed: " + o.verdict() + ")")) n++;
      }
      if (n > 0) System.out.println("boot-check: " + n + " boot task" + (n == 1 ? "" : "s") + " resolved in " + queue.file());
      return;
    }
    BootOutcome.Diagnosis d = o.diagnosis();
    String kind = d == null ? "failed" : d.kind();
    String text = (d == null ? o.verdict() : d.likelyCause()) + ": " + (d == null ? "read the investigation log" : d.fix());
    if (queue.register("boot:" + kind, text, source)) {
      System.out.println("boot-check: task boot:" + kind + " queued in " + queue.file());
    }
  }

  /** As `iterate`: the repo's session/, else the build rootfs's; outside any build context ./session. */
  private Path defaultSessions() {
    try {
      ContextDetector d = new ContextDetector();
      if (rootfs != null && Files.isRegularFile(rootfs.resolve("var/lib/sysroot-build-plan.json"))) d.rootfs(rootfs);
      Context ctx = d.detect();
      return Autopilot.sessionsDir(ctx, null);
    } catch (Bq2Exception e) {
      return Path.of("session").toAbsolutePath();
    }
  }
}
