package dev.canopy.bridge;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names and keys that come from other instrumentation (observation names, span names, attribute keys): they are
 * not under the application's control here, so they are mapped or skipped, never refused with an exception that
 * would reach the instrumented code.
 */
public final class ForeignNames {
    /** Canopy's limit on a name or key. */
    public static final int MAX_LENGTH = 200;
    /** Context names are path segments, so {@code '.'} in a foreign name becomes this. */
    public static final char DOT_REPLACEMENT = '_';
    /** The name of work whose own name is missing or blank. */
    public static final String UNNAMED = "unnamed";

    private ForeignNames() {
    }

    /** How many mapped names are remembered: observation and span names are few, but nothing guarantees it. */
    static final int MAPPED_CACHE_SIZE = 1024;
    /** Names that needed mapping, to their mapping: the mapping is paid once per name, not once per span. */
    private static final ConcurrentHashMap<String, String> MAPPED = new ConcurrentHashMap<>();

    /**
     * A context name for a foreign name: {@code http.server.requests} becomes {@code http_server_requests}, so the
     * dotted path stays unambiguous; control characters become {@code '_'} as well, and the name is cut at
     * {@value #MAX_LENGTH} characters. Returns the same instance when nothing needs changing, so a caller can tell
     * with {@code !=} whether to keep the original name as data.
     */
    public static String contextName(String name) {
        if (name == null) {
            return UNNAMED;
        }
        int length = name.length();
        int i = 0;
        while (i < length && i < MAX_LENGTH && isNameChar(name.charAt(i))) {
            i++;
        }
        if (i == length && !name.isBlank()) {
            return name;
        }
        String known = MAPPED.get(name);
        if (known != null) {
            return known;
        }
        String mapped = map(name, i);
        if (length <= MAX_LENGTH && MAPPED.size() < MAPPED_CACHE_SIZE) {
            MAPPED.putIfAbsent(name, mapped);
        }
        return mapped;
    }

    private static String map(String name, int i) {
        if (name.isBlank()) {
            return UNNAMED;
        }
        int length = name.length();
        int kept = Math.min(length, MAX_LENGTH);
        StringBuilder b = new StringBuilder(kept).append(name, 0, Math.min(i, kept));
        for (int j = b.length(); j < kept; j++) {
            char c = name.charAt(j);
            b.append(isNameChar(c) ? c : DOT_REPLACEMENT);
        }
        return b.toString();
    }

    private static boolean isNameChar(char c) {
        return c != '.' && !Character.isISOControl(c) && c != '\u2028' && c != '\u2029';
    }

    /** Whether Canopy accepts {@code key} as a data key as it is; foreign keys that it would refuse are skipped. */
    public static boolean isUsableKey(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH || key.isBlank()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a foreign key looks like it carries a secret ({@code http.request.header.authorization},
     * {@code db.password}, {@code api_key}, …). Such values are never copied: a copy would be shown by status, JMX
     * and the command line, and a secret must not leave the process.
     */
    public static boolean isSecretLike(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("passwd") || k.contains("secret") || hasToken(k)
                || k.contains("authorization") || k.contains("cookie") || k.contains("credential")
                || k.contains("apikey") || k.contains("api_key") || k.contains("api-key") || k.contains("private");
    }

    /** "token" as a credential ({@code access_token}, {@code x-auth-token}), not a count ({@code input_tokens}). */
    private static boolean hasToken(String k) {
        for (int at = k.indexOf("token"); at >= 0; at = k.indexOf("token", at + 1)) {
            int after = at + "token".length();
            if (after == k.length() || k.charAt(after) != 's') {
                return true;
            }
        }
        return false;
    }
}
