package dev.canopy.jmx;

import dev.canopy.Context;
import dev.canopy.spi.LockView;

import javax.management.JMException;
import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.List;

/**
 * ObjectNames with a fixed key order, which JConsole and JMC build their tree from: {@code type} first, then one
 * folder key per level of the path ({@code l0}, {@code l1}, …), then the unique leaf. Values are never quoted (every
 * client would have to unescape them): the characters ObjectName reserves are replaced.
 */
final class BeanNames {
    /** Folder levels in an ObjectName; deeper contexts are only seen through the registry. */
    static final int MAX_LEVELS = 16;

    private BeanNames() {
    }

    static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (JMException e) {
            throw new IllegalArgumentException("invalid ObjectName " + text, e);
        }
    }

    static ObjectName registry(String domain) {
        return name(domain + ":type=Registry");
    }

    /** An ObjectName value as-is, with the characters ObjectName reserves replaced: never quoted. */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 120));
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            b.append(",=:*?\"\\\n".indexOf(c) >= 0 || Character.isISOControl(c) ? '_' : c);
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    /** A context's bean, or null when it is deeper than {@link #MAX_LEVELS}. */
    static ObjectName context(String domain, Context c) {
        List<String> chain = new ArrayList<>();
        for (Context x = c; x != null; x = x.parent().orElse(null)) {
            chain.add(0, x.name());
        }
        return levels(domain, "Context", chain.toArray(String[]::new), sanitize(c.name()) + "#" + c.id());
    }

    /** A lock's bean, in the folder of the context it was created in; null when too deep. */
    static ObjectName lock(String domain, LockView l) {
        return levels(domain, "Lock", l.ownerPath().split("\\."), sanitize(l.name()) + "#" + l.id());
    }

    private static ObjectName levels(String domain, String type, String[] chain, String leaf) {
        if (chain.length > MAX_LEVELS) {
            return null;
        }
        StringBuilder b = new StringBuilder(domain).append(":type=").append(type);
        for (int i = 0; i < chain.length; i++) {
            b.append(",l").append(i).append('=').append(sanitize(chain[i]));
        }
        return name(b.append(",name=").append(leaf).toString());
    }
}
