package dev.canopy.jmx;

import dev.canopy.internal.Durations;
import dev.canopy.internal.Names;

import java.time.Duration;
import java.util.Objects;

/**
 * How a tree shows itself over JMX. The registry MBean is always there (unless JMX is {@link #off()}); context
 * MBeans follow the {@link Mode}, registered and unregistered from a background thread so spawning never waits on
 * the MBean server's lock, and capped so scrapers never face 100,000 beans. Named locks are registered in
 * {@code LONG_LIVED} and {@code ALL} modes.
 *
 * @param threshold       {@code LONG_LIVED}: how long a context must live before it gets an MBean
 * @param maxContextBeans the most context MBeans registered at once
 * @param readOnly        leave out the operations that act ({@code cancel})
 * @param domain          the ObjectName domain
 */
public record JmxPolicy(Mode mode, Duration threshold, int maxContextBeans, boolean readOnly, String domain) {
    /** Which contexts get an MBean of their own. */
    public enum Mode {
        /** Contexts that live longer than the threshold (the default). */
        LONG_LIVED,
        /** Every context, soon after creation: for debugging. */
        ALL,
        /** None: only the registry (and no lock MBeans). */
        NONE
    }

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
        if (domain.isBlank() || domain.matches(".*[:,=*?\"\\n].*")) {
            throw new IllegalArgumentException("not a valid ObjectName domain: \"" + Names.escape(domain) + "\"");
        }
    }

    /** LONG_LIVED, 1 s threshold, at most 1,000 context beans, operations on, domain {@code dev.canopy}. */
    public static JmxPolicy defaults() {
        return new JmxPolicy(Mode.LONG_LIVED, Duration.ofSeconds(1), 1_000, false, "dev.canopy");
    }

    public JmxPolicy withMode(Mode m) {
        return new JmxPolicy(m, threshold, maxContextBeans, readOnly, domain);
    }

    public JmxPolicy withThreshold(Duration t) {
        return new JmxPolicy(mode, t, maxContextBeans, readOnly, domain);
    }

    public JmxPolicy withMaxContextBeans(int max) {
        return new JmxPolicy(mode, threshold, max, readOnly, domain);
    }

    public JmxPolicy withReadOnly(boolean ro) {
        return new JmxPolicy(mode, threshold, maxContextBeans, ro, domain);
    }

    public JmxPolicy withDomain(String d) {
        return new JmxPolicy(mode, threshold, maxContextBeans, readOnly, d);
    }

    /**
     * The default tree's JMX policy, or {@code null} for no JMX: {@link JmxPolicy#defaults()}, adjusted by system properties an operator can
     * set without touching code: {@code canopy.jmx.mode} (LONG_LIVED, ALL, NONE, or OFF for no JMX at all),
     * {@code canopy.jmx.readOnly} (true/false), {@code canopy.jmx.threshold} (e.g. 500ms, 2s) and
     * {@code canopy.jmx.maxContextBeans}.
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
        String max = System.getProperty("canopy.jmx.maxContextBeans");
        if (max != null) {
            try {
                p = p.withMaxContextBeans(Integer.parseInt(max.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("canopy.jmx.maxContextBeans must be a whole number, not \""
                        + Names.escape(max) + "\"");
            }
        }
        return p;
    }
}
