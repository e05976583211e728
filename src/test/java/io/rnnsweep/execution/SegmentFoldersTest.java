package io.rnnsweep.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.task.Tasks;
import io.rnnsweep.train.EpochDecision;
import io.rnnsweep.train.EpochFitter;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scratch folders of trial segments: made only where a checkpoint is read or written, named by their JVM,
 * removed when the segment ends, and those of JVMs killed meanwhile removed.
 */
class SegmentFoldersTest {
    @TempDir
    Path tmp;

    @Test
    void foldersOfJvmsThatNoLongerRunAreRemovedAndLiveOrForeignOnesKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = Files.createDirectory(tmp.resolve(TrialRunner.SEGMENT_PREFIX + gone.pid() + "-123"));
        Files.writeString(dead.resolve("checkpoint.zip"), "half a checkpoint");
        Path live = Files.createDirectory(tmp.resolve(TrialRunner.SEGMENT_PREFIX + ProcessHandle.current().pid()
                + "-456"));
        Files.writeString(live.resolve("latest.zip"), "in use");
        Path foreign = Files.createDirectory(tmp.resolve(TrialRunner.SEGMENT_PREFIX + "notapid"));

        TrialRunner.removeDeadSegmentFolders(tmp);

        assertFalse(Files.exists(dead), "a killed JVM's scratch folder is removed");
        assertTrue(Files.isRegularFile(live.resolve("latest.zip")), "a running JVM's folder is kept");
        assertTrue(Files.isDirectory(foreign), "a folder not named by a pid is not ours to remove");
    }

    @Test
    void aScratchFolderIsMadeOnlyForASegmentWithCheckpointsAndRemovedWhenItEnds() throws Exception {
        Map<TrialOption, String> options = TrialConfig.options();
        options.put(TrialOption.HIDDEN, "4");
        options.put(TrialOption.EPOCHS, "2");
        TrialTask trial = new TrialTask("scratch", 0, Tasks.resolve(TaskName.HELLO, options), Map.of(), 0);
        String checkpoint = tmp.resolve("trial-000.zip").toUri().toString();

        List<Integer> without = foldersDuringEpochs(trial.segment(new Segment(0, 2, checkpoint, false, 0, true)));
        assertEquals(List.of(0, 0), without, "a whole trial that keeps no checkpoint has no scratch folder");
        List<Integer> with = foldersDuringEpochs(trial.segment(new Segment(0, 2, checkpoint, false, 1, true)));
        assertEquals(List.of(1, 1), with, "a trial checkpointed every epoch writes them in one scratch folder");
        assertEquals(0, ownFolders(), "the folder is removed when the segment ends");
    }

    /** Trains the segment, counting this JVM's segment scratch folders after each epoch. */
    private static List<Integer> foldersDuringEpochs(TrialTask segment) {
        List<Integer> counts = new ArrayList<>();
        TrialOutcome outcome = TrialRunner.run(segment, 1, (EpochFitter) null, "", List.of(result -> {
            counts.add(ownFolders());
            return EpochDecision.CONTINUE;
        }), CheckpointStore.NONE, 0);
        assertEquals(TrialStatus.FINISHED, outcome.status(), outcome.cause());
        return counts;
    }

    /** Returns how many segment scratch folders of this JVM the temporary folder holds. */
    private static int ownFolders() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var found = Files.newDirectoryStream(tmp, TrialRunner.SEGMENT_PREFIX + ProcessHandle.current().pid()
                + "-*")) {
            int n = 0;
            for (Path ignored : found) {
                n++;
            }
            return n;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
