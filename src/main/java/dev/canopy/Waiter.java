package dev.canopy;

/**
 * A thread waiting for a named lock. Cancelling the waiter's context interrupts the thread, but only while it is
 * still waiting: the monitor makes "interrupt" and "finished waiting" exclusive, so a thread that has moved on is
 * never interrupted for a wait it no longer does.
 */
final class Waiter {
    final LockCore lock;
    final Context context;
    final Thread thread;
    final LockMode mode;
    final int permits;
    final long sinceNanos;
    private boolean finished;
    private boolean interruptSent;

    Waiter(LockCore lock, Context context, Thread thread, LockMode mode, int permits, long sinceNanos) {
        this.lock = lock;
        this.context = context;
        this.thread = thread;
        this.mode = mode;
        this.permits = permits;
        this.sinceNanos = sinceNanos;
    }

    synchronized void interruptIfWaiting() {
        if (!finished) {
            interruptSent = true;
            thread.interrupt();
        }
    }

    /** Ends the wait; returns whether a cancel interrupted the thread during it. */
    synchronized boolean finish() {
        finished = true;
        return interruptSent;
    }
}
