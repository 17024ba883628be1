/**
 * Canopy over JMX: {@link dev.canopy.jmx.JmxExporter} shows a tree as MBeans (a registry, and per the
 * {@link dev.canopy.jmx.JmxPolicy} context and lock beans), for JConsole, JDK Mission Control, Jolokia and
 * Prometheus' jmx_exporter. The default tree is exported by itself, as {@code -Dcanopy.jmx.*} says.
 *
 * <p>Stable: the MXBean interfaces, ObjectName layout, notification types and {@code JmxPolicy}.
 */
package dev.canopy.jmx;
