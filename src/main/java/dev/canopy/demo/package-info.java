/** A small service that builds the tree the design describes, to try the CLI, JConsole and JFR on. Not in the library jar. */
package dev.canopy.demo;
