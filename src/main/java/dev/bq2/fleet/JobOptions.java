package dev.bq2.fleet;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What a job asks of the batch system (`fleet submit --partition P --cpus N --mem M --time T
 * --requeue`), kept in the fleet file so `fleet status --resubmit` asks for the same again. Values
 * are passed to the engine as given (Slurm checks them: `--mem 4G`, `--time 12:00:00`).
 *
 * @param requeue let the engine requeue the job itself after a node failure or preemption
 */
@JsonPropertyOrder({"partition", "cpus", "mem", "time", "requeue"})
public record JobOptions(String partition, Integer cpus, String mem, String time, Boolean requeue) {
  public static final JobOptions NONE = new JobOptions(null, null, null, null, null);

  public boolean requeued() {
    return Boolean.TRUE.equals(requeue);
  }
}
