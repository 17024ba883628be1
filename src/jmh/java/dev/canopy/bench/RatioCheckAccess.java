package dev.canopy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Lets tests drive {@link RatioCheck} without exiting the JVM. */
public final class RatioCheckAccess {
    private RatioCheckAccess() {
    }

    /** Goal mode: how many goals missed their target (-1: a result is missing). */
    public static int checkGoals(String json, List<String> out) {
        return RatioCheck.check(RatioCheck.scores(json), Map.of(), false, out);
    }

    /** Guard mode: how many goals went past their regression guard too (-1: a result is missing). */
    public static int checkGuards(String json, Path guards, List<String> out) throws IOException {
        return RatioCheck.check(RatioCheck.scores(json), RatioCheck.guards(guards), true, out);
    }

    public static Map<String, Double> scores(String json) {
        return RatioCheck.scores(json);
    }
}
