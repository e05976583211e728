package io.rnnsweep.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.trial.ObjectiveMode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each scheduler as a pure decision function fed made-up result sequences. */
class SchedulerTest {
    @Test
    void fifoNeverStops() {
        Fifo fifo = new Fifo();
        for (int e = 1; e <= 5; e++) {
            assertEquals(Decision.CONTINUE, fifo.onResult(0, e, 1e9));
        }
    }

    @Test
    void rungsAreGeometricBelowTheMaximum() {
        assertEquals(List.of(1, 3, 9), new Rungs(1, 27, 3).milestones());
        assertEquals(List.of(2, 4, 8), new Rungs(2, 10, 2).milestones());
        assertEquals(List.of(), new Rungs(5, 5, 3).milestones());
        assertThrows(IllegalArgumentException.class, () -> new Rungs(0, 9, 3));
        assertThrows(IllegalArgumentException.class, () -> new Rungs(1, 9, 1));
    }

    @Test
    void medianRuleStopsAfterGraceOnlyWithEnoughSamplesAndRespectsTheMode() {
        MedianStopping rule = new MedianStopping(ObjectiveMode.MIN, 2, 2);
        // Two reference trials: running means at epoch 3 are 4.0 and 6.0, median 5.0.
        for (int t = 0; t < 2; t++) {
            double base = t == 0 ? 4 : 6;
            for (int e = 1; e <= 3; e++) {
                assertEquals(Decision.CONTINUE, rule.onResult(t, e, base));
            }
        }
        assertEquals(Decision.CONTINUE, rule.onResult(2, 1, 9), "grace period");
        assertEquals(Decision.CONTINUE, rule.onResult(2, 2, 9), "grace period");
        assertEquals(Decision.STOP, rule.onResult(2, 3, 5.5), "best 5.5 is worse than the median 5.0");
        assertEquals(Decision.CONTINUE, rule.onResult(3, 1, 9));
        assertEquals(Decision.CONTINUE, rule.onResult(3, 2, 9));
        assertEquals(Decision.CONTINUE, rule.onResult(3, 3, 5.0), "a tie with the median goes on");

        MedianStopping lonely = new MedianStopping(ObjectiveMode.MIN, 1, 3);
        lonely.onResult(0, 1, 1);
        lonely.onResult(0, 2, 1);
        assertEquals(Decision.CONTINUE, lonely.onResult(1, 1, 100));
        assertEquals(Decision.CONTINUE, lonely.onResult(1, 2, 100), "one other trial < min samples 3");

        MedianStopping max = new MedianStopping(ObjectiveMode.MAX, 1, 1);
        max.onResult(0, 1, 0.9);
        max.onResult(0, 2, 0.9);
        max.onResult(1, 1, 0.1);
        assertEquals(Decision.STOP, max.onResult(1, 2, 0.2), "accuracy 0.2 below the median 0.9");
        assertThrows(IllegalArgumentException.class, () -> max.onResult(1, 5, 0.2), "epochs must be in order");
    }

    @Test
    void ashaPromotesInArrivalOrderWithoutWaitingForTheRungToFill() {
        Asha asha = new Asha(ObjectiveMode.MIN, new Rungs(1, 9, 3)); // rungs at 1 and 3
        assertEquals(Decision.PAUSE, asha.onResult(0, 1, 5.0), "1 result: top floor(1/3) = 0");
        assertEquals(Decision.PAUSE, asha.onResult(1, 1, 4.0));
        assertEquals(List.of(), asha.promotions());
        assertEquals(Decision.PAUSE, asha.onResult(2, 1, 6.0), "3 results: top 1 is trial 1, not trial 2");
        assertEquals(List.of(1), asha.promotions(), "trial 1 is now in the top third: promoted at once");
        assertEquals(List.of(), asha.promotions(), "promoted only once");
        assertEquals(Decision.CONTINUE, asha.onResult(3, 1, 1.0), "n = 4, top 1: trial 3 itself goes on");
        for (int t = 4; t < 6; t++) {
            assertEquals(Decision.PAUSE, asha.onResult(t, 1, 10.0 + t));
        }
        assertEquals(List.of(), asha.promotions(), "n = 6: the top 2 (trials 3 and 1) went on already");
        for (int t = 6; t < 9; t++) {
            assertEquals(Decision.PAUSE, asha.onResult(t, 1, 20.0 + t));
        }
        assertEquals(List.of(0), asha.promotions(), "n = 9: the top 3 now include trial 0 (5.0), paused since first");
    }

