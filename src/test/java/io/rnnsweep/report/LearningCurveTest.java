package io.rnnsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.trial.EpochResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/** A trial's learning-curve chart and the PNG a trial run stores of it. */
class LearningCurveTest {
    private static List<EpochResult> epochs(int count) {
        List<EpochResult> done = new ArrayList<>();
        for (int e = 1; e <= count; e++) {
            double loss = 2.0 / e;
            done.add(new EpochResult(e, loss, Math.exp(loss), loss * 1.1, Math.exp(loss * 1.1), Map.of(), 0.5, 0.5, 0,
                    100, 1e4, 0.01));
        }
        return done;
    }

    @Test
    void pngDecodesToExactlyThePictureXChartPaints() throws Exception {
        XYChart chart = LearningCurve.chart("trial-3", epochs(12), true);
        byte[] png = LearningCurve.png(chart);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(decoded, "a PNG ImageIO reads");
        BufferedImage painted = BitmapEncoder.getBufferedImage(chart);
        assertEquals(800, decoded.getWidth());
        assertEquals(500, decoded.getHeight());
        int differing = 0;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < 500; y++) {
            for (int x = 0; x < 800; x++) {
                int rgb = decoded.getRGB(x, y) & 0xFFFFFF;
                if (rgb != (painted.getRGB(x, y) & 0xFFFFFF)) {
                    differing++;
                }
                colours.add(rgb);
            }
        }
        assertEquals(0, differing, "pixels unlike XChart's own rendering");
        assertTrue(colours.size() > 50, "a drawn chart (anti-aliased lines, text), not a blank image: "
                + colours.size() + " colours");
        assertTrue(png.length < 200_000, "compressed: " + png.length + " bytes");
    }

    @Test
    void noEpochsNoChart() {
        assertNull(LearningCurve.chart("trial-0", List.of(), false));
    }
}
