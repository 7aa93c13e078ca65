package org.sipedge.ops;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One page of a list the admin API returns: filtered by a search text (case-insensitive, anywhere in the item's
 * search key), then cut to {@code size} items from 1-based page {@code page}.
 *
 * @param total how many matched the search, over all pages
 */
public record Page<T>(List<T> items, int page, int size, int total) {
    /** Most items one page may carry. */
    public static final int MAX_SIZE = 1000;

    public static <T> Page<T> of(List<T> sorted, Function<T, String> key, String query, int page, int size) {
        String q = query == null ? "" : query.trim().toLowerCase(Locale.ROOT);
        List<T> matched = q.isEmpty() ? sorted
                : sorted.stream().filter(t -> key.apply(t).toLowerCase(Locale.ROOT).contains(q)).toList();
        int s = Math.max(1, Math.min(MAX_SIZE, size));
        int p = Math.max(1, page);
        int from = (int) Math.min(matched.size(), (long) (p - 1) * s);
        int to = Math.min(matched.size(), from + s);
        return new Page<>(List.copyOf(matched.subList(from, to)), p, s, matched.size());
    }
}
