package dev.canopy.status;

import dev.canopy.LockMode;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A cycle of waits that can never resolve: each step's context waits for the step's lock, which the next step's
 * context holds (the last step's lock is held by the first step's context).
 *
 * @param source {@code CANOPY} for named locks, {@code JDK} for monitors and JDK locks found by the JVM
 */
public record Deadlock(List<Step> steps, String source) {
    public Deadlock {
        steps = List.copyOf(steps);
    }

    /**
     * One wait in the cycle. {@code thread} is {@code name#id}; {@code contextPath} is {@code thread name#id} when
     * the JDK reports a thread Canopy knows no context for.
     */
    public record Step(String contextPath, String thread, String lockName, LockMode mode) {
    }

    /** The number of steps (threads) in the cycle. */
    public int size() {
        return steps.size();
    }

    /**
     * What the cycle is, for a log line or a notification: {@code deadlock among 2 threads}, or
     * {@code self-deadlock: a thread waits for a lock it holds} for a cycle of one step (a read-to-write upgrade).
     */
    public String headline() {
        return steps.size() == 1 ? "self-deadlock: a thread waits for a lock it holds"
                : "deadlock among " + steps.size() + " threads";
    }

    /** The cycle as one line: {@code a waits for "L1" held by b → b waits for "L2" held by a}. */
    public String describe() {
        return steps.stream().map(s -> s.contextPath() + " [" + s.thread() + "] waits for \"" + s.lockName() + "\"")
                .collect(Collectors.joining(" → ")) + " → (back to " + steps.get(0).contextPath() + ")";
    }
}
