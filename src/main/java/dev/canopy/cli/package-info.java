/**
 * The {@code canopy} command line: attaches to a JVM by pid and shows its tree, records it with JFR and reads
 * recordings. Shipped as {@code canopy-cli.jar}, not in the library jar.
 */
package dev.canopy.cli;
