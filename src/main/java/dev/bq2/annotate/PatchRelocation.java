package dev.bq2.annotate;

import dev.bq2.Bq2Exception;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PhaseOverride;
import dev.bq2.plan.StepOverride;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Patches named in `patches_add` that live outside the builder repo (the rootfs, /tmp) would be
 * lost with the overrides: they are copied to `<repo>/patches/<step>/<file name>` and the
 * overrides are rewritten to name the copy. A patch already inside the repo stays where it is; a
 * relative entry is relative to the step's workdir (docs/formats.md#upstream-formats) and is left alone.
 */
public final class PatchRelocation {
  /** One patch to copy: from where, to which repo-relative path. */
  public record Move(String phase, String step, Path from, String to) {}

  private final Path repoRoot;
  private final List<Move> moves;
  private final Overrides relocated;

  private PatchRelocation(Path repoRoot, List<Move> moves, Overrides relocated) {
    this.repoRoot = repoRoot;
    this.moves = List.copyOf(moves);
    this.relocated = relocated;
  }

  /** Works out the moves; refuses a named patch that does not exist or clashes with a different repo file. */
  public static PatchRelocation plan(Overrides overrides, Path repoRoot, Path overridesFile) {
    List<Move> moves = new ArrayList<>();
    Map<String, PhaseOverride> phases = new LinkedHashMap<>();
    overrides.phases().forEach((phase, po) -> {
      if (po.steps() == null) {
        phases.put(phase, po);
        return;
      }
      Map<String, StepOverride> steps = new LinkedHashMap<>();
      po.steps().forEach((step, so) -> {
        List<String> add = new ArrayList<>();
        for (String patch : so.patchesAdd()) {
          Path p = Path.of(patch);
          if (!p.isAbsolute() || p.normalize().startsWith(repoRoot)) {
            add.add(patch);
            continue;
          }
          if (!Files.isRegularFile(p)) {
            throw Bq2Exception.badInput(overridesFile + ": field phases." + phase + ".steps." + step + ".patches_add: "
                + patch + " does not exist, so it cannot be kept in the builder repo; restore the patch file or remove the entry");
          }
          String to = "patches/" + step + "/" + p.getFileName();
          Path target = repoRoot.resolve(to);
          if (Files.exists(target) && !Arrays.equals(bytes(target), bytes(p))) {
            throw Bq2Exception.badInput(target + ": exists with other content than " + patch + " (patches_add of "
                + phase + "/" + step + "); rename one of them");
          }
          moves.add(new Move(phase, step, p, to));
          add.add(target.toString());
        }
        steps.put(step, so.withPatchesAdd(add));
      });
      phases.put(phase, po.withSteps(steps));
    });
    return new PatchRelocation(repoRoot, moves, new Overrides(phases));
  }

  public List<Move> moves() {
    return moves;
  }

  /** The overrides with relocated patches named by their repo path. */
  public Overrides relocated() {
    return relocated;
  }

  public List<String> targets() {
    return moves.stream().map(Move::to).toList();
  }

  /** Copies the patches into the repo. */
  public void apply() {
    for (Move m : moves) {
      Path target = repoRoot.resolve(m.to());
      try {
        Files.createDirectories(target.getParent());
        if (!Files.exists(target)) Files.copy(m.from(), target);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy " + m.from() + " to " + target, e);
      }
    }
  }

  private static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }
}
