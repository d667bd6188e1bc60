package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CMake option families (issue 8 §4) on real minimal CMake projects built by the real
 * runner (`cmake-project`): the fix is always one of the project's own options, found in its
 * CMake files by what the option guards.
 */
@Timeout(240)
class CmakeOptionRulesTest {
  @TempDir java.nio.file.Path dir;

  RealRunnerRig rig(String cmakeLists, Map<String, String> env) throws Exception {
    RealRunnerRig r = new RealRunnerRig(dir, "cmake-project", List.of(), env);
    r.write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.10)\nproject(w C)\n" + cmakeLists);
    r.write("main.c", "int main(void) { int unused = 1; return 0; }\n");
    return r;
  }

  @Test
  void werrorBehindAProjectOptionIsSwitchedOff() throws Exception {
    RealRunnerRig r = rig("option(W_STRICT \"treat warnings as errors\" ON)\n"
        + "if(W_STRICT)\n  add_compile_options(-Wall -Werror)\nendif()\n"
        + "add_executable(w main.c)\ninstall(TARGETS w DESTINATION bin)\n", Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("cmake-werror-option", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("-DW_STRICT=OFF"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void requiredPackageThatAProjectOptionTurnsOff() throws Exception {
    RealRunnerRig r = rig("option(W_SHOW \"unrelated\" ON)\n"
        + "option(W_WITH_BQ2ZSTD \"compress with bq2zstd\" ON)\n"
        + "if(W_WITH_BQ2ZSTD)\n  find_package(Bq2Zstd REQUIRED)\nendif()\n"
        + "add_executable(w main.c)\ninstall(TARGETS w DESTINATION bin)\n", Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("cmake-option-guards-failing-code", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("-DW_WITH_BQ2ZSTD=OFF"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void fatalErrorInASubdirectoryThatAnOptionLeavesOut() throws Exception {
    RealRunnerRig r = rig("option(W_BUILD_TOOLS \"build the tools\" ON)\n"
        + "if(NOT W_BUILD_TOOLS)\nelse()\n  add_subdirectory(tools)\nendif()\n"
        + "add_executable(w main.c)\ninstall(TARGETS w DESTINATION bin)\n", Map.of());
    r.write("tools/CMakeLists.txt", "if(NOT EXISTS /nonexistent/bq2-tool-dep)\n"
        + "  message(FATAL_ERROR \"the tools need bq2-tool-dep\")\nendif()\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("cmake-option-guards-failing-code", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("-DW_BUILD_TOOLS=OFF"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void fatalErrorNoOptionTurnsOffGetsNoChange() throws Exception {
    RealRunnerRig r = rig("option(W_DOCS \"build docs\" ON)\n"
        + "message(FATAL_ERROR \"this platform is not supported\")\n"
        + "add_executable(w main.c)\n", Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertTrue(o.proposal().isEmpty(), () -> "no option guards the error: " + o.proposal());
  }

  static final String SHARED_AND_PROGRAM = "option(BUILD_SHARED_LIBS \"build shared libraries\" ON)\n"
      + "add_library(cnt cnt.c)\nadd_executable(w main.c)\ntarget_link_libraries(w cnt)\n"
      + "install(TARGETS w cnt DESTINATION bin)\n";

  RealRunnerRig staticRig(List<String> flags, Map<String, String> env) throws Exception {
    RealRunnerRig r = new RealRunnerRig(dir, "cmake-project", flags, env);
    r.write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.10)\nproject(w C)\n" + SHARED_AND_PROGRAM);
    r.write("cnt.c", "int cnt(void) { return 0; }\n");
    r.write("main.c", "int cnt(void);\nint main(void) { return cnt(); }\n");
    return r;
  }

  @Test
  void staticProgramMeetsTheProjectsSharedLibrary() throws Exception {
    RealRunnerRig r = staticRig(List.of("-DCMAKE_EXE_LINKER_FLAGS=-static"), Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertTrue(o.request().diagnosis().excerpt().stream().anyMatch(l -> l.contains("attempted static link of dynamic object")),
        () -> o.request().diagnosis().excerpt().toString());
    assertEquals("static-link-of-dynamic-object", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("-DBUILD_SHARED_LIBS=OFF"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void staticBuildAlsoLinksTheProjectsSharedLibrary() throws Exception {
    RealRunnerRig r = staticRig(List.of(), Map.of("LDFLAGS", "-static"));
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertTrue(EvidenceCollector.collect(o.request()).toolchain().staticBuild());
    assertEquals("static-build-makes-shared-object", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("-DBUILD_SHARED_LIBS=OFF"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void testsThatDoNotBuildHereAreLeftOutWithCtestsSwitch() throws Exception {
    RealRunnerRig r = rig("include(CTest)\nadd_executable(w main.c)\ninstall(TARGETS w DESTINATION bin)\n"
        + "if(BUILD_TESTING)\n  add_subdirectory(tests)\nendif()\n", Map.of());
    r.write("main.c", "int main(void) { return 0; }\n");
    r.write("tests/CMakeLists.txt", "add_executable(t t.c)\nadd_test(NAME t COMMAND t)\n");
    r.write("tests/t.c", "#include <bq2_glibc_only.h>\nint main(void) { return 0; }\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("examples-tests-switch", o.rule(), () -> o.skipped() + " " + o.request().diagnosis().excerpt());
    assertEquals(List.of("-DBUILD_TESTING=OFF"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }
}
