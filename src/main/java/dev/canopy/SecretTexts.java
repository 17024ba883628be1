package dev.canopy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Removes the values of secrets from text that leaves the process: a failure's message often quotes the value that
 * was refused ({@code "api key sk-live-… rejected"}), and the value may be a secret that its own context, or another
 * context of the tree, carries.
 */
final class SecretTexts {
    /** Shorter values are not searched for: "no" or "42" would blank out ordinary words and numbers. */
    static final int MIN_LENGTH = 4;

    private SecretTexts() {
    }

    /**
     * {@code text} with each secret value replaced by {@value Json#REDACTED}: those of {@code context} and its
     * ancestors, live values included, and the stored ones of every context still in the tree.
     */
    static String without(Context context, String text) {
        if (text == null || text.length() < MIN_LENGTH) {
            return text;
        }
        List<String> secrets = new ArrayList<>();
        for (Context c = context; c != null; c = c.parentOrNull()) {
            c.secretValues(secrets);
        }
        context.tree.secretIndex().findIn(text, secrets);
        if (secrets.isEmpty()) {
            return text;
        }
        secrets.sort(Comparator.comparingInt(String::length).reversed()); // a secret that contains another goes first
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, Json.REDACTED);
        }
        return out;
    }

    /** {@code text}, if it is long enough to be searched for. */
    static void collect(String text, List<String> out) {
        if (text.length() >= MIN_LENGTH) {
            out.add(text);
        }
    }

    /** The texts a secret's JSON value holds (see {@link #collect(JsonNode, List)}). */
    static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>(1);
        collect(node, out);
        return out;
    }

    /** The texts a secret's JSON value holds: strings, and numbers written out, at any depth. */
    static void collect(JsonNode node, List<String> out) {
        if (node.isTextual() || node.isNumber()) {
            String s = node.asText();
            if (s.length() >= MIN_LENGTH) {
                out.add(s);
            }
        } else if (node.isContainerNode()) {
            node.elements().forEachRemaining(child -> collect(child, out));
        }
    }
}
