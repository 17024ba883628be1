package dev.canopy;

/**
 * Notices contexts made by {@code open()} that were garbage-collected before they ended: one daemon thread,
 * started with the first such context, waiting on the reference queue (no polling, no cost while nothing leaks; once a
 * second, only while a leak log owes a summary).
 */
final class LeakDetector {
    private static final long SUMMARY_CHECK_MILLIS = 1_000;

    private LeakDetector() {
    }

    private static final class Holder {
        static final Thread THREAD = start();

        private static Thread start() {
            Thread t = new Thread(LeakDetector::run, "canopy-leaks");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }

    static void start() {
        // touching the holder starts the thread once; the JIT reduces this to a load
        Thread ignored = Holder.THREAD;
    }

    private static void run() {
        while (true) {
            try {
                // while a leak log owes a summary, wake up now and then to write it even if no leak follows
                ChildLink link = (ChildLink) (LeakLog.anyOwing() ? ChildLink.QUEUE.remove(SUMMARY_CHECK_MILLIS)
                        : ChildLink.QUEUE.remove());
                ContextTree tree = link == null ? null : link.tree(null);
                if (tree != null) {
                    tree.leakCollected(link);
                }
                LeakLog.tellDue();
            } catch (InterruptedException e) {
                // nobody may stop leak detection: an interrupt from outside is ignored
            } catch (RuntimeException | Error e) {
                System.getLogger(LeakDetector.class.getName()).log(System.Logger.Level.WARNING,
                        "could not process a leaked context", e);
            }
        }
    }

    /** The first frames outside Canopy, one line: where user code opened the context. */
    static String describe(Throwable site) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (StackTraceElement f : site.getStackTrace()) {
            if (f.getClassName().startsWith("dev.canopy.") && !f.getClassName().startsWith("dev.canopy.demo")
                    && shown == 0 && !f.getClassName().endsWith("Test")) {
                continue;
            }
            if (shown > 0) {
                b.append(" ← ");
            }
            b.append(f);
            if (++shown == 3) {
                break;
            }
        }
        return b.toString();
    }
}
