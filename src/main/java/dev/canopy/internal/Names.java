package dev.canopy.internal;

/** Validation of user-given names and keys, with messages that show the offending value safely. */
public final class Names {
    public static final int MAX_NAME_LENGTH = 200;

    private Names() {
    }

    /** A context or lock name: a path segment, so no dots. */
    public static String checkName(String kind, String name) {
        checkKey(kind, name);
        int dot = name.indexOf('.');
        if (dot >= 0) {
            throw new IllegalArgumentException(kind + " \"" + escape(name) + "\" contains '.' at index " + dot
                    + "; '.' separates path segments (put such values in data instead)");
        }
        return name;
    }

    /** A data, metric or counter key: dots allowed. */
    public static String checkKey(String kind, String key) {
        if (key == null) {
            throw new NullPointerException(kind + " must not be null");
        }
        if (key.isBlank()) {
            throw new IllegalArgumentException(kind + " must not be blank: \"" + escape(key) + "\"");
        }
        if (key.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(kind + " is " + key.length() + " characters long, the limit is "
                    + MAX_NAME_LENGTH + ": \"" + escape(key.substring(0, 40)) + "…\"");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (isControl(c)) {
                throw new IllegalArgumentException(String.format("%s \"%s\" contains control character U+%04X at index %d",
                        kind, escape(key), (int) c, i));
            }
        }
        return key;
    }

    /** Makes a string safe to print in a message or a terminal: control characters as \\uXXXX, long ones cut. */
    public static String escape(String s) {
        int limit = Math.min(s.length(), 120);
        StringBuilder b = new StringBuilder(limit + 8);
        appendEscaped(s, limit, b);
        if (limit < s.length()) {
            b.append("…(").append(originalLength(s)).append(" chars)");
        }
        return b.toString();
    }

    /**
     * The length of the text {@code s} was cut from, when it ends with the marker of an earlier cut (a cancel
     * reason is cut at 1,000 characters where it is made): cut again for a terminal, it still says how long the
     * original was; else {@code s}'s own length.
     */
    private static long originalLength(String s) {
        int open = s.lastIndexOf("…(");
        if (open < 0 || !s.endsWith(" chars)")) {
            return s.length();
        }
        String digits = s.substring(open + 2, s.length() - " chars)".length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return s.length();
        }
        return Long.parseLong(digits);
    }

    /**
     * Makes text safe to print on a terminal without cutting it: control characters (an escape sequence that would
     * clear the screen, a line break that would forge a line) as \\uXXXX. For text whose length is bounded where it
     * is made (a warning quoting a cancel reason, a thread's name); null stays null.
     */
    public static String escapeControls(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) {
                StringBuilder b = new StringBuilder(s.length() + 16);
                appendEscaped(s, s.length(), b);
                return b.toString();
            }
        }
        return s;
    }

    private static void appendEscaped(String s, int limit, StringBuilder b) {
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            if (isControl(c)) {
                b.append(String.format("\\u%04X", (int) c));
            } else {
                b.append(c);
            }
        }
    }

    /** A character Canopy never takes into a name or key, nor prints raw: control characters and line separators. */
    public static boolean isControl(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
