package dev.canopy.bridge;

import dev.canopy.internal.Names;

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
        return c != '.' && !Names.isControl(c);
    }

    /** Whether Canopy accepts {@code key} as a data key as it is; foreign keys that it would refuse are skipped. */
    public static boolean isUsableKey(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH || key.isBlank()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Names.isControl(c)) {
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
                || k.contains("apikey") || k.contains("api_key") || k.contains("api-key") || k.contains("private")
                || k.contains("jwt") || k.contains("bearer") || k.contains("sessionid") || hasSecretWord(k);
    }

    /** Words that are a credential as a whole segment of a key ({@code x-auth}, {@code session.id}), not inside one. */
    private static final java.util.Set<String> SECRET_WORDS = java.util.Set.of("auth", "session", "sid", "otp",
            "ssn", "signature", "sig");

    private static boolean hasSecretWord(String k) {
        int start = 0;
        for (int i = 0; i <= k.length(); i++) {
            if (i == k.length() || k.charAt(i) == '.' || k.charAt(i) == '_' || k.charAt(i) == '-') {
                if (i > start && SECRET_WORDS.contains(k.substring(start, i))) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /**
     * {@code value} with the values of secret-like query parameters replaced ({@code /users?access_token=…} →
     * {@code /users?access_token=<redacted>}): instrumentation records full URLs, and a token in a query string is
     * as secret as one in a header. Other text is returned as it is; only a value with a {@code ?} is parsed.
     */
    public static String withoutSecretQueryValues(String value) {
        int query = value.indexOf('?');
        if (query < 0) {
            return value;
        }
        int fragment = value.indexOf('#', query);
        int end = fragment < 0 ? value.length() : fragment;
        StringBuilder out = null;
        int param = query + 1;
        while (param < end) {
            int amp = value.indexOf('&', param);
            int paramEnd = amp < 0 || amp > end ? end : amp;
            int eq = value.indexOf('=', param);
            if (eq > param && eq < paramEnd && isSecretLike(value.substring(param, eq))) {
                if (out == null) {
                    out = new StringBuilder(value.length()).append(value, 0, param);
                }
                out.append(value, param, eq + 1).append(REDACTED);
            } else if (out != null) {
                out.append(value, param, paramEnd);
            }
            if (out != null && paramEnd < end) {
                out.append('&');
            }
            param = paramEnd + 1;
        }
        return out == null ? value : out.append(value, end, value.length()).toString();
    }

    private static final String REDACTED = "<redacted>";

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
