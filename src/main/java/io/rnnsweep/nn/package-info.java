/**
 * rnnsweep's own DL4J recurrent layers: the simple RNN, LSTM and GRU cells computed with one input-projection
 * GEMM over all time steps, one recurrent GEMM and one fused activation per step, and the weight gradients in
 * one GEMM after the backward pass, on preallocated time-major buffers. Parameters are laid out like DL4J's
 * {@code SimpleRnn} and {@code LSTM}, so networks and checkpoints exchange them.
 */
package io.rnnsweep.nn;
