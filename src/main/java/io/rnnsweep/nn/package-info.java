/**
 * rnnsweep's own DL4J layers for the tasks' networks. {@code FastRecurrent}: the simple RNN, LSTM and GRU cells
 * computed with one input-projection GEMM over all time steps, one recurrent GEMM per step, and the weight
 * gradients in one GEMM after the backward pass, on time-major buffers; in single precision on ND4J's CPU backend
 * the products go straight to OpenBLAS and each step's elementwise work runs in vectorised Java loops
 * ({@code CpuFloatPass}, {@code CellKernels}), otherwise in ND4J operations. Parameters are laid out like DL4J's
 * {@code SimpleRnn} and {@code LSTM}, so networks and checkpoints exchange them. {@code FastRnnOutput}: DL4J's
 * recurrent output layer with softmax + cross-entropy or identity + mean squared error computed in one pass on that
 * layout. {@code LeanUpdater}: DL4J's updater without the per-update views it makes to look for regularization a
 * network does not have. {@code ShapeInfoCache}: ND4J's shape buffers made once per array layout and shared.
 */
package io.rnnsweep.nn;