    @Test
    void ashaPromotesFromTheHighestRungFirstAndTracksRungs() {
        Asha asha = new Asha(ObjectiveMode.MAX, new Rungs(1, 9, 3));
        asha.onResult(0, 1, 0.5);
        asha.onResult(1, 1, 0.6);
        assertEquals(Decision.CONTINUE, asha.onResult(2, 1, 0.9), "the best of three accuracies goes on at once");
        assertEquals(List.of(), asha.promotions());
        assertEquals(Decision.CONTINUE, asha.onResult(2, 2, 0.91), "between rungs");
        assertEquals(Decision.PAUSE, asha.onResult(2, 3, 0.95), "alone in rung 3");
        assertEquals(3, asha.rungOf(2));
        assertEquals(1, asha.rungOf(0));
        asha.onResult(3, 1, 0.1);
        asha.onResult(4, 1, 0.2);
        asha.onResult(5, 1, 0.3);
        assertEquals(List.of(1), asha.promotions(), "n = 6 at rung 1: trials 2 and 1 are the top 2");
        assertEquals(Set.of(0, 2, 3, 4, 5), Set.copyOf(asha.paused()));
        assertEquals(Decision.PAUSE, asha.onResult(6, 1, Double.NaN), "a NaN result never goes on");
        assertEquals(List.of(), asha.promotions());
    }

    @Test
    void synchronousHalvingWaitsForTheRungThenKeepsTheTopThird() {
        SuccessiveHalving sh = new SuccessiveHalving(ObjectiveMode.MIN, new Rungs(1, 9, 3), Set.of(0, 1, 2, 3, 4, 5));
        for (int t = 0; t < 5; t++) {
            assertEquals(Decision.PAUSE, sh.onResult(t, 1, 10 - t), "the rung is not full");
        }
        assertEquals(Decision.STOP, sh.onResult(5, 1, 7.5), "the last arrival completes the rung and is not top 2");
        assertEquals(Set.of(4, 3), Set.copyOf(sh.promotions()), "values 6 and 7 are the top two of six");
        assertEquals(Set.of(0, 1, 2), Set.copyOf(sh.stopped()));
        assertEquals(Decision.PAUSE, sh.onResult(4, 3, 2.0));
        assertEquals(Decision.CONTINUE, sh.onResult(3, 3, 1.0), "top floor(2/3) -> at least one goes on");
        assertEquals(List.of(), sh.promotions());
        assertEquals(List.of(4), sh.stopped());
        assertThrows(IllegalArgumentException.class, () -> sh.onResult(0, 3, 1.0), "a stopped trial cannot report");
    }

    @Test
    void hyperbandBracketsMatchThePaper() {
        assertEquals(List.of(new Hyperband.Bracket(81, 1), new Hyperband.Bracket(34, 3), new Hyperband.Bracket(15, 9),
                new Hyperband.Bracket(8, 27), new Hyperband.Bracket(5, 81)), Hyperband.brackets(1, 81, 3));
        assertEquals(List.of(new Hyperband.Bracket(9, 1), new Hyperband.Bracket(5, 3), new Hyperband.Bracket(3, 9)),
                Hyperband.brackets(1, 9, 3));
        assertTrue(Hyperband.brackets(27, 27, 3).size() == 1);
    }

    @Test
    void segmentsEndWhereEachSchedulerDecides() {
        Asha asha = new Asha(ObjectiveMode.MIN, new Rungs(1, 27, 3));
        assertEquals(List.of(1, 3, 9, 27, 27), List.of(asha.segmentEnd(0, 0, 27), asha.segmentEnd(0, 1, 27),
                asha.segmentEnd(0, 3, 27), asha.segmentEnd(0, 9, 27), asha.segmentEnd(0, 26, 27)));
        MedianStopping median = new MedianStopping(ObjectiveMode.MIN, 3, 1);
        assertEquals(List.of(3, 3, 4, 5, 5), List.of(median.segmentEnd(0, 0, 5), median.segmentEnd(0, 2, 5),
                median.segmentEnd(0, 3, 5), median.segmentEnd(0, 4, 5), median.segmentEnd(0, 4, 5)));
        assertEquals(20, new Fifo().segmentEnd(0, 0, 20), "no early stopping: one segment");
        SuccessiveHalving sh = new SuccessiveHalving(ObjectiveMode.MIN, new Rungs(2, 8, 2), Set.of(0));
        assertEquals(List.of(2, 4, 8), List.of(sh.segmentEnd(0, 0, 8), sh.segmentEnd(0, 2, 8), sh.segmentEnd(0, 4, 8)));
    }

    @Test
    void ashaDrainTrainsTheBestOfTheHighestUnpromotedRungToTheEnd() {
        Asha asha = new Asha(ObjectiveMode.MIN, new Rungs(1, 9, 3)); // rungs at 1 and 3
        asha.onResult(0, 1, 3.0);
        asha.onResult(1, 1, 2.0);
        assertEquals(Decision.CONTINUE, asha.onResult(2, 1, 1.0), "n = 3 at rung 1: trial 2 is the top 1");
        assertEquals(Decision.PAUSE, asha.onResult(2, 3, 0.5), "alone at rung 3: floor(1/3) = 0 go on");
        assertEquals(List.of(), asha.promotions());
        assertEquals(List.of(2), asha.drained(), "nothing else can arrive: the best at the top rung goes on");
        assertEquals(List.of(), asha.drained(), "each rung sends at least one trial on, not more");
        assertEquals(List.of(0, 1), asha.paused(), "the others stay paused and end with the sweep");

        Asha nan = new Asha(ObjectiveMode.MIN, new Rungs(1, 9, 3));
        nan.onResult(0, 1, Double.NaN);
        assertEquals(List.of(), nan.drained(), "a trial without a value is never sent on");
    }

