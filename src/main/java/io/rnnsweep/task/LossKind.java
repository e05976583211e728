package io.rnnsweep.task;

/** The kind of loss a task trains on, which decides whether perplexity means anything. */
public enum LossKind {
    /** Softmax cross-entropy per token; perplexity is {@code exp(loss)}. */
    CROSS_ENTROPY,
    /** Squared error per step; no perplexity. */
    SQUARED_ERROR,
    /** The task does not train. */
    NONE
}
