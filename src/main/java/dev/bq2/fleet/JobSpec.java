package dev.bq2.fleet;

import java.nio.file.Path;

/**
 * One batch job to submit.
 *
 * @param name job name (`bq2-<rootfs name>`)
 * @param script the batch script, written by us
 * @param output the job's output file; `%j` stands for the job id, as in sbatch
 * @param workDir where the job starts
 * @param options partition, cpus, memory, time limit, requeue
 */
public record JobSpec(String name, Path script, String output, Path workDir, JobOptions options) {}
