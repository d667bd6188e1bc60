package dev.bq2.boot;

import dev.bq2.Bq2Exception;
import dev.bq2.Durations;
import dev.bq2.runner.OrphanGuard;
import dev.bq2.runner.ProcessGroup;
import dev.bq2.state.Timestamps;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * `bq2 boot-check` in-process: boots the request in QEMU, reaches a root shell over the serial
 * console, runs the smoke commands and leaves every artifact in `<session>/<UTC>-boot/`. Never
 * exits the JVM: bad input throws {@code Bq2Exception} (exit 2), a missing QEMU or firmware
 * {@code Bq2Exception} (exit 3); everything else is the returned outcome (also written to
 * `boot-outcome.json`).
 *
 * <p>Stages, each bounded by the stage timeout from the previous one: `image` (checks, packing
 * a rootfs), `first-byte` (QEMU start to the first serial byte; bounded by {@link #FIRST_OUTPUT}
 * too, so a console-less kernel is diagnosed early), `kernel` (`Linux version`), `init` (the
 * first console line that is not a kernel message, `[ seconds]`-prefixed, after the kernel's
 * "Run /init as init process" or "Freeing unused kernel … memory" hand-over), `login-prompt`
 * (with --login), `root-shell` (an `id -u` probe answered 0), then each smoke command.
 */
public final class BootCheck {
  /** How long KVM gets to print its first serial byte before `auto` falls back to TCG. */
  static final Duration KVM_PROBE = Duration.ofSeconds(10);
  /** The first serial byte must come within this (or the stage timeout when shorter). */
  static final Duration FIRST_OUTPUT = Duration.ofSeconds(60);
  /** A shell probe lost in typed-ahead input (a line editor starting) is typed again after this. */
  static final Duration PROBE_RESEND = Duration.ofSeconds(10);
  /** Kernels that log no hand-over line: start probing once the console was quiet this long. */
  static final Duration QUIET = Duration.ofSeconds(5);

  private static final Pattern PANIC = Pattern.compile("Kernel panic - not syncing:[^\n]*\n");
  private static final Pattern KERNEL = Pattern.compile("Linux version [^\n]*\n");
  private static final Pattern HANDOVER = Pattern.compile("Run \\S+ as init process[^\n]*\n|Freeing unused kernel[^\n]*memory[^\n]*\n");
  private static final Pattern USER_LINE = Pattern.compile("(?m)^(?![ \t]*\\[[ \t]*\\d+\\.\\d+\\])[^\n]*\\S[^\n]*\n");
  private static final Pattern LOGIN_PROMPT = Pattern.compile("(?im)login:[ \t]*$");
  private static final Pattern PASSWORD_PROMPT = Pattern.compile("(?im)password[^\n]*:[ \t]*$");
  private static final Pattern LOGIN_INCORRECT = Pattern.compile("(?i)login incorrect|authentication failure|permission denied");
  private static final Pattern BECOME_REFUSED = Pattern.compile(
      "(?i)incorrect password|authentication failure|sorry, try again|not in the sudoers[^\n]*|permission denied|must be suid[^\n]*|[^\n]*: not found");

  private final BootRequest request;
  private final PrintStream out;
  private final BootSession session;
  private final Instant overallDeadline;
  private final Map<String, Instant> reached = new LinkedHashMap<>();
  private final List<String> stageOrder = new ArrayList<>();
  private final List<BootOutcome.Smoke> smoke = new ArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private Qemu qemu;
  private List<String> qemuArgv = List.of();
  private String accel;
  private String accelReason;
  private boolean handover;
  private Instant lastProgress;
  private Instant qemuStarted;
  private boolean consoleArgSaid;

  /** Why the check stopped before passing. */
  private static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    final transient BootOutcome.Diagnosis diagnosis;

    Failure(String kind, String lastSeen, String cause, String fix) {
      super(kind + ": " + cause);
      this.diagnosis = new BootOutcome.Diagnosis(kind, lastSeen, cause, fix);
    }
  }

  private BootCheck(BootRequest request, PrintStream out, BootSession session) {
    this.request = request;
    this.out = out;
    this.session = session;
    this.overallDeadline = session.started.plus(request.overallTimeout());
  }

  /** Runs one boot check; progress lines go to {@code out} as they happen. */
  public static BootOutcome run(BootRequest request, PrintStream out) {
    validate(request);
    Path binary = QemuCommand.binary(request.arch());
    QemuCommand.firmware(request.arch(), request.image() != null, request.bios());
    BootSession session = BootSession.create(request.sessionRoot());
    out.println("boot-check: session " + session.dir);
    try (session) {
      return new BootCheck(request, out, session).check(binary);
    }
  }

  /** Bad input: one line naming the option and the fix (exit 2). */
  static void validate(BootRequest r) {
    if (!List.of("x86_64", "aarch64").contains(r.arch())) {
      throw Bq2Exception.badInput("--arch " + r.arch() + ": not supported; use x86_64 or aarch64");
    }
    if (!List.of("kvm", "tcg", "auto").contains(r.accel())) {
      throw Bq2Exception.badInput("--accel " + r.accel() + ": use kvm, tcg or auto");
    }
    if (r.image() != null && (r.kernel() != null || r.initrd() != null || r.rootfs() != null)) {
      throw Bq2Exception.badInput("--image boots the disk's own loader; drop --kernel/--initrd/--rootfs, or drop --image");
    }
    if (r.rootfs() != null && !Files.isDirectory(r.rootfs())) {
      throw Bq2Exception.badInput("--rootfs " + r.rootfs() + ": not a directory; give the tree to boot");
    }
    int sources = (r.image() != null ? 1 : 0) + (r.rootfs() != null ? 1 : 0) + (r.rootfs() == null && r.kernel() != null ? 1 : 0);
    if (sources != 1) {
      throw Bq2Exception.badInput("boot-check: give exactly one of --image FILE, --kernel FILE --initrd FILE, or --rootfs DIR --kernel FILE");
    }
    if (r.image() != null) {
      file("--image", r.image());
      if (!r.append().isBlank() || r.noConsoleArg()) {
        throw Bq2Exception.badInput("--append/--no-console-arg apply to --kernel boots only; set the console in the image's boot loader");
      }
    }
    if (r.rootfs() != null) {
      if (r.kernel() == null) throw Bq2Exception.badInput("--rootfs needs --kernel FILE (the kernel to boot the packed tree with)");
      if (r.initrd() != null) throw Bq2Exception.badInput("--rootfs is packed as the initramfs; drop --initrd");
    }
    if (r.kernel() != null) file("--kernel", r.kernel());
    if (r.initrd() != null) file("--initrd", r.initrd());
    if (r.bios() != null) file("--bios", r.bios());
    if (r.passwordFile() != null) file("--password-file", r.passwordFile());
    if (r.becomePasswordFile() != null) file("--become-password-file", r.becomePasswordFile());
    if (r.passwordFile() != null && r.login() == null) throw Bq2Exception.badInput("--password-file needs --login USER");
    if (r.becomePasswordFile() != null && r.become() == null) throw Bq2Exception.badInput("--become-password-file needs --become CMD");
    if (r.smp() < 1) throw Bq2Exception.badInput("--smp " + r.smp() + ": give 1 or more CPUs");
    if (r.memory() == null || !r.memory().matches("\\d+[MGmg]?")) {
      throw Bq2Exception.badInput("--memory " + r.memory() + ": give a size such as 512M or 2G");
    }
    for (String cmd : r.run()) {
      if (cmd.isBlank() || cmd.contains("\n")) throw Bq2Exception.badInput("--run '" + cmd + "': give one non-empty shell line");
    }
    if (r.login() != null && !r.login().matches("[A-Za-z0-9_.][A-Za-z0-9_.-]*")) {
      throw Bq2Exception.badInput("--login " + r.login() + ": not a user name");
    }
  }

  private static void file(String option, Path p) {
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw Bq2Exception.badInput(option + " " + p + ": no such readable file; give the path of an existing file");
    }
  }

  private BootOutcome check(Path binary) {
    BootOutcome.Diagnosis diagnosis = null;
    try {
      session.timeline(session.started, "Boot check started: " + describeSource() + ".");
      Path initrd = prepare();
      Instant imageDone = Instant.now();
      reach("image", imageDone, "image prepared");
      chooseAccelAndStart(binary);
      boot();
      if (request.login() != null) login();
      rootShell();
      runSmoke();
      Optional<BootOutcome.Smoke> failed = smoke.stream().filter(s -> s.exitCode() == null || s.exitCode() != 0).findFirst();
      if (failed.isPresent()) {
        BootOutcome.Smoke s = failed.get();
        diagnosis = new BootOutcome.Diagnosis("smoke-failed", s.output().isBlank() ? "(no output)" : lastLines(s.output()),
            "smoke command `" + s.command() + "` exited " + s.exitCode(),
            "run `" + s.command() + "` in the booted system and fix what its output says");
      }
    } catch (Failure f) {
      diagnosis = f.diagnosis;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      diagnosis = new BootOutcome.Diagnosis("timeout", lastSeen(), "the boot check was interrupted", "run it again");
    } catch (IOException e) {
      throw new UncheckedIOException("boot-check: " + e.getMessage(), e);
    } finally {
      stopQemu();
    }
    return finish(diagnosis);
  }

  private String describeSource() {
    if (request.image() != null) return "disk image " + request.image();
    if (request.rootfs() != null) return "rootfs " + request.rootfs() + " with kernel " + request.kernel();
    return "kernel " + request.kernel() + (request.initrd() != null ? " with initrd " + request.initrd() : "");
  }

  private Path packedInitrd;

  /** Stage `image`: packs `--rootfs` into an initramfs in the session folder. */
  private Path prepare() throws IOException {
    if (request.rootfs() == null) return request.initrd();
    packedInitrd = session.dir.resolve("initramfs.cpio");
    try {
      Initramfs.pack(request.rootfs(), packedInitrd);
    } catch (IOException e) {
      throw Bq2Exception.badInput("--rootfs " + request.rootfs() + ": cannot pack it into an initramfs (" + e.getMessage()
          + "); give a readable tree");
    }
    say("packed " + request.rootfs() + " into " + packedInitrd + " (" + Files.size(packedInitrd) + " bytes)");
    return packedInitrd;
  }

  private void chooseAccelAndStart(Path binary) throws IOException, InterruptedException, Failure {
    String wanted = request.accel();
    if (wanted.equals("tcg")) {
      accelReason = "--accel tcg";
      start(binary, "tcg");
      return;
    }
    String kvmProblem = kvmProblem(request.arch());
    if (wanted.equals("kvm")) {
      if (kvmProblem != null) throw Bq2Exception.badInput("--accel kvm: " + kvmProblem + "; use --accel tcg or auto");
      accelReason = "--accel kvm";
      start(binary, "kvm");
      return;
    }
    if (kvmProblem != null) {
      accelReason = kvmProblem + "; using TCG";
      say(accelReason);
      session.timeline(Instant.now(), accelReason + ".");
      start(binary, "tcg");
      return;
    }
    start(binary, "kvm");
    Duration bound = min(KVM_PROBE, request.stageTimeout());
    if (qemu.console.awaitFirstByte(qemuStarted.plus(bound))) {
      accelReason = "/dev/kvm opens read-write and the guest printed on the serial port within " + Durations.text(bound);
      return;
    }
    String why = qemu.console.ended() ? "KVM run of QEMU ended without serial output (" + qemu.stderrTail() + ")"
        : "KVM gave no serial output in " + Durations.text(bound);
    accelReason = why + "; falling back to TCG";
    say(accelReason);
    session.timeline(Instant.now(), accelReason + ".");
    stopQemu();
    reached.remove("first-byte");
    start(binary, "tcg");
  }

  /**
   * Why KVM cannot be used here, or null when /dev/kvm opens read-write for a guest of this
   * machine's own architecture (KVM runs no other: an aarch64 guest on an x86_64 host is TCG).
   */
  static String kvmProblem(String guestArch) {
    String host = hostArch();
    if (!guestArch.equals(host)) return "KVM runs only " + host + " guests on this " + host + " machine";
    Path kvm = Path.of("/dev/kvm");
    if (!Files.exists(kvm)) return "/dev/kvm does not exist";
    try (FileChannel ch = FileChannel.open(kvm, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return null;
    } catch (IOException | SecurityException e) {
      return "/dev/kvm cannot be opened read-write (" + e.getMessage() + ")";
    }
  }

  /** This machine's architecture in QEMU's names (the JVM says amd64 for x86_64). */
  static String hostArch() {
    String a = System.getProperty("os.arch");
    return a.equals("amd64") ? "x86_64" : a.equals("arm64") ? "aarch64" : a;
  }

  /** A started QEMU: its process group, the guard that kills it if we die, and its console. */
  private record Qemu(Process process, ProcessGroup group, OrphanGuard guard, Console console, Path stderr) {
    String stderrTail() {
      try {
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "no message on stderr" : lines.get(lines.size() - 1).strip();
      } catch (IOException e) {
        return "stderr unreadable";
      }
    }
  }

  private void start(Path binary, String accelName) throws IOException {
    accel = accelName;
    String name = "bq2-boot-" + session.dir.getFileName();
    Path initrd = packedInitrd != null ? packedInitrd : request.initrd();
    qemuArgv = QemuCommand.argv(binary, request, accelName, initrd, name);
    if (request.image() == null && !request.noConsoleArg() && !consoleArgSaid) {
      consoleArgSaid = true;
      String arg = QemuCommand.consoleArg(request.arch());
      if (!request.append().contains(arg.split(",")[0])) say("added " + arg + " to the kernel command line (--no-console-arg: leave it out)");
    }
    session.qemuCommand(qemuArgv, "accel " + accelName + ", written " + Timestamps.state(Instant.now()));
    Path stderr = session.dir.resolve("qemu-stderr.log");
    ProcessBuilder pb = new ProcessBuilder(ProcessGroup.wrap(qemuArgv))
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    session.transcript("start qemu (" + accelName + "): " + QemuCommand.shellLine(qemuArgv));
    Process p = pb.start();
    qemuStarted = Instant.now();
    lastProgress = qemuStarted;
    ProcessGroup group = ProcessGroup.of(p, Duration.ofSeconds(5));
    OrphanGuard guard = OrphanGuard.of(group.pgid());
    Console console = new Console(p.getInputStream(), p.getOutputStream(), session.serial(), new Console.Listener() {
      @Override
      public void sent(String shown) {
        session.transcript("send " + shown);
      }

      @Override
      public void firstByte(Instant at) {
        session.transcript("first serial byte");
      }
    });
    qemu = new Qemu(p, group, guard, console, stderr);
    console.start();
    session.timeline(qemuStarted, "QEMU started (" + accelName + ", pid " + p.pid() + "); command in `qemu-command.txt`.");
    say("QEMU started (accel " + accelName + ", pid " + p.pid() + ")");
  }

  private void stopQemu() {
    if (qemu == null) return;
    Qemu q = qemu;
    qemu = null;
    q.group().stopAndWait();
    try {
      q.process().waitFor();
      q.console().close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (q.guard() != null) q.guard().close();
    session.transcript("qemu stopped (exit " + (q.process().isAlive() ? "?" : q.process().exitValue()) + ")");
  }

  /** Stages first-byte, kernel and init (up to the point where a prompt or shell can be expected). */
  private void boot() throws InterruptedException, Failure {
    Duration bound = min(FIRST_OUTPUT, request.stageTimeout());
    Instant deadline = earliest(qemuStarted.plus(bound), overallDeadline);
    if (!qemu.console.awaitFirstByte(deadline)) {
      if (qemu.console.ended()) throw qemuExited("first serial byte");
      throw new Failure("no-serial-output", "(nothing: not one byte on the serial port in " + Durations.text(bound) + ")",
          request.noConsoleArg() || request.image() != null
              ? "the kernel command line lacks the serial console, so the kernel and init print nowhere we read"
              : "the kernel did not start or does not write to the first serial port (wrong --arch, or a kernel without a serial driver)",
          request.image() != null ? "make the image's boot loader pass " + QemuCommand.consoleArg(request.arch()) + " to the kernel"
              : request.noConsoleArg() ? "drop --no-console-arg, or add " + QemuCommand.consoleArg(request.arch()) + " to --append"
              : "check that the kernel is for " + request.arch() + " and has the 8250/PL011 serial console built in");
    }
    reach("first-byte", qemu.console.firstByte(), "first serial byte");
  }

  /** Waits for the login prompt, logs in, and answers the password request. */
  private void login() throws InterruptedException, Failure, IOException {
    expect("login-prompt", null, LOGIN_PROMPT);
    reach("login-prompt", Instant.now(), "login prompt");
    qemu.console.send(request.login() + "\n", request.login());
    if (request.passwordFile() != null) {
      Console.Hit h = expect("login", null, PASSWORD_PROMPT, LOGIN_INCORRECT).orElseThrow();
      if (h.pattern() == 1) throw loginRefused(h.text());
      qemu.console.send(secret(request.passwordFile()) + "\n", "(password from " + request.passwordFile() + ")");
    }
  }

  private Failure loginRefused(String seen) {
    return new Failure("login-refused", lastSeen(), "the system refused the login of " + request.login() + " (" + seen.strip() + ")",
        "check --login and the password in --password-file");
  }

  /** Finds the shell's uid; escalates with --become when it is not 0. */
  private void rootShell() throws InterruptedException, Failure, IOException {
    if (request.login() == null) awaitShellReady();
    int uid = probeUid(request.login() == null ? "shell" : "login");
    if (uid != 0) {
      if (request.become() == null) {
        throw new Failure("escalation-refused", lastSeen(), "the shell runs as uid " + uid + ", not root, and no --become was given",
            "add --become 'su -' (or 'sudo -i') with --become-password-file, or log in as root");
      }
      say("shell is uid " + uid + "; escalating with `" + request.become() + "`");
      qemu.console.send(request.become() + "\n", request.become());
      if (request.becomePasswordFile() != null) {
        Console.Hit h = expect("root-shell", null, PASSWORD_PROMPT, BECOME_REFUSED).orElseThrow();
        if (h.pattern() == 1) throw escalationRefused(h.text());
        qemu.console.send(secret(request.becomePasswordFile()) + "\n", "(password from " + request.becomePasswordFile() + ")");
      }
      uid = probeUid("root-shell");
      if (uid != 0) throw escalationRefused("the shell is still uid " + uid + " after `" + request.become() + "`");
    }
    reach("root-shell", Instant.now(), "root shell (id -u answered 0)");
  }

  private Failure escalationRefused(String seen) {
    return new Failure("escalation-refused", lastSeen(), "escalation refused: `" + request.become() + "` did not give a root shell ("
        + seen.strip() + ")",
        request.becomePasswordFile() == null ? "give the root password with --become-password-file, or allow the user to escalate without one"
            : "check the password in --become-password-file and that the user may run `" + request.become() + "`");
  }

  /**
   * Without --login the shell comes by itself: probing starts once init has printed (or, on a
   * kernel that logs no hand-over line, once the console was quiet for {@link #QUIET}).
   */
  private void awaitShellReady() throws InterruptedException, Failure {
    while (!reached.containsKey("init")) {
      Instant deadline = earliest(lastProgress.plus(request.stageTimeout()), overallDeadline);
      Optional<Console.Hit> h = expect("init", Instant.now().plus(QUIET), LOGIN_PROMPT);
      if (h.isPresent()) {
        throw new Failure("timeout", lastSeen(), "the system asks for a login and no --login was given",
            "add --login USER (with --password-file FILE), or boot a shell without login");
      }
      if (reached.containsKey("init")) break;
      if (!handover && qemu.console.awaitQuiet(QUIET, deadline)) return; // quiet kernel: try the shell
    }
  }

  /** Types an `id -u` probe with a unique marker until it is answered; returns the uid. */
  private int probeUid(String stage) throws InterruptedException, Failure, IOException {
    String token = token();
    // The shell echoes what we type: the answer holds 42 where the echo holds $((6*7)).
    String probe = "echo " + token + ":$((6*7)):$(id -u):END";
    Pattern answer = Pattern.compile(token + ":42:(\\d+):END");
    List<Pattern> patterns = new ArrayList<>(List.of(answer));
    if (request.login() != null) patterns.add(LOGIN_INCORRECT);
    if (stage.equals("root-shell")) patterns.add(BECOME_REFUSED);
    boolean passwordKnown = stage.equals("root-shell") ? request.becomePasswordFile() != null : request.passwordFile() != null;
    if (!passwordKnown && !stage.equals("shell")) patterns.add(PASSWORD_PROMPT);
    while (true) {
      qemu.console.send(probe + "\n", probe);
      Optional<Console.Hit> hit = expect(stage, Instant.now().plus(PROBE_RESEND), patterns.toArray(Pattern[]::new));
      if (hit.isEmpty()) continue;
      Console.Hit h = hit.get();
      Pattern p = patterns.get(h.pattern());
      if (p == answer) {
        awaitPrompt();
        int uid = Integer.parseInt(h.group(1));
        session.transcript("matched uid " + uid);
        return uid;
      }
      if (p == LOGIN_INCORRECT && !stage.equals("root-shell")) throw loginRefused(h.text());
      if (p == PASSWORD_PROMPT) {
        if (stage.equals("root-shell")) throw escalationRefused("it asked for a password and no --become-password-file was given");
        throw new Failure("login-refused", lastSeen(), "login asked for a password and no --password-file was given",
            "give the password with --password-file FILE");
      }
      throw escalationRefused(h.text());
    }
  }

  /** After an answer, the shell prints its prompt (and may query the cursor): wait for it briefly before typing on. */
  private void awaitPrompt() throws InterruptedException {
    qemu.console.await(earliest(Instant.now().plusSeconds(5), overallDeadline), Pattern.compile("\\S[^\n]*\\z"));
  }

  private void runSmoke() throws InterruptedException, IOException, Failure {
    int i = 0;
    for (String cmd : request.run()) {
      i++;
      String token = token();
      Pattern done = Pattern.compile("(?s)" + token + "S42\n(.*?)" + token + "E42:(\\d+)\n");
      Instant t0 = Instant.now();
      qemu.console.send("echo " + token + "S$((6*7)); " + cmd + "; echo " + token + "E$((6*7)):$?\n", cmd);
      Optional<Console.Hit> hit = expect("smoke " + i, earliest(t0.plus(request.stageTimeout()), overallDeadline), done);
      double secs = Duration.between(t0, Instant.now()).toMillis() / 1000.0;
      if (hit.isEmpty()) {
        smoke.add(new BootOutcome.Smoke(cmd, null, secs, lastSeen()));
        throw new Failure("smoke-failed", lastSeen(), "smoke command `" + cmd + "` did not finish within " + Durations.text(request.stageTimeout()),
            "run `" + cmd + "` in the booted system; raise --timeout if it is only slow");
      }
      String output = Console.utf8(hit.get().group(1)).strip();
      int exit = Integer.parseInt(hit.get().group(2));
      secs = Duration.between(t0, hit.get().at()).toMillis() / 1000.0;
      smoke.add(new BootOutcome.Smoke(cmd, exit, secs, output));
      String line = "smoke " + i + "/" + request.run().size() + " `" + cmd + "` exited " + exit + " in "
          + String.format(java.util.Locale.ROOT, "%.2f", secs) + "s" + (output.isEmpty() ? "" : ": " + firstLine(output));
      session.timeline(hit.get().at(), line + ".");
      say(line);
      awaitPrompt();
    }
  }

  /**
   * Waits for one of {@code wanted}, keeping the passive stages (kernel, init) up to date and
   * failing on a panic, the end of QEMU, or the stage timeout. With {@code soft} set, returns
   * empty once that passes (to type a probe again) while the stage still has time.
   */
  private Optional<Console.Hit> expect(String waitingFor, Instant soft, Pattern... wanted) throws InterruptedException, Failure {
    while (true) {
      List<Pattern> all = new ArrayList<>(List.of(wanted));
      all.add(PANIC);
      if (!reached.containsKey("kernel")) all.add(KERNEL);
      if (!handover) all.add(HANDOVER);
      if (handover && !reached.containsKey("init")) all.add(USER_LINE);
      Instant hard = earliest(lastProgress.plus(request.stageTimeout()), overallDeadline);
      Instant deadline = soft == null ? hard : earliest(soft, hard);
      Optional<Console.Hit> hit = qemu.console.await(deadline, all.toArray(Pattern[]::new));
      if (hit.isEmpty()) {
        if (qemu.console.ended()) throw qemuExited(waitingFor);
        if (soft != null && Instant.now().isBefore(hard)) return Optional.empty();
        throw timeout(waitingFor);
      }
      Console.Hit h = hit.get();
      Pattern p = all.get(h.pattern());
      if (h.pattern() < wanted.length) {
        if (handover && !reached.containsKey("init")) reach("init", h.at(), "init running");
        session.transcript("matched " + quote(h.text()));
        return hit;
      }
      if (p == PANIC) throw panic(h.text().strip());
      if (p == KERNEL) reach("kernel", h.at(), h.text().strip());
      else if (p == HANDOVER) {
        handover = true;
        session.transcript("matched " + quote(h.text()));
      } else if (p == USER_LINE) {
        reach("init", h.at(), "first line from init: " + h.text().strip());
        if (soft != null) return Optional.empty(); // a caller that loops looks at the new stage
      }
    }
  }

  private Failure panic(String line) {
    boolean noInit = line.contains("No working init found") || line.matches(".*Requested init \\S+ failed.*")
        || line.contains("Attempted to kill init");
    String quoted = Console.utf8(line);
    if (noInit) {
      return new Failure("init-not-found", quoted, "the kernel found no init to run: " + quoted,
          "put an executable /init (initramfs) or /sbin/init in the image, or pass init=PATH in --append");
    }
    return new Failure("kernel-panic", quoted, quoted,
        "read the lines before the panic in serial.log (missing root device or driver: root=/rootwait in --append, or the initramfs modules)");
  }

  private Failure qemuExited(String waitingFor) {
    return new Failure("qemu-exited", lastSeen(), "QEMU ended while waiting for " + waitingFor + " (" + qemu.stderrTail() + ")",
        "see qemu-stderr.log and qemu-command.txt in the session folder");
  }

  private Failure timeout(String waitingFor) {
    String seen = lastSeen();
    Duration bound = request.stageTimeout();
    if (waitingFor.equals("login-prompt")) {
      return new Failure("no-login-prompt", seen, "no `login:` prompt within " + Durations.text(bound)
          + " of the last stage; no getty on the serial console, or it runs on another tty",
          "start a getty on " + (request.arch().equals("aarch64") ? "ttyAMA0" : "ttyS0") + " (inittab/systemd serial-getty), or drop --login when the system starts a shell");
    }
    String stage = !reached.containsKey("kernel") ? "the kernel's `Linux version` line"
        : !reached.containsKey("init") ? "init's first line" : waitingFor;
    return new Failure("timeout", seen, "no progress within " + Durations.text(bound) + " while waiting for " + stage,
        !reached.containsKey("kernel") ? "check the kernel/image is for " + request.arch() + " and that the boot loader passes the serial console"
            : "read serial.log; raise --timeout if the machine is only slow");
  }

  private void reach(String stage, Instant at, String what) {
    if (reached.containsKey(stage)) return;
    Instant prev = previousReached();
    reached.put(stage, at);
    if (!stageOrder.contains(stage)) stageOrder.add(stage);
    if (at.isAfter(lastProgress == null ? at : lastProgress)) lastProgress = at;
    if (lastProgress == null) lastProgress = at;
    Duration d = prev == null ? Duration.between(session.started, at) : Duration.between(prev, at);
    if (d.isNegative()) d = Duration.ZERO;
    String line = stage + " reached in " + BootSession.seconds(d) + "s"
        + (qemuStarted != null && !stage.equals("image") ? " (" + BootSession.seconds(Duration.between(qemuStarted, at)) + "s after QEMU start)" : "")
        + ": " + Console.utf8(what);
    session.timeline(at, line); // the files first: what we print has been saved
    say(line);
  }

  private Instant previousReached() {
    Instant last = null;
    for (Instant i : reached.values()) if (last == null || i.isAfter(last)) last = i;
    if (qemuStarted != null && (last == null || qemuStarted.isAfter(last))) return qemuStarted;
    return last;
  }

  private List<String> allStages() {
    List<String> s = new ArrayList<>(List.of("image", "first-byte", "kernel", "init"));
    if (request.login() != null) s.add("login-prompt");
    s.add("root-shell");
    return s;
  }

  private BootOutcome finish(BootOutcome.Diagnosis diagnosis) {
    Instant ended = Instant.now();
    List<BootOutcome.Stage> stages = new ArrayList<>();
    Instant prev = session.started;
    for (String s : allStages()) {
      Instant at = reached.get(s);
      if (s.equals("first-byte") && qemuStarted != null && at != null) prev = qemuStarted;
      if (at == null) {
        stages.add(new BootOutcome.Stage(s, null, false));
        continue;
      }
      stages.add(new BootOutcome.Stage(s, Math.max(0, Duration.between(prev, at).toMillis()) / 1000.0, true));
      prev = at;
    }
    boolean rootShell = reached.containsKey("root-shell");
    long passedSmoke = smoke.stream().filter(s -> s.exitCode() != null && s.exitCode() == 0).count();
    boolean passed = diagnosis == null && rootShell && passedSmoke == request.run().size();
    String verdict = passed
        ? "root shell reached; " + passedSmoke + "/" + request.run().size() + " smoke commands passed"
        : (rootShell ? "root shell reached; " + passedSmoke + "/" + request.run().size() + " smoke commands passed; " : "")
            + (diagnosis == null ? "failed" : diagnosis.kind() + ": " + diagnosis.likelyCause());
    BootOutcome outcome = new BootOutcome(BootOutcome.VERSION, passed, verdict, passed ? null : diagnosis, accel, accelReason, stages,
        smoke, iso(session.started), iso(ended), qemuArgv, session.dir.toString());
    outcome.write(session.dir.resolve(BootOutcome.FILE));
    journalConclusion(outcome);
    out.println("boot-check: " + (passed ? "PASSED: " : "FAILED: ") + verdict);
    if (!passed && diagnosis != null) {
      out.println("boot-check: last seen: " + firstLine(lastLines(diagnosis.lastSeen())));
      out.println("boot-check: fix: " + diagnosis.fix());
    }
    out.println("boot-check: journal " + session.dir.resolve("journal.md"));
    return outcome;
  }

  private void journalConclusion(BootOutcome o) {
    Instant end = Instant.now();
    String total = BootSession.seconds(Duration.between(session.started, end));
    session.timeline(end, (o.passed() ? "Passed: " : "Failed: ") + o.verdict() + " (total " + total + "s).");
    List<String> summary = new ArrayList<>();
    summary.add("- Booted " + describeSource() + " in QEMU (" + request.arch() + ", accel " + o.accel() + ": " + o.accelReason() + ").");
    summary.add("- Verdict: " + (o.passed() ? "passed" : "FAILED") + ": " + o.verdict() + ".");
    StringBuilder timings = new StringBuilder("- Stage timings:");
    for (BootOutcome.Stage s : o.stages()) {
      timings.append(' ').append(s.stage()).append(' ').append(s.reached() ? String.format(java.util.Locale.ROOT, "%.2fs", s.seconds()) : "not reached").append(';');
    }
    timings.setLength(timings.length() - 1);
    summary.add(timings + "; total " + total + "s.");
    for (BootOutcome.Smoke s : o.smoke()) {
      summary.add("- Smoke `" + s.command() + "`: exit " + (s.exitCode() == null ? "none (did not finish)" : s.exitCode())
          + (s.output().isEmpty() ? "" : ", output: `" + firstLine(s.output()) + "`") + ".");
    }
    List<String> hypotheses = new ArrayList<>();
    List<String> next = new ArrayList<>();
    BootOutcome.Diagnosis d = o.diagnosis();
    if (d == null) {
      hypotheses.add("None open: the system boots to a root shell and the smoke commands pass.");
      next.add("Nothing queued by this check.");
    } else {
      hypotheses.add("**" + d.kind() + "**: " + d.likelyCause() + ". Last seen on the console: `" + firstLine(lastLines(d.lastSeen())) + "`.");
      next.add(d.fix() + ".");
      next.add("Re-run `bq2 boot-check` with the same options after the fix and compare the stage timings.");
    }
    List<String> lessons = List.of(
        "Prompts are matched with terminal control sequences removed; serial.log keeps the raw bytes.",
        "The shell's user is what `id -u` answers behind a unique marker, never what the prompt looks like.",
        "Artifacts are written while the VM runs: nothing needs copying after a failure.");
    session.conclude(String.join("\n", summary), hypotheses, next, lessons);
  }

  private String lastSeen() {
    return qemu == null ? "" : qemu.console.tail(3);
  }

  private static String lastLines(String s) {
    if (s == null) return "";
    String[] lines = s.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1];
  }

  private static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl) + " …";
  }

  private void say(String line) {
    session.transcript("note " + line);
    out.println("boot-check: " + line);
  }

  private String token() {
    byte[] b = new byte[4];
    random.nextBytes(b);
    return "BQ2" + HexFormat.of().formatHex(b);
  }

  private static String secret(Path file) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String quote(String s) {
    return "\"" + Console.utf8(s).replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"";
  }

  private static String iso(Instant t) {
    return t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
