package io.rnnsweep.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.space.Domain;
import io.rnnsweep.trial.TrialOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchTest {
    @Test
    void gridHasOneTrialPerCombinationWithTheLastOptionVaryingFastest() {
        Map<TrialOption, Domain.Choice> space = new LinkedHashMap<>();
        space.put(TrialOption.HIDDEN, new Domain.Choice(List.of("128", "256", "512")));
        space.put(TrialOption.LAYERS, new Domain.Choice(List.of("1", "2")));
        space.put(TrialOption.CLIP, new Domain.Choice(List.of("1", "none")));
        GridSearch grid = new GridSearch(space);
        assertEquals(12, grid.size());
        assertEquals(Map.of(TrialOption.HIDDEN, "128", TrialOption.LAYERS, "1", TrialOption.CLIP, "1"), grid.trial(0));
        assertEquals(Map.of(TrialOption.HIDDEN, "128", TrialOption.LAYERS, "1", TrialOption.CLIP, "none"), grid.trial(1));
        assertEquals(Map.of(TrialOption.HIDDEN, "512", TrialOption.LAYERS, "2", TrialOption.CLIP, "none"), grid.trial(11));
        assertEquals(12, new HashSet<>(Searcher.planned(grid)).size(), "every combination exactly once");
        assertEquals(List.of(TrialOption.HIDDEN, TrialOption.LAYERS, TrialOption.CLIP), List.copyOf(grid.trial(5).keySet()));
        assertThrows(IndexOutOfBoundsException.class, () -> grid.trial(12));
    }

    private static Map<TrialOption, Domain> randomSpace() {
        Map<TrialOption, Domain> space = new LinkedHashMap<>();
        space.put(TrialOption.LR, new Domain.LogUniform(1e-3, 10));
        space.put(TrialOption.CLIP, new Domain.Uniform(0.5, 2));
        space.put(TrialOption.HIDDEN, new Domain.IntRange(16, 64));
        space.put(TrialOption.CELL, new Domain.Choice(List.of("rnn", "lstm")));
        return space;
    }

    @Test
    void randomSearchDrawsTheRequestedCountWithinEveryDomain() {
        RandomSearch r = new RandomSearch(randomSpace(), 200, 7);
        assertEquals(200, r.size());
        boolean sawSmallLr = false;
        for (Map<TrialOption, String> t : Searcher.planned(r)) {
            double lr = Double.parseDouble(t.get(TrialOption.LR));
            assertTrue(lr >= 1e-3 && lr <= 10, t.toString());
            sawSmallLr |= lr < 1e-2;
            double clip = Double.parseDouble(t.get(TrialOption.CLIP));
            assertTrue(clip >= 0.5 && clip < 2, t.toString());
            int hidden = Integer.parseInt(t.get(TrialOption.HIDDEN));
            assertTrue(hidden >= 16 && hidden <= 64, t.toString());
            assertTrue(List.of("rnn", "lstm").contains(t.get(TrialOption.CELL)));
        }
        assertTrue(sawSmallLr, "log-uniform puts a quarter of the draws in the lowest decade");
    }

    @Test
    void randomSearchIsReproducibleFromItsSeed() {
        assertEquals(Searcher.planned(new RandomSearch(randomSpace(), 20, 3)), Searcher.planned(new RandomSearch(randomSpace(), 20, 3)));
        assertNotEquals(Searcher.planned(new RandomSearch(randomSpace(), 20, 3)), Searcher.planned(new RandomSearch(randomSpace(), 20, 4)));
        assertEquals(Searcher.planned(new RandomSearch(randomSpace(), 5, 3)), Searcher.planned(new RandomSearch(randomSpace(), 20, 3)).subList(0, 5),
                "asking for more trials keeps the first ones");
    }

    @Test
    void domainsRejectEmptyOrInvertedRanges() {
        assertThrows(IllegalArgumentException.class, () -> new Domain.Choice(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Domain.Uniform(2, 1));
        assertThrows(IllegalArgumentException.class, () -> new Domain.LogUniform(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Domain.IntRange(5, 4));
        assertThrows(IllegalArgumentException.class, () -> new RandomSearch(randomSpace(), 0, 1));
    }

    @Test
    void randomSearchNeverProposesAConfigurationTwice() {
        Map<TrialOption, Domain> lists = new LinkedHashMap<>();
        lists.put(TrialOption.HIDDEN, new Domain.Choice(List.of("8", "16")));
        lists.put(TrialOption.LR, new Domain.Choice(List.of("0.01", "0.1", "1")));
        for (long seed = 0; seed < 20; seed++) {
            List<Map<TrialOption, String>> all = Searcher.planned(new RandomSearch(lists, 6, seed));
            assertEquals(6, new HashSet<>(all).size(), "every one of the 6 combinations once, seed " + seed);
        }
    }
}
