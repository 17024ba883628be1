package dev.canopy;

import java.util.concurrent.CountDownLatch;

/** A JVM without Canopy, for the CLI's "target has no Canopy" case. It never touches a Canopy class. */
public final class IdleJvm {
    private IdleJvm() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("Idle JVM running as pid " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
