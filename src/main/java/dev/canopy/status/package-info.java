/**
 * The tree at a moment: immutable snapshots ({@link dev.canopy.status.Status} and the records it holds) and their
 * two writers, the text tree ({@link dev.canopy.status.Status#render}) and the JSON of schema
 * {@value dev.canopy.status.Status#SCHEMA} ({@link dev.canopy.status.Status#toJson()},
 * {@link dev.canopy.status.Status#fromJson(String)}).
 *
 * <p>Stable: the records and the JSON schema. New record components may be added in a later schema version; readers
 * of the JSON ignore fields they do not know.
 */
package dev.canopy.status;
