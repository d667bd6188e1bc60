package dev.bq2.fleet;

import java.util.Collection;
import java.util.Map;

/**
 * A batch system that runs one job per rootfs, used only through its own command-line tools with
 * their machine formats. Slurm ({@link SlurmEngine}) is the one there is; another (a Kubernetes
 * Job) would answer the same three questions.
 */
public interface Engine {
  /** The name recorded in the fleet file (`slurm`). */
  String name();

  /** Submits the job; returns its id. */
  String submit(JobSpec job) throws InterruptedException;

  /**
   * The state of each job the engine still knows, by id. A job it has forgotten (purged from the
   * controller, no accounting) is absent.
   */
  Map<String, JobState> states(Collection<String> jobIds) throws InterruptedException;

  /** Asks the engine to end the job (its processes get SIGTERM, later SIGKILL). */
  void cancel(String jobId) throws InterruptedException;
}
