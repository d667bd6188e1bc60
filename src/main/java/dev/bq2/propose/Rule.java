package dev.bq2.propose;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rule of the rules file (docs/formats-propose.md): which failures it knows (classes and a
 * regex over the excerpt), when it applies, and the minimal delta it proposes. Rules are data so
 * users can add their own with `--rules FILE`.
 *
 * @param classes failure classes in lower case (`link`, `compile`, ...); empty means any
 * @param match a Java regex searched in each excerpt line and in the report's error text; its
 *     groups fill `{1}`, `{2}`... in the action and the rationale
 * @param disabled true in a user file to switch off the default rule with the same id
 */
@JsonPropertyOrder({"id", "classes", "match", "when", "action", "rationale", "disabled"})
public record Rule(
    String id,
    List<String> classes,
    String match,
    When when,
    Action action,
    String rationale,
    Boolean disabled) {

  public Rule {
    classes = classes == null ? List.of() : List.copyOf(classes);
  }

  public boolean isDisabled() {
    return Boolean.TRUE.equals(disabled);
  }

  /**
   * Extra conditions, all of which must hold.
   *
   * @param strategies the failing step's strategy is one of these
   * @param configureOffers the step's `configure` script mentions this option (e.g.
   *     `--disable-werror`), found by reading the script, never by running it
   * @param excerptHas some excerpt line contains this text
   * @param parallelMake the failing command ran make/cmake with more than one job
   * @param namedInMakefile the text of this match group (its file name) appears in a Makefile of
   *     the step's workdir, i.e. the file is a product of this build, not a missing dependency
   * @param diagnosticIsError the match counts only on a line where the diagnostic is an error
   *     (`error:`, `[-Werror=X]`, `[-Werror]`); a mere warning with the failure elsewhere does not
   * @param strictStdHides the compile line uses a strict `-std=cNN`/`-ansi` and a symbol the
   *     excerpt calls undeclared is one the C library declares only under a feature macro
   *     (fills `{feature_macro}`, `{hidden_symbol}`, `{c_std}`)
   * @param headerDeclares the compiler's copy of this header declares the symbol of group 1
   *     (fills `{header}`)
   * @param makeVariableFor the first of these groups that matched names a tool, and a Makefile
   *     variable of the step runs it (fills `{tool}`, `{make_variable}`)
   */
  @JsonPropertyOrder({"strategies", "configure_offers", "excerpt_has", "parallel_make", "named_in_makefile",
      "diagnostic_is_error", "strict_std_hides", "header_declares", "make_variable_for"})
  public record When(
      List<String> strategies,
      String configureOffers,
      String excerptHas,
      Boolean parallelMake,
      Integer namedInMakefile,
      Boolean diagnosticIsError,
      Boolean strictStdHides,
      String headerDeclares,
      List<Integer> makeVariableFor) {}

  /**
   * The delta template. `env_append` values are added (space-separated) to the key's effective
   * value (step env, else phase env, else empty); `env_set` values replace it. Templates may use
   * `{1}`.. (match groups) and `{build_triplet}` (the compiler's `-dumpmachine`). `env_remove`
   * takes the flag out of each listed key whose effective value has it, writing the key's full
   * new value; when no listed key has it the rule escalates (the flag is not in an env we own).
   * A key the step's Makefiles assign so that the environment cannot change it goes into
   * `MAKEFLAGS` as a command-line variable instead (docs/propose.md).
   */
  @JsonPropertyOrder({"configure_flags_add", "env_append", "env_set", "clean_build", "escalate", "env_remove"})
  public record Action(
      List<String> configureFlagsAdd,
      Map<String, String> envAppend,
      Map<String, String> envSet,
      Boolean cleanBuild,
      Boolean escalate,
      Map<String, String> envRemove) {

    public Action {
      configureFlagsAdd = configureFlagsAdd == null ? List.of() : List.copyOf(configureFlagsAdd);
      envAppend = envAppend == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(envAppend));
      envSet = envSet == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(envSet));
      envRemove = envRemove == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(envRemove));
    }

    boolean isEmpty() {
      return configureFlagsAdd.isEmpty() && envAppend.isEmpty() && envSet.isEmpty() && cleanBuild == null
          && !Boolean.TRUE.equals(escalate) && envRemove.isEmpty();
    }
  }
}
