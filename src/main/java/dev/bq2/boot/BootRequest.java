package dev.bq2.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What to boot and what to check once it is up: one of {@code image}, {@code kernel}+{@code
 * initrd}, or {@code rootfs}+{@code kernel}. Built with {@link #builder()}; checked by
 * {@link BootCheck#run} (bad input: exit 2 naming the option).
 *
 * @param arch `x86_64` or `aarch64`
 * @param append extra kernel arguments (kernel boots only); we add the serial console unless {@code noConsoleArg}
 * @param memory QEMU's `-m` (e.g. `1G`)
 * @param accel `kvm`, `tcg` or `auto`
 * @param login user to log in as at a `login:` prompt; null: expect a shell without logging in
 * @param become escalation command (`su -`, `sudo -i`) run when the shell is not uid 0
 * @param run smoke commands, each must exit 0 in the root shell
 * @param stageTimeout the bound of each stage
 * @param overallTimeout the bound of the whole check
 * @param sessionRoot where `<UTC>-boot/` is created
 */
public record BootRequest(
    String arch,
    Path image,
    Path bios,
    Path kernel,
    Path initrd,
    Path rootfs,
    String append,
    boolean noConsoleArg,
    String memory,
    int smp,
    String accel,
    String login,
    Path passwordFile,
    String become,
    Path becomePasswordFile,
    List<String> run,
    Duration stageTimeout,
    Duration overallTimeout,
    Path sessionRoot) {

  public static final Duration DEFAULT_STAGE_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration DEFAULT_OVERALL_TIMEOUT = Duration.ofMinutes(10);

  public BootRequest {
    run = run == null ? List.of() : List.copyOf(run);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Optional values with their defaults; the paths are not checked here but in {@link BootCheck#run}. */
  public static final class Builder {
    private String arch = "x86_64";
    private Path image;
    private Path bios;
    private Path kernel;
    private Path initrd;
    private Path rootfs;
    private String append = "";
    private boolean noConsoleArg;
    private String memory = "512M";
    private int smp = 1;
    private String accel = "auto";
    private String login;
    private Path passwordFile;
    private String become;
    private Path becomePasswordFile;
    private final List<String> run = new ArrayList<>();
    private Duration stageTimeout = DEFAULT_STAGE_TIMEOUT;
    private Duration overallTimeout = DEFAULT_OVERALL_TIMEOUT;
    private Path sessionRoot = Path.of("session");

    public Builder arch(String v) { arch = v; return this; }
    public Builder image(Path v) { image = v; return this; }
    public Builder bios(Path v) { bios = v; return this; }
    public Builder kernel(Path v) { kernel = v; return this; }
    public Builder initrd(Path v) { initrd = v; return this; }
    public Builder rootfs(Path v) { rootfs = v; return this; }
    public Builder append(String v) { append = v == null ? "" : v; return this; }
    public Builder noConsoleArg(boolean v) { noConsoleArg = v; return this; }
    public Builder memory(String v) { memory = v; return this; }
    public Builder smp(int v) { smp = v; return this; }
    public Builder accel(String v) { accel = v; return this; }
    public Builder login(String v) { login = v; return this; }
    public Builder passwordFile(Path v) { passwordFile = v; return this; }
    public Builder become(String v) { become = v; return this; }
    public Builder becomePasswordFile(Path v) { becomePasswordFile = v; return this; }
    public Builder run(String v) { run.add(v); return this; }
    public Builder run(List<String> v) { run.addAll(v); return this; }
    public Builder stageTimeout(Duration v) { stageTimeout = v; return this; }
    public Builder overallTimeout(Duration v) { overallTimeout = v; return this; }
    public Builder sessionRoot(Path v) { sessionRoot = v; return this; }

    public BootRequest build() {
      return new BootRequest(arch, image, bios, kernel, initrd, rootfs, append, noConsoleArg, memory, smp, accel,
          login, passwordFile, become, becomePasswordFile, run, stageTimeout, overallTimeout, sessionRoot);
    }
  }
}
