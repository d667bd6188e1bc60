package dev.bq2.autopilot;

import java.nio.file.Path;
import java.util.List;

/**
 * What an autopilot run ended with: the exit code (0 phase(s) complete, 3 stopped and needs a
 * person), a one-line reason, and the journals it wrote.
 */
public record IterateResult(int exitCode, String reason, List<Path> journals, int iterations, int applied) {}
