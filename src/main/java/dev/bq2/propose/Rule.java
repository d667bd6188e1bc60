package dev.bq2.propose;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rule of the rules file (docs/formats.md#proposals-rules-and-overrides-history): which failures it knows (classes and a
 * regex over the excerpt), when it applies, and the minimal delta it proposes. Rules are data so
 * users can add their own with `--rules FILE`.
 *
 * @param classes failure classes in lower case (`link`, `compile`, ...); empty means any
 * @param match a Java regex searched in each excerpt line and in the report's error text; its
 *     groups fill `{1}`, `{2}`... in the action and the rationale
 * @param disabled true in a user file to switch off the default rule with the same id
 * @param options when set, the rule picks an argument the package itself offers (from the
 *     {@link Evidence}) and `{option}` in the action and rationale is that argument
 */
@JsonPropertyOrder({"id", "classes", "match", "when", "action", "rationale", "disabled", "options"})
public record Rule(
    String id,
    List<String> classes,
    String match,
    When when,
    Action action,
    String rationale,
    Boolean disabled,
    Options options) {

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

  /** Mechanisms {@link Options#pick} may name. */
  public static final java.util.Set<String> PICKS = java.util.Set.of("named_in_error", "configure_by_word",
      "cmake_by_word", "cmake_guard_error", "cmake_guard_werror", "by_directory", "offered", "cache_variable");

  /**
   * An option-based template: the mechanisms in {@code pick} are tried in order, each looking
   * for an argument the package offers (configure's help text, its CMake options and cache
   * variables, config.log with the configure script); the first found fills `{option}`, and
   * `{why}` says where it was found. A rule never invents an option.
   *
   * @param pick `named_in_error` (an offered configure switch written in the error),
   *     `configure_by_word` (a configure switch whose feature is a word of the error, off form),
   *     `cmake_by_word` (a CMake option guarding `find_package` of that word, or with it in its
   *     name, OFF), `cmake_guard_error` (the option whose `if()` holds the failing CMake code),
   *     `cmake_guard_werror` (the option that adds -Werror), `by_directory` (a switch or option
   *     named like the directory of the failing file, e.g. examples, tests, or guarding its
   *     `add_subdirectory`), `offered` (the first of {@code offered} the package offers),
   *     `cache_variable` (the `VAR=value` answering a configure run-test)
   * @param words the match group whose words are matched (null or 0: the whole matched line)
   * @param offered literal candidates for `offered`: `--disable-shared`, `--static`,
   *     `-DBUILD_SHARED_LIBS=OFF`, `-D*SHARED*=OFF` (a glob over the package's BOOL options)
   * @param cross only in a cross build (compiler triplet or `--host=` differs from the build machine)
   * @param staticBuild only when `-static` is in CC, CFLAGS or LDFLAGS
   * @param escalateIfNone escalate with no change when no option is found
   */
  @JsonPropertyOrder({"pick", "words", "offered", "cross", "static_build", "escalate_if_none"})
  public record Options(
      List<String> pick,
      Integer words,
      List<String> offered,
      Boolean cross,
      Boolean staticBuild,
      Boolean escalateIfNone) {

    public Options {
      pick = pick == null ? List.of() : List.copyOf(pick);
      offered = offered == null ? List.of() : List.copyOf(offered);
    }
  }
}
