package io.rnnsweep.spark;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Binds a trial to the GPU Spark assigned to its task ({@code TaskContext.resources()}), so concurrent trials
 * on a multi-GPU executor each train on their own device.
 */
final class GpuBinding {
    /** Spark's resource name for GPUs. */
    static final String GPU = "gpu";

    private GpuBinding() {
    }

    /**
     * Returns the device index assigned to the task, if it was assigned a GPU.
     *
     * @throws IllegalStateException when the discovery script reported an address that is not a device index
     */
    static Optional<Integer> assignedDevice(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources.get(GPU);
        if (gpu == null || gpu.addresses().length == 0) {
            return Optional.empty();
        }
        String address = gpu.addresses()[0].trim();
        try {
            int device = Integer.parseInt(address);
            if (device < 0) {
                throw new NumberFormatException(address);
            }
            return Optional.of(device);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Spark assigned GPU address '" + address + "', which is not a CUDA device"
                    + " index: the discovery script (jobs/get-gpus.sh) must report indices such as \"0\"", e);
        }
    }

    /** Binds ND4J's current thread to the device (a no-op on the CPU backend, which has one device). */
    static void bind(int device) {
        Nd4j.getAffinityManager().unsafeSetDevice(device);
    }
}
