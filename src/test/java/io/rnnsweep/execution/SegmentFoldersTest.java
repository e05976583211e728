package io.rnnsweep.execution;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scratch folders of trial segments: named by their JVM, and those of JVMs killed meanwhile removed. */
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
}
