package dev.canopy.otel;

import dev.canopy.Canopy;
import dev.canopy.ContextTree;
import dev.canopy.jmx.JmxExporter;
import dev.canopy.jmx.JmxPolicy;
import dev.canopy.bridge.BridgeRoot;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * The OpenTelemetry Java agent extension: adds a {@link CanopySpanProcessor} to the agent's tracer provider, so an
 * agent-instrumented service shows its live spans as a Canopy tree with no code change:
 * <pre>
 * java -javaagent:opentelemetry-javaagent.jar -Dotel.javaagent.extensions=canopy-otel-extension.jar -jar app.jar
 * </pre>
 * Found by the agent's SDK through {@code META-INF/services}, which only the extension jar
 * ({@code target/canopy-otel-extension.jar}) carries: the library jar never adds a processor by itself.
 *
 * <h2>Which tree</h2>
 * The agent loads an extension in a class loader of its own, so the extension's copy of Canopy is not the
 * application's: it keeps a tree of its own (root {@code global}, spans under {@code global.spans}). That tree's
 * JMX registry is {@code dev.canopy:type=Registry}, where {@code canopy status <pid>} looks, unless the
 * application has Canopy too (its class path holds {@code dev/canopy/Canopy.class}, or that MBean is already
 * registered): then the application's tree keeps {@code dev.canopy} and the extension's tree registers under
 * {@value #SEPARATE_DOMAIN} instead (JConsole and JMX clients show both), so neither copy takes the other's
 * name. The tree is created when the first span starts, never while the agent starts: creating the platform
 * MBean server that early breaks application servers that install their own.
 *
 * <p>Settings (system properties, or the environment as {@code CANOPY_OTEL_ROOT} …, read through the agent's
 * configuration):
 * <ul>
 *   <li>{@value #ROOT_PROPERTY}: the parent path of spans without a local parent (default {@code global.spans});</li>
 *   <li>{@value #MAX_ATTRIBUTES_PROPERTY}: how many start attributes become data (default 8);</li>
 *   <li>{@value #DOMAIN_PROPERTY}: the JMX domain of the extension's tree, instead of choosing as above.</li>
 * </ul>
 */
public final class CanopyAgentExtension implements AutoConfigurationCustomizerProvider {
    public static final String ROOT_PROPERTY = "canopy.otel.root";
    public static final String MAX_ATTRIBUTES_PROPERTY = "canopy.otel.max-attributes";
    public static final String DOMAIN_PROPERTY = "canopy.otel.jmx.domain";
    /** The default tree's domain: where {@code canopy status} looks. */
    public static final String CANOPY_DOMAIN = "dev.canopy";
    /** The extension tree's domain when the application's own tree has {@value #CANOPY_DOMAIN}. */
    public static final String SEPARATE_DOMAIN = "dev.canopy.otel";

    @Override
    public void customize(AutoConfigurationCustomizer customizer) {
        customizer.addTracerProviderCustomizer((builder, config) -> builder.addSpanProcessor(processor(config)));
    }

    static CanopySpanProcessor processor(ConfigProperties config) {
        String rootPath = config.getString(ROOT_PROPERTY);
        String domain = config.getString(DOMAIN_PROPERTY);
        int maxAttributes = config.getInt(MAX_ATTRIBUTES_PROPERTY, CanopySpanProcessor.DEFAULT_MAX_ATTRIBUTES);
        if (domain != null) {
            JmxPolicy.defaults().withDomain(domain); // a bad domain is refused now, naming the value, not at the first span
        }
        Supplier<BridgeRoot> root = new Supplier<>() {
            private BridgeRoot made;

            @Override
            public synchronized BridgeRoot get() {
                if (made == null) {
                    ContextTree tree = extensionTree(domain != null ? domain : chooseDomain());
                    made = new BridgeRoot(tree, rootPath != null ? rootPath
                            : tree.root().name() + "." + CanopySpanProcessor.DEFAULT_ROOT_NAME);
                }
                return made;
            }
        };
        // validates maxAttributes with the processor's own message
        return new CanopySpanProcessor(root, CanopySpanProcessor.DEFAULT_MAX_ATTRIBUTES).withMaxAttributes(maxAttributes);
    }

    /** {@value #CANOPY_DOMAIN}, unless the application has a Canopy of its own that will want it. */
    static String chooseDomain() {
        if (ClassLoader.getSystemClassLoader().getResource("dev/canopy/Canopy.class") != null) {
            return SEPARATE_DOMAIN;
        }
        try {
            return ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(CANOPY_DOMAIN + ":type=Registry"))
                    ? SEPARATE_DOMAIN : CANOPY_DOMAIN;
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The extension copy's default tree, with its registry in {@code domain} and the {@code canopy.jmx.*}
     * properties applied as for any default tree ({@code canopy.jmx.mode=OFF}: no JMX). Making it the default means
     * {@link Canopy#current()} in this copy never creates a second tree.
     */
    private static ContextTree extensionTree(String domain) {
        JmxPolicy policy = JmxPolicy.fromSystemProperties();
        if (!domain.equals(CANOPY_DOMAIN) && policy != null) {
            Canopy.configure(b -> b.listener(JmxExporter.create(policy.withDomain(domain))));
        }
        return Canopy.tree();
    }
}
