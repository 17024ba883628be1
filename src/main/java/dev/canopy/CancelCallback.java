package dev.canopy;

import java.util.concurrent.atomic.AtomicBoolean;

/** A callback that runs at most once: whoever claims it first (cancel or close) decides. */
final class CancelCallback extends AtomicBoolean implements Registration {
    private final Runnable callback;
    volatile ContextExtras owner;

    CancelCallback(Runnable callback) {
        this.callback = callback;
    }

    void fire() {
        if (compareAndSet(false, true)) {
            try {
                callback.run();
            } catch (RuntimeException | Error e) {
                System.getLogger(Context.class.getName()).log(System.Logger.Level.WARNING,
                        "onCancel callback threw; the cancel went on", e);
            }
        }
    }

    @Override
    public void close() {
        if (compareAndSet(false, true)) {
            ContextExtras x = owner;
            if (x != null && x.callbacks != null) {
                x.callbacks.remove(this);
            }
        }
    }
}
