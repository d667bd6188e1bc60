package dev.bq2.fleet;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One batch job of the fleet: the rootfs it builds and the job that builds it. A resubmitted job
 * is a new entry naming the job it replaces ({@code resubmittedFrom}); the newest entry of a
 * rootfs is the one in force.
 *
 * @param rootfs absolute path of the rootfs (on storage every node sees)
 * @param name the job name, `bq2-<rootfs folder name>`
 * @param jobId the engine's job id (Slurm: what `sbatch --parsable` printed, cluster suffix cut)
 * @param submitted UTC ISO-8601 time of the submission
 * @param options the iterate options given to `fleet submit`, verbatim, passed to `bq2 iterate`
 * @param jobOptions what the job asked of the batch system (partition, cpus, …); null when nothing
 * @param log absolute path of the job's output file (in the rootfs's log folder)
 * @param resubmittedFrom the job id this one replaces, null for a first submission
 */
@JsonPropertyOrder({"rootfs", "name", "job_id", "submitted", "options", "job_options", "log", "resubmitted_from"})
public record FleetBuild(String rootfs, String name, String jobId, String submitted, List<String> options,
    JobOptions jobOptions, String log,
    String resubmittedFrom) {

  public FleetBuild {
    options = options == null ? List.of() : List.copyOf(options);
  }
}
