package io.rnnsweep.tracking;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The subset of MLflow's run-search filter syntax the embedded server understands: tag equalities. */
final class SearchFilter {
    private static final Pattern CLAUSE = Pattern.compile(
            "\\s*tags\\.(?:`([^`]+)`|\"([^\"]+)\"|([\\w.\\-]+))\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'\\s*");

    private SearchFilter() {
    }

    /**
     * Parses {@code tags.k1 = 'v1' AND tags.`k.2` = 'v2'} into the tag values it requires; an empty filter
     * requires nothing.
     *
     * @throws IllegalArgumentException for any other syntax
     */
    static Map<String, String> tagEquals(String filter) {
        Map<String, String> out = new LinkedHashMap<>();
        if (filter == null || filter.isBlank()) {
            return out;
        }
        for (String clause : filter.split("(?i)\\s+and\\s+")) {
            Matcher m = CLAUSE.matcher(clause);
            if (!m.matches()) {
                throw new IllegalArgumentException("unsupported search filter (only tags.KEY = 'VALUE' joined by"
                        + " AND): " + clause);
            }
            String key = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            out.put(key, m.group(4).replace("\\'", "'").replace("\\\\", "\\"));
        }
        return out;
    }

    /** Returns the filter that {@link #tagEquals} reads back as the given tag values. */
    static String of(Map<String, String> tags) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (b.length() > 0) {
                b.append(" AND ");
            }
            b.append("tags.`").append(e.getKey()).append("` = '")
                    .append(e.getValue().replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        }
        return b.toString();
    }
}
