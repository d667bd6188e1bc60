package dev.bq2.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetFileTest {
  @TempDir Path dir;

  @Test
  void writesTheDocumentedKeysAndReadsThemBack() throws Exception {
    FleetFile f = new FleetFile(dir.resolve("bq2-fleet.json"));
    FleetBuild a = new FleetBuild("/r/a", "bq2-a", "12", "2026-11-30T04:00:00Z", List.of("--assistant", "none"), new JobOptions("debug", 2, null, null, null), "/r/a/log/fleet-12.out", null);
    FleetBuild a2 = new FleetBuild("/r/a", "bq2-a", "14", "2026-11-30T05:00:00Z", List.of(), null, "/r/a/log/fleet-14.out", "12");
    FleetBuild b = new FleetBuild("/r/b", "bq2-b", "13", "2026-11-30T04:00:01Z", List.of(), null, "/r/b/log/fleet-13.out", null);
    f.update("slurm", r -> r.with(a).with(b));
    f.update("slurm", r -> r.with(a2));
    String text = Files.readString(f.path());
    assertTrue(text.contains("\"version\": 1") && text.contains("\"engine\": \"slurm\"") && text.contains("\"job_id\": \"12\"")
        && text.contains("\"resubmitted_from\": \"12\"") && text.contains("\"options\": [")
        && text.contains("\"job_options\": {\n        \"partition\": \"debug\",\n        \"cpus\": 2\n      }"), text);
    FleetRecord back = f.readExisting();
    assertEquals(3, back.builds().size());
    assertEquals(List.of(a2, b), back.current(), "the newest job per rootfs, in first-submitted order");
    assertEquals("14", back.current(Path.of("/r/a")).orElseThrow().jobId());
  }

  @Test
  void anotherVersionOrAMissingFileIsAOneLineError() throws Exception {
    FleetFile f = new FleetFile(dir.resolve("x.json"));
    Bq2Exception none = assertThrows(Bq2Exception.class, f::readExisting);
    assertTrue(none.getMessage().contains("no fleet file " + f.path()), none.getMessage());
    Files.writeString(f.path(), "{\"version\":2,\"engine\":\"slurm\",\"builds\":[]}");
    Bq2Exception v = assertThrows(Bq2Exception.class, f::readExisting);
    assertTrue(v.getMessage().contains("version 2"), v.getMessage());
    Files.writeString(f.path(), "{\"version\":1,\"engine\":\"slurm\",\"builds\":[{\"rootfs\":\"/a\"}]}");
    Bq2Exception missing = assertThrows(Bq2Exception.class, f::readExisting);
    assertTrue(missing.getMessage().contains("builds[0]"), missing.getMessage());
  }
}
