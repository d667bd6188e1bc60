import dev.bq2.diagnose.LogExcerpt;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times {@link LogExcerpt#read} in process (no JVM start): the first (cold) call, then the
 * median of REPS further calls. Run it with a bounded heap (-Xmx32m) to show the scan does
 * not load the log. Usage: java -Xmx32m -cp bq2.jar:DIR ExcerptTiming LOG [REPS]
 */
public final class ExcerptTiming {
  public static void main(String[] args) throws Exception {
    Path log = Path.of(args[0]);
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long t0 = System.nanoTime();
    LogExcerpt first = LogExcerpt.read(log);
    double cold = (System.nanoTime() - t0) / 1e6;
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t = System.nanoTime();
      LogExcerpt.read(log);
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    double median = reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
    Runtime rt = Runtime.getRuntime();
    System.out.printf("in-process LogExcerpt.read: cold %.1f ms, warm median %.1f ms (min %.1f, max %.1f, %d reps);"
            + " scanned %d KiB; %d excerpt lines, %d decisive; max heap %d MiB%n",
        cold, median, ms[0], ms[reps - 1], reps, first.scannedBytes() >> 10, first.lines().size(),
        first.decisive().size(), rt.maxMemory() >> 20);
    first.decisive().forEach(l -> System.out.println("  decisive: " + l));
  }
}
