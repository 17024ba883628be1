package dev.canopy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Lets tests drive {@link RatioCheck} without exiting the JVM. */
public final class RatioCheckAccess {
    private RatioCheckAccess() {
    }

    public static int check(String json, Path accepted, List<String> out) throws IOException {
        return RatioCheck.check(RatioCheck.scores(json), RatioCheck.overrides(accepted), out);
    }

    public static Map<String, Double> scores(String json) {
        return RatioCheck.scores(json);
    }
}
