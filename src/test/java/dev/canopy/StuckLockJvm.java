package dev.canopy;

import java.util.concurrent.CountDownLatch;

/** A JVM whose tree never changes: one request holds a named lock forever. For the CLI's watch mode. */
public final class StuckLockJvm {
    /** Held for the life of the process: an open context nobody references is reported as a leak. */
    static Context request;

    private StuckLockJvm() {
    }

    public static void main(String[] args) throws InterruptedException {
        Context service = Canopy.global().child("service").open();
        request = service.child("request").open();
        try (Scope s = request.makeCurrent()) {
            service.mutex("orders").lock();
        }
        System.out.println("Stuck JVM running as pid " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
