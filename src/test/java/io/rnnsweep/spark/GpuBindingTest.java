package io.rnnsweep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class GpuBindingTest {
    @Test
    void taskWithoutGpuResourceIsNotBound() {
        assertEquals(Optional.empty(), GpuBinding.assignedDevice(Map.of()));
        assertEquals(Optional.empty(), GpuBinding.assignedDevice(
                Map.of("gpu", new ResourceInformation("gpu", new String[0]))));
    }

    @Test
    void taskIsBoundToTheFirstGpuAddressSparkAssigned() {
        assertEquals(Optional.of(3), GpuBinding.assignedDevice(
                Map.of("gpu", new ResourceInformation("gpu", new String[] {"3"}))));
        assertEquals(Optional.of(0), GpuBinding.assignedDevice(Map.of(
                "gpu", new ResourceInformation("gpu", new String[] {" 0", "1"}),
                "fpga", new ResourceInformation("fpga", new String[] {"x"}))));
    }

    @Test
    void nonIndexAddressIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuBinding.assignedDevice(
                Map.of("gpu", new ResourceInformation("gpu", new String[] {"GPU-8f2c"}))));
        assertTrue(e.getMessage().contains("'GPU-8f2c'") && e.getMessage().contains("get-gpus.sh"), e.getMessage());
    }
}
