package io.rnnsweep.execution;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where trials keep their checkpoints between segments: a folder in local mode, any Hadoop FileSystem on a
 * cluster. It travels with the trial to whichever executor runs the next segment.
 */
public interface CheckpointStore extends Serializable {
    /** The store of trials that keep no checkpoints (the in-process executor's tests and benchmarks): it does nothing. */
    CheckpointStore NONE = new CheckpointStore() {
        @Override
        public void download(String uri, Path to) {
        }

        @Override
        public void upload(Path from, String uri) {
        }

        @Override
        public void delete(String uri) {
        }
    };

    /** Copies the stored checkpoint at {@code uri} to the local file {@code to}. */
    void download(String uri, Path to) throws IOException;

    /** Stores the local file {@code from} at {@code uri}, replacing what was there as a whole. */
    void upload(Path from, String uri) throws IOException;

    /** Deletes the checkpoint at {@code uri}; nothing happens when there is none. */
    void delete(String uri) throws IOException;

    /**
     * Removes the checkpoint folder {@code dir} when it holds nothing (a sweep whose trials all ended keeps no
     * checkpoint); a store without folders does nothing.
     */
    default void removeIfEmpty(String dir) throws IOException {
    }
}
