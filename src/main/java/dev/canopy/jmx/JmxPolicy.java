package dev.canopy.jmx;

import dev.canopy.internal.Durations;
import dev.canopy.internal.Names;

import java.time.Duration;
import java.util.Objects;

/**
 * How a tree shows itself over JMX. The registry MBean is always there (unless JMX is {@link #off()}); context
 * MBeans follow the {@link Mode}, registered and unregistered from a background thread so spawning never waits on
 * the MBean server's lock, and capped so scrapers never face 100,000 beans. Named locks are registered in
 * {@code LONG_LIVED} and {@code ALL} modes, under a cap of their own.
 *
 * @param threshold       {@code LONG_LIVED}: how long a context must live before it gets an MBean
 * @param maxContextBeans the most context MBeans registered at once
 * @param maxLockBeans    the most lock MBeans registered at once
 * @param readOnly        leave out the operations that act ({@code cancel})
 * @param domain          the ObjectName domain
 */
public record JmxPolicy(Mode mode, Duration threshold, int maxContextBeans, int maxLockBeans, boolean readOnly,
                        String domain) {
    /** Which contexts get an MBean of their own. */
    public enum Mode {
        /** Contexts that live longer than the threshold (the default). */
        LONG_LIVED,
        /** Every context, soon after creation: for debugging. */
        ALL,
        /** None: only the registry (and no lock MBeans). */
        NONE
    }

    private static final int DEFAULT_MAX_LOCK_BEANS = 1_000;

    public JmxPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(threshold, "threshold");
        Objects.requireNonNull(domain, "domain");
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("JMX registration threshold must not be negative: " + threshold);
        }
        if (maxContextBeans < 0) {
            throw new IllegalArgumentException("maxContextBeans must not be negative: " + maxContextBeans);
        }
        if (maxLockBeans < 0) {
            throw new IllegalArgumentException("maxLockBeans must not be negative: " + maxLockBeans);
        }
        if (domain.isBlank() || domain.matches(".*[:,=*?\"\\n].*")) {
            throw new IllegalArgumentException("not a valid ObjectName domain: \"" + Names.escape(domain) + "\"");
        }
    }

    /**
     * The policy as it was before lock beans had a cap of their own: {@code maxLockBeans} is the default 1,000. Kept so
     * code written against the earlier constructor still compiles.
     */
    public JmxPolicy(Mode mode, Duration threshold, int maxContextBeans, boolean readOnly, String domain) {
        this(mode, threshold, maxContextBeans, DEFAULT_MAX_LOCK_BEANS, readOnly, domain);
    }

    /**
     * LONG_LIVED, 1 s threshold, at most 1,000 context beans and 1,000 lock beans, operations on, domain
     * {@code dev.canopy}.
     */
    public static JmxPolicy defaults() {
        return new JmxPolicy(Mode.LONG_LIVED, Duration.ofSeconds(1), 1_000, DEFAULT_MAX_LOCK_BEANS, false, "dev.canopy");
    }

    public JmxPolicy withMode(Mode m) {
        return new JmxPolicy(m, threshold, maxContextBeans, maxLockBeans, readOnly, domain);
    }

    public JmxPolicy withThreshold(Duration t) {
        return new JmxPolicy(mode, t, maxContextBeans, maxLockBeans, readOnly, domain);
    }

    public JmxPolicy withMaxContextBeans(int max) {
        return new JmxPolicy(mode, threshold, max, maxLockBeans, readOnly, domain);
    }

    public JmxPolicy withMaxLockBeans(int max) {
        return new JmxPolicy(mode, threshold, maxContextBeans, max, readOnly, domain);
    }

    public JmxPolicy withReadOnly(boolean ro) {
        return new JmxPolicy(mode, threshold, maxContextBeans, maxLockBeans, ro, domain);
    }

    public JmxPolicy withDomain(String d) {
        return new JmxPolicy(mode, threshold, maxContextBeans, maxLockBeans, readOnly, d);
    }

    /**
     * The default tree's JMX policy, or {@code null} for no JMX: {@link JmxPolicy#defaults()}, adjusted by system properties an operator can
     * set without touching code: {@code canopy.jmx.mode} (LONG_LIVED, ALL, NONE, or OFF for no JMX at all),
     * {@code canopy.jmx.readOnly} (true/false), {@code canopy.jmx.threshold} (e.g. 500ms, 2s),
     * {@code canopy.jmx.maxContextBeans} and {@code canopy.jmx.maxLockBeans}.
     */
    public static JmxPolicy fromSystemProperties() {
        JmxPolicy p = JmxPolicy.defaults();
        String mode = System.getProperty("canopy.jmx.mode");
        if (mode != null) {
            if (mode.equalsIgnoreCase("OFF")) {
                return null;
            }
            try {
                p = p.withMode(JmxPolicy.Mode.valueOf(mode.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("canopy.jmx.mode must be LONG_LIVED, ALL, NONE or OFF, not \""
                        + Names.escape(mode) + "\"");
            }
        }
        if (Boolean.getBoolean("canopy.jmx.readOnly")) {
            p = p.withReadOnly(true);
        }
        String threshold = System.getProperty("canopy.jmx.threshold");
        if (threshold != null) {
            p = p.withThreshold(Durations.parse("canopy.jmx.threshold", threshold));
        }
        String maxContexts = System.getProperty("canopy.jmx.maxContextBeans");
        if (maxContexts != null) {
            p = p.withMaxContextBeans(wholeNumber("canopy.jmx.maxContextBeans", maxContexts));
        }
        String maxLocks = System.getProperty("canopy.jmx.maxLockBeans");
        if (maxLocks != null) {
            p = p.withMaxLockBeans(wholeNumber("canopy.jmx.maxLockBeans", maxLocks));
        }
        return p;
    }

    private static int wholeNumber(String property, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a whole number, not \"" + Names.escape(value) + "\"");
        }
    }
}