    @Test
    void ashaReasonNamesTheRungTheValueAndTheBar() {
        Asha asha = new Asha(ObjectiveMode.MIN, new Rungs(1, 9, 3));
        for (int t = 0; t < 6; t++) {
            asha.onResult(t, 1, 10.0 - t); // trial 5 best (5.0), then 4 (6.0)
        }
        asha.promotions();
        StopReason r = asha.reason(0).orElseThrow();
        assertEquals("asha", r.rule());
        assertEquals(1, r.rung());
        assertEquals(10.0, r.value());
        assertEquals(6.0, r.threshold(), "the worst of the top 2 of 6");
        assertTrue(r.describe().startsWith("asha stopped it at epoch 1: 10.000 is not in the top 1/3 (2 of 6)"),
                r.describe());
        Asha lonely = new Asha(ObjectiveMode.MIN, new Rungs(1, 9, 3));
        lonely.onResult(0, 1, 1.0);
        assertTrue(Double.isNaN(lonely.reason(0).orElseThrow().threshold()), "one result sets no bar");
        assertTrue(lonely.reason(7).isEmpty(), "a trial that never reached a rung has no reason");
    }

    @Test
    void medianReasonHoldsTheBestAndTheMedian() {
        MedianStopping rule = new MedianStopping(ObjectiveMode.MIN, 1, 1);
        rule.onResult(0, 1, 1.0);
        rule.onResult(0, 2, 1.0);
        rule.onResult(1, 1, 4.0);
        assertEquals(Decision.STOP, rule.onResult(1, 2, 3.0));
        StopReason r = rule.reason(1).orElseThrow();
        assertEquals(List.of(2.0, 3.0, 1.0), List.of((double) r.rung(), r.value(), r.threshold()));
        assertTrue(rule.reason(0).isEmpty(), "trial 0 was never stopped");
    }

    @Test
    void synchronousHalvingStopsWaitingForATrialThatEndedOnItsOwn() {
        SuccessiveHalving sh = new SuccessiveHalving(ObjectiveMode.MIN, new Rungs(1, 9, 3), Set.of(0, 1, 2, 3));
        assertEquals(Decision.PAUSE, sh.onResult(0, 1, 3.0));
        assertEquals(Decision.PAUSE, sh.onResult(1, 1, 1.0));
        assertEquals(Decision.PAUSE, sh.onResult(2, 1, 2.0));
        assertEquals(List.of(), sh.promotions(), "trial 3 has not reported");
        sh.onEnd(3); // diverged in epoch 1
        assertEquals(List.of(1), sh.promotions(), "the rung is complete without trial 3: top 1 of 3 goes on");
        assertEquals(Set.of(0, 2), Set.copyOf(sh.stopped()));
        assertEquals(2.0, sh.reason(2).orElseThrow().value());
        assertEquals(1.0, sh.reason(2).orElseThrow().threshold(), "the bar is the worst value kept");
        sh.onEnd(1);
        assertEquals(List.of(), sh.promotions(), "nobody left: nothing to decide");
    }

    @Test
    void hyperbandSplitsTheTrialsOverItsBracketsInProportion() {
        assertEquals(List.of(9, 4, 2, 1), java.util.Arrays.stream(HyperbandScheduler.split(new int[] {27, 12, 6, 4}, 16))
                .boxed().toList(), "16 x (27, 12, 6, 4) / 49 by largest remainders");
        HyperbandScheduler hb = new HyperbandScheduler(ObjectiveMode.MIN, 1, 9, 3, 6);
        // Brackets (9 from 1), (5 from 3), (3 from 9): 6 trials -> 3, 2, 1.
        assertEquals(List.of(new Hyperband.Bracket(3, 1), new Hyperband.Bracket(2, 3), new Hyperband.Bracket(1, 9)),
                hb.assignment());
        assertEquals(1, hb.segmentEnd(0, 0, 9), "trials 0-2 start at rung 1");
        assertEquals(3, hb.segmentEnd(3, 0, 9), "trials 3-4 at rung 3");
        assertEquals(9, hb.segmentEnd(5, 0, 9), "trial 5 trains to the end");
        assertEquals(Decision.PAUSE, hb.onResult(0, 1, 5.0));
        assertEquals(Decision.PAUSE, hb.onResult(1, 1, 4.0));
        assertEquals(Decision.CONTINUE, hb.onResult(2, 1, 3.0), "bracket 1 complete: trial 2 is its top 1 of 3");
        assertEquals(Set.of(0, 1), Set.copyOf(hb.stopped()));
        assertTrue(hb.reason(1).orElseThrow().why().endsWith("(bracket from epoch 1)"));
        assertEquals(Decision.PAUSE, hb.onResult(3, 3, 1.0), "bracket 2 waits for trial 4");
        assertEquals(Decision.STOP, hb.onResult(4, 3, 2.0));
        assertEquals(List.of(3), hb.promotions());
        assertThrows(IllegalArgumentException.class, () -> hb.onResult(6, 1, 1.0), "trial 6 is in no bracket");
    }
}
